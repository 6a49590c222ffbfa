/**
 * Wire client of the Appgate SDP Controller admin API (paths relative to `https://<controller>:8443/admin`).
 *
 * | call | request | answer |
 * |---|---|---|
 * | log in | `POST /login {providerName, username, password, deviceId}` | `{token, expires, user}`; 406 `{minSupportedVersion, maxSupportedVersion}` for an unsupported version |
 * | appliance | `GET /appliances/{id}` | appliance (`name`, `site`, `siteName`) or 404 |
 * | status list | `GET /appliances/status` (peer v20+) | `{data: [{id, online, applianceVersion, details{volumeNumber}}]}` |
 * | upgrade status | `GET /appliances/{id}/upgrade` | `{status, details}` (502 while the appliance reboots) |
 * | prepare | `POST /appliances/{id}/upgrade/prepare {imageUrl}` | 202 `{id}` (change id); 412 in the wrong state |
 * | complete | `POST /appliances/{id}/upgrade/complete {switchPartition}` | 202 `{id}` |
 * | switch partition | `POST /appliances/{id}/upgrade/switch-partition` | 202 `{id}` |
 * | cancel | `DELETE /appliances/{id}/upgrade` | 202 `{id}` (v21+), 202 without body (v19–20), 204 (older) |
 * | change | `GET /appliances/{id}/change/{changeId}` | `{id, status: running|completed, result: success|failure, details}` |
 *
 * Every request carries `Accept: application/vnd.appgate.peer-vNN+json`. Unless a version is pinned,
 * {@link AppgateAuth} negotiates it the way sdpctl does: log in with a version every controller
 * refuses (v5), read `maxSupportedVersion` from the 406, log in again with it. When a later call
 * gets 406 (the controller was upgraded and dropped our version), the token is dropped and the
 * version renegotiated, once per request. Tokens expire (`expires`); a 401 triggers a new login.
 */

import { createHash } from "node:crypto";
import { z } from "zod";
import type { ResolvedConnection } from "../core/connection";
import { BearerTokenAuth, type AuthContext, type AuthStrategy, type TokenGrant } from "../core/auth";
import { VendorApiError } from "../core/errors";
import { HttpSession, type HttpResponse, type RequestOptions } from "../core/http";
import { processEnv, type HandlerEnv } from "../core/env";
import { systemClock, type Clock } from "../core/clock";
import { SharedRead } from "../core/shared-read";

/** Oldest peer API version this client speaks (6.3: the first with `GET /appliances/status`). */
export const MIN_PEER_API_VERSION = 20;
/** A version every controller refuses, used to learn the supported range from the 406 (as sdpctl does). */
const PROBE_PEER_API_VERSION = 5;

/** How to reach a controller. */
export interface AppgateConnection extends ResolvedConnection {
    /** Admin API base, normalised to end in `/admin`. */
    endpoint: string;
    identityProvider: string;
    /** Pinned peer API version; undefined = negotiate. */
    apiVersion?: number;
}

const loginSchema = z.object({ token: z.string().min(1), expires: z.string().optional() }).passthrough();
const notAcceptableSchema = z
    .object({
        minSupportedVersion: z.number().int().optional(),
        maxSupportedVersion: z.number().int().optional(),
        message: z.string().optional(),
    })
    .passthrough();
const applianceSchema = z
    .object({ id: z.string(), name: z.string(), site: z.string().optional(), siteName: z.string().optional() })
    .passthrough();
const statusEntrySchema = z
    .object({
        id: z.string(),
        name: z.string().optional(),
        online: z.boolean().optional(),
        status: z.string().optional(),
        applianceVersion: z.string().optional(),
        details: z.object({ volumeNumber: z.number().int().optional(), version: z.string().optional() }).passthrough().optional(),
    })
    .passthrough();
const statusListSchema = z.object({ data: z.array(statusEntrySchema) }).passthrough();
const upgradeSchema = z.object({ status: z.string(), details: z.string().nullish() }).passthrough();
const changeIdSchema = z.object({ id: z.string() }).passthrough();
const changeSchema = z
    .object({ id: z.string(), status: z.string(), result: z.string().nullish(), details: z.string().nullish() })
    .passthrough();

