/**
 * Wire client for the Dell Unity Unisphere management REST API, software-upgrade part
 * (facts: /work/shared/reference/unity.md). No `@pulumi/pulumi` here.
 *
 * | call                 | request                                                          | response used |
 * |----------------------|------------------------------------------------------------------|---------------|
 * | system info          | `GET /api/types/basicSystemInfo/instances?fields=…` (no login)    | `softwareVersion`, `softwareFullVersion`, `name`, `model` |
 * | installed version    | `GET /api/types/installedSoftwareVersion/instances?fields=version` | `version` |
 * | candidates           | `GET /api/types/candidateSoftwareVersion/instances?fields=…`      | `id, version, type, rebootRequired, canPauseBeforeReboot` |
 * | upload a candidate   | `POST /upload/files/types/candidateSoftwareVersion` (multipart, streamed) | 200, empty body (no id: list afterwards) |
 * | eligibility          | `POST /api/types/softwareUpgradeSession/action/verifyUpgradeEligibility` | `content.messages[]` (or an error body) |
 * | sessions             | `GET /api/types/softwareUpgradeSession/instances?fields=…`, `GET /api/instances/softwareUpgradeSession/{id}?fields=…` | `status`, `percentComplete`, `tasks[]`, `messages[]`, `candidate.id` |
 * | create a session     | `POST /api/types/softwareUpgradeSession/instances {candidate:{id}, pauseBeforeReboot}` | 201 `content.id` |
 * | resume               | `POST /api/instances/softwareUpgradeSession/{id}/action/resume`   | 204 |
 *
 * Tolerance, where the reference says inferred or unknown: enums may arrive as integers (documented)
 * or as names in any casing; entries may be full or compact; collections are followed through their
 * `next` links; a failed eligibility check may be a 200 with ERROR messages or a 4xx error body.
 */

import { z } from "zod";
import type { ResolvedConnection } from "../core/connection";
import type { HandlerEnv } from "../core/env";
import { VendorApiError } from "../core/errors";
import { HttpSession, type HttpResponse } from "../core/http";
import { uploadFile, type UploadProgress, type UploadResult } from "../core/upload";
import { UnityAuth } from "./auth";
import {
    candidateOf,
    candidateSchema,
    entriesSchema,
    messageSchema,
    parseUnityError,
    sessionOf,
    sessionSchema,
    systemInfoSchema,
    toMessage,
    type UnityCandidate,
    type UnityMessage,
    type UnitySession,
    type UnitySystemInfo,
} from "./wire";

/** The session type used (the older, documented one; `upgradeSession` is its newer twin). */
export const SESSION_TYPE = "softwareUpgradeSession";
/** Documented upload path. */
export const UPLOAD_PATH = "/upload/files/types/candidateSoftwareVersion";

/** The result of `verifyUpgradeEligibility`. */
export interface EligibilityResult {
    eligible: boolean;
    messages: UnityMessage[];
}

/** Severity at or below which a message blocks the upgrade (ERROR). */
const BLOCKING_SEVERITY = 3;

/** HTTP calls for one Unity array. */
export class UnityClient {
    constructor(
        readonly session: HttpSession,
        readonly auth: UnityAuth,
    ) {}

    /** The shared client of an array: one login and one connection pool per array and connection settings per provider process. */
    static for(connection: ResolvedConnection, env: HandlerEnv): UnityClient {
        return env.clients.get("unity", connection, () => {
            const auth = new UnityAuth(connection.username, connection.password);
            return new UnityClient(UnityClient.makeSession(connection, auth, { clock: env.clock }), auth);
        });
    }

    /** A session for one array with its auth strategy (unshared; `for` caches one per array). */
    static makeSession(
        connection: ResolvedConnection,
        auth: UnityAuth,
        overrides: Partial<ConstructorParameters<typeof HttpSession>[0]> = {},
    ): HttpSession {
        return new HttpSession({
            vendor: "unity",
            baseUrl: connection.endpoint,
            auth,
            headers: { "X-EMC-REST-CLIENT": "true" },
            parseError: parseUnityError,
            secrets: [connection.password],
            tls: { caBundle: connection.caBundle, insecure: connection.insecure },
            ...overrides,
        });
    }

    /** Closes the pooled connections. */
    close(): void {
        this.session.close();
    }

    /** `basicSystemInfo`, readable without a login. */
    async systemInfo(): Promise<UnitySystemInfo> {
        const response = await this.session.request({
            method: "GET",
            path: "/api/types/basicSystemInfo/instances",
            searchParams: { fields: "softwareVersion,softwareFullVersion,name,model" },
            anonymous: true,
        });
        const [first] = contents(response);
        return systemInfoSchema.parse(first ?? {});
    }

    /** The installed software version (`installedSoftwareVersion.version`, the full dotted version). */
    async installedVersion(): Promise<string | undefined> {
        const entries = await this.collection("installedSoftwareVersion", "version");
        const parsed = z.object({ version: z.string() }).passthrough().safeParse(entries[0]);
        return parsed.success ? parsed.data.version : undefined;
    }

