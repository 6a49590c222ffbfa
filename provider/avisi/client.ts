/**
 * The Avisi Cloud wire client: the calls the resources make and zod schemas for exactly the fields
 * the next step reads (avisi.md). No `@pulumi/pulumi` here.
 *
 * Documented: the scheduled-upgrade POST (schedule *or reschedule*), Token auth, the error body.
 * From client code: clusters, cluster versions, maintenance schedules, Spring paging.
 * Not public as far as known: GET/list/DELETE of scheduled upgrades. The client tries them and
 * remembers when the vendor answers as if they do not exist (404/405/403/501 on the collection), so
 * callers can fall back to the cluster's own `version` and say plainly what they cannot do.
 */
import { z } from "zod";
import { HttpSession, type HttpSessionOptions } from "../core/http";
import type { AuthStrategy } from "../core/auth";
import { VendorApiError } from "../core/errors";
import type { Clock } from "../core/clock";
import type { HandlerEnv } from "../core/env";
import type { AvisiConnection } from "./connection";

/** A scheduled cluster upgrade, as far as the resources read it. Unknown statuses pass through as text. */
export const scheduledUpgradeSchema = z
    .object({
        identity: z.string().min(1),
        clusterIdentity: z.string().nullish(),
        status: z.string().min(1),
        windowStart: z.string().nullish(),
        windowEnd: z.string().nullish(),
        reason: z.string().nullish(),
        fromClusterVersion: z.string().nullish(),
        toClusterVersion: z.string().nullish(),
        scheduleRequestDate: z.string().nullish(),
        ignoreMaintenanceSchedule: z.boolean().nullish(),
    })
    .passthrough();
export type ScheduledUpgrade = z.infer<typeof scheduledUpgradeSchema>;

const clusterSchema = z
    .object({
        identity: z.string().min(1),
        slug: z.string().min(1),
        environmentSlug: z.string().nullish(),
        version: z.string().min(1),
        maintenanceSchedule: z
            .object({
                identity: z.string(),
                windows: z.array(z.object({ day: z.string(), startTime: z.string(), duration: z.number() }).passthrough()).nullish(),
            })
            .passthrough()
            .nullish(),
    })
    .passthrough();
export type AvisiCluster = z.infer<typeof clusterSchema>;

const windowSchema = z.object({ day: z.string(), startTime: z.string(), duration: z.number() }).passthrough();
const scheduleSchema = z.object({ identity: z.string().min(1), name: z.string(), windows: z.array(windowSchema).nullish() }).passthrough();
export type AvisiSchedule = z.infer<typeof scheduleSchema>;
export type AvisiWindow = z.infer<typeof windowSchema>;

const pageSchema = z.object({ content: z.array(z.unknown()), last: z.boolean().optional() }).passthrough();

/**
 * `Authorization: Token <personal access token>` — the scheme word is literally `Token`. A PAT does
 * not expire on a timer and has no refresh flow, so a 401 is final (no re-login to try).
 */
class PersonalAccessTokenAuth implements AuthStrategy {
    constructor(private readonly token: string) {}
    async headers(): Promise<Record<string, string>> {
        return { Authorization: `Token ${this.token}` };
    }
    secrets(): string[] {
        return [this.token];
    }
}

/** The go-client stops after this many pages. */
const MAX_PAGES = 100;
/** Statuses answering "this route does not exist here". */
const NO_SUCH_ROUTE = new Set([403, 404, 405, 501]);

/** Body of the schedule/reschedule POST (documented fields only). */
export interface UpgradeRequest {
    clusterIdentity: string;
    version: string;
    scheduleRequestDate?: string;
    ignoreMaintenanceSchedule?: boolean;
}

/** Reads `{message, details[]}`; anything else stays the raw body (as the go-client does). */
function parseAvisiError(body: unknown): { message?: string } {
    const parsed = z.object({ message: z.string(), details: z.array(z.string()).nullish() }).safeParse(body);
    if (!parsed.success) return {};
    const details = (parsed.data.details ?? []).filter((d) => d && d !== parsed.data.message);
    return { message: details.length > 0 ? `${parsed.data.message} (${details.join("; ")})` : parsed.data.message };
}

function parse<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
    const result = schema.safeParse(value);
    if (!result.success) {
        const issue = result.error.issues[0];
        throw new Error(`avisi: unexpected ${what} answer: ${issue?.path.join(".") || "(body)"} ${issue?.message ?? ""}`.trim());
    }
    return result.data;
}

/** The calls the Avisi resources make, on one shared keep-alive session per endpoint and token. */
export class AvisiClient {
    /** false once the vendor answered the public scheduled-upgrade reads as non-existent. */
    publicRead: boolean | undefined;