/** An appliance as the controller describes it. */
export type AppgateAppliance = z.infer<typeof applianceSchema>;

/** One appliance's entry in the status list. */
export interface AppgateApplianceStatus {
    id: string;
    /** False while the appliance is offline (rebooting). */
    online: boolean;
    /** `6.3.2+36260`, or undefined when unknown (offline). */
    version?: string;
    volumeNumber?: number;
    /** Health: healthy, busy, offline, ... */
    health?: string;
}

/** `GET .../upgrade`. */
export interface AppgateUpgradeState {
    status: string;
    details: string;
}

/** A tracked change. */
export interface AppgateChange {
    id: string;
    status: string;
    result?: string;
    details: string;
}

/** Normalises a controller URL to its admin API base: `https://c:8443` → `https://c:8443/admin`. */
export function adminBaseUrl(endpoint: string): string {
    const trimmed = endpoint.replace(/\/+$/, "");
    return /\/admin$/.test(trimmed) ? trimmed : `${trimmed}/admin`;
}

/** `Accept` value of peer API version `v`. */
export function peerAccept(v: number): string {
    return `application/vnd.appgate.peer-v${v}+json`;
}

/**
 * The Appgate authentication strategy: bearer token from `/login` (the shared {@link BearerTokenAuth}
 * does login single-flight, expiry and re-login on 401) plus the versioned `Accept` header and its
 * negotiation.
 */
export class AppgateAuth implements AuthStrategy {
    private readonly bearer: BearerTokenAuth;
    private negotiated?: number;
    /** Times the API version was (re)negotiated from a 406. */
    negotiations = 0;

    constructor(private readonly connection: AppgateConnection) {
        this.bearer = new BearerTokenAuth({
            secrets: [connection.password],
            // expiresAt already carries a margin proportional to the token's lifetime (see login()).
            renewBeforeMs: 0,
            login: (ctx) => this.login(ctx),
        });
    }

    /** The peer API version in use (pinned or negotiated); undefined before the first login. */
    get peerVersion(): number | undefined {
        return this.connection.apiVersion ?? this.negotiated;
    }

    /** Successful logins. */
    get logins(): number {
        return this.bearer.logins;
    }

    async headers(ctx: AuthContext): Promise<Record<string, string>> {
        const auth = await this.bearer.headers(ctx);
        return { ...auth, accept: peerAccept(this.peerVersion ?? PROBE_PEER_API_VERSION) };
    }

    rejected(response: HttpResponse): boolean {
        if (response.status === 406 && this.connection.apiVersion === undefined) {
            // The controller no longer speaks our version (it was upgraded): log in again and renegotiate.
            this.negotiated = undefined;
            this.bearer.invalidate();
            return true;
        }
        return this.bearer.rejected(response);
    }

    secrets(): string[] {
        return this.bearer.secrets();
    }

    private async login(ctx: AuthContext): Promise<TokenGrant> {
        let version = this.connection.apiVersion ?? this.negotiated ?? PROBE_PEER_API_VERSION;
        for (let attempt = 1; attempt <= 3; attempt++) {
            const res = await ctx.send({
                method: "POST",
                path: "/login",
                headers: { accept: peerAccept(version) },
                json: {
                    providerName: this.connection.identityProvider,
                    username: this.connection.username,
                    password: this.connection.password,
                    deviceId: deviceIdFor(this.connection),
                },
                acceptStatus: [406],
            });
            if (res.status === 406) {
                version = this.versionFrom406(res, version);
                continue;
            }
            const grant = loginSchema.parse(res.body);
            if (this.connection.apiVersion === undefined) {
                this.negotiated = version;
            }
            const expires = grant.expires === undefined ? Number.NaN : Date.parse(grant.expires);
            if (Number.isNaN(expires)) {
                return { accessToken: grant.token };
            }
            // Renew a little before the controller's expiry: a fifth of the lifetime, at most 30 s.
            const margin = Math.min(30_000, Math.max(0, (expires - ctx.now()) / 5));
            return { accessToken: grant.token, expiresAt: expires - margin };
        }
        throw this.loginError(406, "the controller kept refusing the negotiated API version");
    }