    /** The candidate(s) on the array (documented: at most one). */
    async candidates(): Promise<UnityCandidate[]> {
        const entries = await this.collection("candidateSoftwareVersion", "version,type,rebootRequired,canPauseBeforeReboot");
        return entries.map((e) => candidateOf(candidateSchema.parse(e)));
    }

    /**
     * Streams `filePath` as the candidate (multipart, SHA-256 in the same pass). The array answers
     * 200 with no id. A 401 (the login died, e.g. a failover) logs in again and uploads once more.
     */
    async uploadCandidate(filePath: string, onProgress?: (p: UploadProgress) => void): Promise<UploadResult<unknown>> {
        const send = () =>
            uploadFile(this.session, {
                path: UPLOAD_PATH,
                filePath,
                multipart: { fieldName: "filename" },
                onProgress,
            });
        try {
            return await send();
        } catch (err) {
            if (err instanceof VendorApiError && err.status === 401) {
                this.auth.invalidate();
                return send();
            }
            throw err;
        }
    }

    /** `verifyUpgradeEligibility`: a 200 with ERROR messages and a 4xx error body both mean "not eligible". */
    async verifyEligibility(): Promise<EligibilityResult> {
        let response: HttpResponse;
        try {
            response = await this.session.request({
                method: "POST",
                path: `/api/types/${SESSION_TYPE}/action/verifyUpgradeEligibility`,
                json: {},
            });
        } catch (err) {
            if (
                err instanceof VendorApiError &&
                err.status !== undefined &&
                err.status >= 400 &&
                err.status < 500 &&
                err.status !== 401 &&
                err.status !== 404
            ) {
                return { eligible: false, messages: [{ severity: BLOCKING_SEVERITY, text: err.vendorMessage ?? `HTTP ${err.status}` }] };
            }
            throw err;
        }
        const content = (response.body as { content?: unknown } | undefined)?.content ?? response.body ?? {};
        const raw = z
            .object({ messages: z.array(messageSchema).optional() })
            .passthrough()
            .safeParse(content);
        const messages = (raw.success ? (raw.data.messages ?? []) : []).map(toMessage);
        const eligible = !messages.some((m) => m.severity !== undefined && m.severity <= BLOCKING_SEVERITY);
        return { eligible, messages };
    }

    /** Every upgrade session. */
    async sessions(): Promise<UnitySession[]> {
        const entries = await this.collection(SESSION_TYPE, SESSION_FIELDS);
        return entries.map((e) => sessionOf(sessionSchema.parse(e)));
    }

    /** One upgrade session. */
    async getSession(id: string): Promise<UnitySession> {
        const response = await this.session.request({
            method: "GET",
            path: `/api/instances/${SESSION_TYPE}/${encodeURIComponent(id)}`,
            searchParams: { fields: SESSION_FIELDS },
        });
        const body = response.body as { content?: unknown } | undefined;
        return sessionOf(sessionSchema.parse(body?.content ?? body));
    }

    /** Creates (starts) a session; returns its id. Never retried unless the request provably did not arrive. */
    async createSession(candidateId: string, pauseBeforeReboot: boolean): Promise<string> {
        const response = await this.session.request({
            method: "POST",
            path: `/api/types/${SESSION_TYPE}/instances`,
            json: { candidate: { id: candidateId }, pauseBeforeReboot },
        });
        const body = response.body as { content?: { id?: unknown }; id?: unknown } | undefined;
        const id = body?.content?.id ?? body?.id;
        if (id === undefined) {
            throw new Error(
                `unity ${this.session.baseUrl}: the session was created but the answer carries no id (HTTP ${response.status})`,
            );
        }
        return String(id);
    }

    /** Resumes a paused, failed or waiting session (204). */
    async resumeSession(id: string): Promise<void> {
        await this.session.request({ method: "POST", path: `/api/instances/${SESSION_TYPE}/${encodeURIComponent(id)}/action/resume` });
    }

    /** `content` of every entry of a collection, following `next` links. */
    private async collection(type: string, fields: string): Promise<unknown[]> {
        const out: unknown[] = [];
        for (let page = 1; page <= 1000; page++) {
            const response = await this.session.request({
                method: "GET",
                path: `/api/types/${type}/instances`,
                searchParams: { fields, per_page: 2000, ...(page > 1 ? { page } : {}) },
            });
            out.push(...contents(response));
            const links = entriesSchema.safeParse(response.body);
            if (!links.success || !links.data.links.some((l) => l.rel === "next")) {
                break;
            }
        }
        return out;
    }
}

const SESSION_FIELDS = "status,percentComplete,candidate.id,messages,tasks";

function contents(response: HttpResponse): unknown[] {
    const parsed = entriesSchema.safeParse(response.body);
    return parsed.success ? parsed.data.entries.map((e) => e.content) : [];
}