    constructor(
        readonly session: HttpSession,
        readonly organisation: string,
    ) {}

    /**
     * The shared client for a connection: one keep-alive session per endpoint, token, organisation
     * and TLS settings per provider process. `clock` drives retry backoff (the handler's clock).
     */
    static for(
        connection: AvisiConnection,
        env: HandlerEnv,
        clock: Clock = env.clock,
        overrides: Partial<HttpSessionOptions> = {},
    ): AvisiClient {
        const key = {
            endpoint: connection.endpoint,
            username: connection.organisation,
            password: connection.token,
            caBundle: connection.caBundle,
            insecure: connection.insecure,
            overrides: JSON.stringify(overrides),
        };
        return env.clients.get(
            "avisi",
            key,
            () =>
                new AvisiClient(
                    new HttpSession({
                        vendor: "avisi",
                        baseUrl: connection.endpoint,
                        auth: new PersonalAccessTokenAuth(connection.token),
                        headers: { Accept: "application/json", "User-Agent": "pulumi-upgrades (avisi)" },
                        tls: { caBundle: connection.caBundle, insecure: connection.insecure },
                        timeouts: { responseMs: 15_000 },
                        parseError: parseAvisiError,
                        clock,
                        ...overrides,
                    }),
                    connection.organisation,
                ),
        );
    }

    /** Closes the pooled connections. */
    close(): void {
        this.session.close();
    }

    private get org(): string {
        return `/api/v1/orgs/${encodeURIComponent(this.organisation)}`;
    }

    private get schedulesPath(): string {
        // Note the other path family: `organisations` and the singular `maintenance-schedule` (avisi.md §6).
        return `/api/v1/organisations/${encodeURIComponent(this.organisation)}/maintenance-schedule`;
    }

    /** Every item of a zero-based Spring-paged list (stops at `last`, or an empty page, or 100 pages). */
    private async allPages(path: string, searchParams: Record<string, string> = {}): Promise<unknown[]> {
        const items: unknown[] = [];
        for (let page = 0; page < MAX_PAGES; page++) {
            const body = parse(pageSchema, await this.session.getJson(path, { ...searchParams, page }), `page of ${path}`);
            items.push(...body.content);
            if (body.last !== false || body.content.length === 0) break;
        }
        return items;
    }

    /** A cluster by environment and slug. */
    async cluster(environment: string, slug: string): Promise<AvisiCluster> {
        return parse(
            clusterSchema,
            await this.session.getJson(`${this.org}/clusters/${encodeURIComponent(environment)}/${encodeURIComponent(slug)}`),
            "cluster",
        );
    }

    /** A cluster by identity (searched through the paged cluster list), or undefined. */
    async clusterByIdentity(identity: string): Promise<AvisiCluster | undefined> {
        const all = await this.allPages(`${this.org}/clusters`);
        const found = all.find((c) => (c as { identity?: unknown }).identity === identity);
        return found === undefined ? undefined : parse(clusterSchema, found, "cluster");
    }

    /** Attach a maintenance schedule to a cluster. */
    async attachSchedule(cluster: AvisiCluster, scheduleIdentity: string): Promise<AvisiCluster> {
        const path = `${this.org}/clusters/${encodeURIComponent(cluster.environmentSlug ?? "")}/${encodeURIComponent(cluster.slug)}`;
        const response = await this.session.request({
            method: "PATCH",
            path,
            json: { maintenanceScheduleIdentity: scheduleIdentity },
            idempotent: true,
        });
        return parse(clusterSchema, response.body, "cluster");
    }

    /** Versions the platform offers. */
    async clusterVersions(): Promise<string[]> {
        const body = parse(
            z.array(z.object({ version: z.string() }).passthrough()),
            await this.session.getJson("/api/v1/cluster-versions"),
            "cluster-versions",
        );
        return body.map((v) => v.version);
    }

    /**
     * Schedule or reschedule the cluster's upgrade (one documented call for both). Sent as idempotent:
     * the vendor reschedules the cluster's open upgrade instead of creating a second one, so a retry
     * after a lost answer cannot start two upgrades.
     */
    async requestUpgrade(request: UpgradeRequest): Promise<ScheduledUpgrade> {
        const response = await this.session.request({
            method: "POST",
            path: `${this.org}/scheduled-cluster-upgrades`,
            json: request,
            idempotent: true,
        });
        return parse(scheduledUpgradeSchema, response.body, "scheduled-cluster-upgrade");
    }