    private versionFrom406(res: HttpResponse, tried: number): number {
        const body = notAcceptableSchema.safeParse(res.body);
        const min = body.success ? body.data.minSupportedVersion : undefined;
        const max = body.success ? body.data.maxSupportedVersion : undefined;
        const range = min !== undefined && max !== undefined ? `v${min}–v${max}` : "an unknown range";
        if (this.connection.apiVersion !== undefined) {
            throw this.loginError(
                406,
                `connection.apiVersion pins peer API v${this.connection.apiVersion}, but the controller supports ${range}`,
            );
        }
        if (max === undefined) {
            throw this.loginError(406, `the controller refused peer API v${tried} without saying which versions it supports`);
        }
        if (max < MIN_PEER_API_VERSION) {
            throw this.loginError(
                406,
                `the controller supports ${range}; this provider needs v${MIN_PEER_API_VERSION} (Appgate SDP 6.3) or later`,
            );
        }
        this.negotiations++;
        return max;
    }

    private loginError(status: number, message: string): VendorApiError {
        return new VendorApiError(
            {
                vendor: "appgate",
                method: "POST",
                path: "/login",
                endpoint: this.connection.endpoint,
                status,
                code: "not acceptable",
                vendorMessage: message,
                transient: false,
            },
            [this.connection.password],
        );
    }
}

/** A stable client id per controller and user (the API wants a uuid per client device). */
function deviceIdFor(c: AppgateConnection): string {
    const h = createHash("sha256").update(`pulumi-upgrades|${c.endpoint}|${c.username}`).digest("hex");
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

type StatusEntry = z.infer<typeof statusEntrySchema>;

/** Calls of the Controller admin API. */
export class AppgateClient {
    /**
     * The status list as refreshes share it: one `GET /appliances/status` per controller for all the
     * reads of a refresh instead of one per appliance (core/shared-read.ts). Waits never use it.
     */
    readonly sharedStatusList: SharedRead<Map<string, StatusEntry>>;

    constructor(
        readonly session: HttpSession,
        readonly auth: AppgateAuth,
        clock: Clock = systemClock,
    ) {
        this.sharedStatusList = new SharedRead(() => this.statusList(), clock);
    }

    /**
     * The shared client for a connection: one session, one login per controller and connection
     * settings — identity provider, pinned API version and TLS settings included — per provider
     * process. `env` gives the clock and the cache (default: the process's).
     */
    static for(connection: AppgateConnection, env: HandlerEnv = processEnv): AppgateClient {
        return env.clients.get("appgate", connection, () => {
            const auth = new AppgateAuth(connection);
            const session = new HttpSession({
                vendor: "appgate",
                baseUrl: connection.endpoint,
                auth,
                tls: { caBundle: connection.caBundle, insecure: connection.insecure },
                timeouts: { connectMs: 10_000, responseMs: 30_000 },
                retry: { limit: 3, minDelayMs: 250, maxDelayMs: 4_000 },
                secrets: [connection.password],
                parseError: parseAppgateError,
                clock: env.clock,
            });
            return new AppgateClient(session, auth, env.clock);
        });
    }

    /** Closes the pooled connections. */
    close(): void {
        this.session.close();
    }

    /** The appliance, or undefined when the controller does not know it. */
    async appliance(id: string): Promise<AppgateAppliance | undefined> {
        const res = await this.session.request({ method: "GET", path: `/appliances/${encodeURIComponent(id)}`, acceptStatus: [404] });
        return res.status === 404 ? undefined : applianceSchema.parse(res.body);
    }

    /**
     * The appliance's entry in `GET /appliances/status`, or undefined when it is not listed. Fetches
     * the list, unless `shared` (refreshes only): then the list fetched for the other reads of this
     * controller in the last few seconds is used (see {@link sharedStatusList}).
     */
    async applianceStatus(id: string, options: { shared?: boolean } = {}): Promise<AppgateApplianceStatus | undefined> {
        const list = options.shared ? await this.sharedStatusList.get() : await this.statusList();
        const entry = list.get(id);
        if (!entry) {
            return undefined;
        }
        const version = entry.applianceVersion ?? entry.details?.version;
        const online = entry.online ?? entry.status !== "offline";
        return {
            id,
            online: online && version !== undefined && version !== "unknown",
            version: version === "unknown" ? undefined : version,
            volumeNumber: entry.details?.volumeNumber,
            health: entry.status,
        };
    }

    /** `GET /appliances/status`, by appliance id. */
    private async statusList(): Promise<Map<string, StatusEntry>> {
        const list = statusListSchema.parse(await this.session.getJson("/appliances/status"));
        return new Map(list.data.map((e) => [e.id, e]));
    }

    /** `GET /appliances/{id}/upgrade`. */
    async upgrade(id: string): Promise<AppgateUpgradeState> {
        const body = upgradeSchema.parse(await this.session.getJson(`/appliances/${encodeURIComponent(id)}/upgrade`));
        return { status: body.status, details: body.details ?? "" };
    }

    /** Starts preparing `imageUrl`; returns the change id. Never retried unless the request provably never arrived. */
    async prepare(id: string, imageUrl: string): Promise<string | undefined> {
        return this.action({ method: "POST", path: `/appliances/${encodeURIComponent(id)}/upgrade/prepare`, json: { imageUrl } });
    }

    /** Installs the prepared upgrade; returns the change id. */
    async complete(id: string, switchPartition: boolean): Promise<string | undefined> {
        return this.action({ method: "POST", path: `/appliances/${encodeURIComponent(id)}/upgrade/complete`, json: { switchPartition } });
    }

    /** Reboots into the partition an installed upgrade was written to; returns the change id. */
    async switchPartition(id: string): Promise<string | undefined> {
        return this.action({ method: "POST", path: `/appliances/${encodeURIComponent(id)}/upgrade/switch-partition` });
    }

    /** Cancels a prepared upgrade; returns the change id when the API version reports one. */
    async cancel(id: string): Promise<string | undefined> {
        return this.action({ method: "DELETE", path: `/appliances/${encodeURIComponent(id)}/upgrade` });
    }

    /** A change, or undefined when the controller does not know it (any more). */
    async change(id: string, changeId: string): Promise<AppgateChange | undefined> {
        const res = await this.session.request({
            method: "GET",
            path: `/appliances/${encodeURIComponent(id)}/change/${encodeURIComponent(changeId)}`,
            acceptStatus: [404],
        });
        if (res.status === 404) {
            return undefined;
        }
        const c = changeSchema.parse(res.body);
        return { id: c.id, status: c.status, result: c.result ?? undefined, details: c.details ?? "" };
    }

    private async action(request: RequestOptions): Promise<string | undefined> {
        // Whatever the answer, the appliance may be changing now: later reads must not reuse an older list.
        this.sharedStatusList.invalidate();
        const res = await this.session.request(request).finally(() => this.sharedStatusList.invalidate());
        const parsed = changeIdSchema.safeParse(res.body);
        return parsed.success ? parsed.data.id : undefined;
    }
}

/** `{id, message, reason?, errors?: [{field, message}]}` → code and one message. */
export function parseAppgateError(body: unknown): { code?: string; message?: string } {
    const b = body as { id?: unknown; message?: unknown; reason?: unknown; errors?: unknown } | undefined;
    if (!b || typeof b !== "object") {
        return {};
    }
    const parts: string[] = [];
    if (typeof b.message === "string") {
        parts.push(b.message);
    }
    if (typeof b.reason === "string") {
        parts.push(b.reason);
    }
    if (Array.isArray(b.errors)) {
        for (const e of b.errors as Array<{ field?: unknown; message?: unknown }>) {
            parts.push(`[${String(e?.field ?? "?")}] ${String(e?.message ?? "")}`.trim());
        }
    }
    return { code: typeof b.id === "string" ? b.id : undefined, message: parts.length ? parts.join(" ") : undefined };
}