    /**
     * One upgrade, `null` when the vendor says it is gone, `undefined` when the vendor has no public
     * read (then {@link AvisiClient.publicRead} is false).
     */
    async upgrade(identity: string): Promise<ScheduledUpgrade | null | undefined> {
        if (this.publicRead === false) return undefined;
        const path = `${this.org}/scheduled-cluster-upgrades/${encodeURIComponent(identity)}`;
        const response = await this.session.request({ method: "GET", path, acceptStatus: [...NO_SUCH_ROUTE] });
        if (!NO_SUCH_ROUTE.has(response.status)) {
            this.publicRead = true;
            return parse(scheduledUpgradeSchema, response.body, "scheduled-cluster-upgrade");
        }
        // 404 on an item is ambiguous (gone, or no such route): the collection tells which.
        const listed = await this.upgradesOf(undefined, identity);
        if (listed === undefined) return undefined;
        return listed.find((u) => u.identity === identity) ?? null;
    }

    /**
     * Upgrades of a cluster (the `clusterIdentities`/`statuses` filters of the public client's query
     * builder; applied again here in case the vendor ignores them), or undefined without a public list.
     */
    async upgradesOf(
        clusterIdentity: string | undefined,
        identity?: string,
        statuses?: readonly string[],
    ): Promise<ScheduledUpgrade[] | undefined> {
        if (this.publicRead === false) return undefined;
        const path = `${this.org}/scheduled-cluster-upgrades`;
        const searchParams: Record<string, string> = {};
        if (clusterIdentity) searchParams["clusterIdentities"] = clusterIdentity;
        if (statuses) searchParams["statuses"] = statuses.join(",");
        let items: unknown[];
        try {
            items = await this.allPages(path, searchParams);
        } catch (err) {
            if (err instanceof VendorApiError && err.status !== undefined && NO_SUCH_ROUTE.has(err.status)) {
                this.publicRead = false;
                return undefined;
            }
            throw err;
        }
        this.publicRead = true;
        return items
            .map((item) => parse(scheduledUpgradeSchema, item, "scheduled-cluster-upgrade"))
            .filter(
                (u) =>
                    (!clusterIdentity || !u.clusterIdentity || u.clusterIdentity === clusterIdentity) &&
                    (!identity || u.identity === identity),
            )
            .filter((u) => !statuses || statuses.includes(u.status));
    }

    /**
     * Cancel an open upgrade: `cancelled` (with the object when the vendor returns one), or
     * `unsupported` with the vendor's status when it answers as if there were no such route. Callers
     * read the upgrade first, so a 404 here means "no cancel route", not "already gone".
     */
    async cancelUpgrade(
        identity: string,
    ): Promise<{ outcome: "cancelled" | "unsupported"; upgrade?: ScheduledUpgrade; status: number; message?: string }> {
        const path = `${this.org}/scheduled-cluster-upgrades/${encodeURIComponent(identity)}`;
        const response = await this.session.request({ method: "DELETE", path, acceptStatus: [...NO_SUCH_ROUTE] });
        if (NO_SUCH_ROUTE.has(response.status)) {
            return {
                outcome: "unsupported",
                status: response.status,
                message: parseAvisiError(response.body).message ?? (response.text.slice(0, 200) || undefined),
            };
        }
        const parsed = scheduledUpgradeSchema.safeParse(response.body);
        return { outcome: "cancelled", status: response.status, upgrade: parsed.success ? parsed.data : undefined };
    }

    async schedules(): Promise<AvisiSchedule[]> {
        return parse(z.array(scheduleSchema), await this.session.getJson(this.schedulesPath), "maintenance-schedule list");
    }

    /** A schedule, or undefined when the vendor says it is gone. */
    async schedule(identity: string): Promise<AvisiSchedule | undefined> {
        const response = await this.session.request({
            method: "GET",
            path: `${this.schedulesPath}/${encodeURIComponent(identity)}`,
            acceptStatus: [404],
        });
        return response.status === 404 ? undefined : parse(scheduleSchema, response.body, "maintenance-schedule");
    }

    async createSchedule(body: { name: string; windows: AvisiWindow[] }): Promise<AvisiSchedule> {
        const response = await this.session.request({ method: "POST", path: this.schedulesPath, json: body });
        return parse(scheduleSchema, response.body, "maintenance-schedule");
    }

    async updateSchedule(identity: string, body: { name: string; windows: AvisiWindow[] }): Promise<AvisiSchedule> {
        const response = await this.session.request({
            method: "PATCH",
            path: `${this.schedulesPath}/${encodeURIComponent(identity)}`,
            json: body,
            idempotent: true,
        });
        return parse(scheduleSchema, response.body, "maintenance-schedule");
    }

    /** Delete a schedule; an already deleted one is fine. */
    async deleteSchedule(identity: string): Promise<void> {
        await this.session.request({
            method: "DELETE",
            path: `${this.schedulesPath}/${encodeURIComponent(identity)}`,
            acceptStatus: [404],
        });
    }
}
