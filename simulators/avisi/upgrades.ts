/**
 * The scheduled-upgrade scheduler: the POST that schedules or reschedules, and the state machine
 * `REQUESTED → SCHEDULED → SCHEDULED_NOTIFIED → IN_PROGRESS → SUCCEEDED`, run on the simulator's
 * clock (avisi.md §4–5). Injected outcomes are consulted when an upgrade reaches its window:
 * `MISSED` (nothing starts; `MISSED` at the window's end), `SUPERSEDED` (ended at the window's
 * start) and `FAILED` (runs, then fails). A direct cluster version change supersedes open upgrades.
 */
import { randomUUID } from "node:crypto";
import type { Clock, TimerHandle } from "../core/clock";
import { SimulatorHttpError } from "../core/http-error";
import type { CloudState, SimCluster } from "./cloud-state";
import { OPEN_STATUSES, type InjectableOutcome, type UpgradeStatus } from "./constants";
import type { AvisiRuntimeSettings } from "./options";
import { formatKubeVersion, parseKubeVersion, upgradeRefusal } from "./versions";
import { nextWindow } from "./windows";

/** One scheduled cluster upgrade. */
export interface SimUpgrade {
    readonly identity: string;
    readonly clusterIdentity: string;
    readonly createdAt: number;
    modifiedAt: number;
    windowStart: number | undefined;
    windowEnd: number | undefined;
    reason: string | undefined;
    fromClusterVersion: string;
    toClusterVersion: string;
    status: UpgradeStatus;
    scheduleRequestDate: number | undefined;
    ignoreMaintenanceSchedule: boolean;
    timers: TimerHandle[];
}

/** A queued outcome for the next upgrade (of one cluster, or of any) that reaches its window. */
export interface InjectedOutcome {
    readonly clusterIdentity: string | undefined;
    readonly status: InjectableOutcome;
    readonly reason: string;
}

const DEFAULT_REASONS: Record<InjectableOutcome, string> = {
    FAILED: "The upgrade did not meet its success criteria in the allotted time.",
    MISSED: "The upgrade did not start within its maintenance window.",
    SUPERSEDED: "The update channel version changed; the upgrade was superseded.",
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Validation failure of the POST body: 400 with every problem in `details`. */
export class InvalidRequestError extends SimulatorHttpError {
    constructor(
        message: string,
        readonly details: readonly string[],
    ) {
        super(400, "BAD_REQUEST", message);
    }
}

/** Schedules, reschedules, cancels and advances scheduled cluster upgrades. */
export class UpgradeScheduler {
    readonly upgrades: SimUpgrade[] = [];
    readonly injected: InjectedOutcome[] = [];
    /** Accepted POSTs: schedules and reschedules (for tests: "one upgrade object, updated"). */
    readonly accepted = { scheduled: 0, rescheduled: 0, cancelled: 0 };

    constructor(
        private readonly cloud: CloudState,
        private readonly clock: Clock,
        private readonly settings: () => AvisiRuntimeSettings,
        private readonly log: (line: string) => void,
    ) {}

    /** `POST /scheduled-cluster-upgrades`: schedule, or reschedule the cluster's open upgrade in place. */
    request(body: unknown): SimUpgrade {
        const { clusterIdentity, version, scheduleRequestDate, ignoreMaintenanceSchedule } = parseRequest(body);
        const cluster = this.cloud.clusterByIdentity(clusterIdentity);
        if (!cluster) throw new SimulatorHttpError(404, "NOT_FOUND", `Cluster ${clusterIdentity} not found.`);
        this.checkVersion(cluster, version);
        if (!ignoreMaintenanceSchedule) this.requireWindows(cluster);
        const running = this.upgrades.find((u) => u.clusterIdentity === cluster.identity && u.status === "IN_PROGRESS");
        if (running)
            throw new InvalidRequestError("An upgrade of this cluster is in progress; it cannot be rescheduled.", [
                `upgrade ${running.identity} is IN_PROGRESS`,
            ]);

        const now = this.clock.now();
        const open = this.upgrades.find((u) => u.clusterIdentity === cluster.identity && OPEN_STATUSES.includes(u.status));
        let upgrade: SimUpgrade;
        if (open) {
            this.clearTimers(open);
            Object.assign(open, {
                toClusterVersion: version,
                scheduleRequestDate,
                ignoreMaintenanceSchedule,
                status: "REQUESTED",
                modifiedAt: now,
                reason: undefined,
            });
            open.windowStart = open.windowEnd = undefined;
            upgrade = open;
            this.accepted.rescheduled++;
            this.log(`${cluster.slug}: upgrade ${upgrade.identity} rescheduled to ${version}`);
        } else {
            upgrade = {
                identity: randomUUID(),
                clusterIdentity: cluster.identity,
                createdAt: now,
                modifiedAt: now,
                windowStart: undefined,
                windowEnd: undefined,
                reason: undefined,
                fromClusterVersion: cluster.version,
                toClusterVersion: version,
                status: "REQUESTED",
                scheduleRequestDate,
                ignoreMaintenanceSchedule,
                timers: [],
            };
            this.upgrades.push(upgrade);
            this.accepted.scheduled++;
            this.log(`${cluster.slug}: upgrade ${upgrade.identity} requested ${cluster.version} → ${version}`);
        }
        if (this.settings().windowInPostResponse) this.fillWindow(upgrade);
        this.after(upgrade, this.settings().timings.scheduleMs, () => this.schedule(upgrade));
        return upgrade;
    }

    /** Cancel an open upgrade (`SUPERSEDED` with reason "cancelled", or removed, per settings). */
    cancel(identity: string): SimUpgrade | undefined {
        const upgrade = this.get(identity);
        if (!OPEN_STATUSES.includes(upgrade.status)) {
            throw new InvalidRequestError(`The upgrade is ${upgrade.status} and can no longer be cancelled.`, [`status ${upgrade.status}`]);
        }
        this.clearTimers(upgrade);
        this.accepted.cancelled++;
        if (this.settings().cancelledAs === "removed") {
            this.upgrades.splice(this.upgrades.indexOf(upgrade), 1);
            return undefined;
        }
        this.finish(upgrade, "SUPERSEDED", "cancelled");
        return upgrade;
    }

    get(identity: string): SimUpgrade {
        const upgrade = this.upgrades.find((u) => u.identity === identity);
        if (!upgrade) throw new SimulatorHttpError(404, "NOT_FOUND", `Scheduled cluster upgrade ${identity} not found.`);
        return upgrade;
    }

    /** Upgrades matching the comma-separated filters of the list endpoints. */
    list(filters: { clusterIdentities?: string | null; statuses?: string | null }): SimUpgrade[] {
        const split = (value: string | null | undefined) =>
            value
                ? value
                      .split(",")
                      .map((s) => s.trim())
                      .filter(Boolean)
                : undefined;
        const clusters = split(filters.clusterIdentities);
        const statuses = split(filters.statuses);
        return this.upgrades.filter(
            (u) => (!clusters || clusters.includes(u.clusterIdentity)) && (!statuses || statuses.includes(u.status)),
        );
    }

    /** Queue an outcome for the next upgrade (of `clusterIdentity`, or any) reaching its window. */
    inject(status: InjectableOutcome, clusterIdentity?: string, reason?: string): InjectedOutcome {
        const outcome = { clusterIdentity, status, reason: reason ?? DEFAULT_REASONS[status] };
        this.injected.push(outcome);
        return outcome;
    }

    /** The cluster's version was changed directly: its open upgrades no longer apply. */
    supersedeOpen(cluster: SimCluster, reason: string): void {
        for (const upgrade of this.upgrades) {
            if (upgrade.clusterIdentity === cluster.identity && OPEN_STATUSES.includes(upgrade.status))
                this.finish(upgrade, "SUPERSEDED", reason);
        }
    }

    stop(): void {
        for (const upgrade of this.upgrades) this.clearTimers(upgrade);
    }

    /** The API object (avisi.md §4). `windowStart`/`windowEnd` are null until the scheduler fills them. */
    json(upgrade: SimUpgrade): Record<string, unknown> {
        const cluster = this.cloud.clusterByIdentity(upgrade.clusterIdentity);
        const iso = (ms: number | undefined) => (ms === undefined ? null : new Date(ms).toISOString());
        return {
            identity: upgrade.identity,
            clusterIdentity: upgrade.clusterIdentity,
            createdAt: iso(upgrade.createdAt),
            modifiedAt: iso(upgrade.modifiedAt),
            windowStart: iso(upgrade.windowStart),
            windowEnd: iso(upgrade.windowEnd),
            reason: upgrade.reason ?? null,
            fromClusterVersion: upgrade.fromClusterVersion,
            toClusterVersion: upgrade.toClusterVersion,
            status: upgrade.status,
            clusterSlug: cluster?.slug,
            environmentSlug: cluster?.environmentSlug,
            organisationSlug: this.cloud.organisation,
            scheduleRequestDate: iso(upgrade.scheduleRequestDate),
            ignoreMaintenanceSchedule: upgrade.ignoreMaintenanceSchedule,
        };
    }

    private checkVersion(cluster: SimCluster, version: string): void {
        const target = parseKubeVersion(version);
        if (!target || !this.cloud.clusterVersions.includes(formatKubeVersion(target))) {
            throw new InvalidRequestError(`Unknown cluster version ${version}.`, [
                `available versions: ${this.cloud.clusterVersions.join(", ")}`,
            ]);
        }
        const refusal = upgradeRefusal(parseKubeVersion(cluster.version)!, target);
        if (refusal)
            throw new InvalidRequestError(`Cannot upgrade cluster ${cluster.slug} from ${cluster.version} to ${version}: ${refusal}`, [
                refusal,
            ]);
    }

    private requireWindows(cluster: SimCluster): void {
        const schedule = cluster.maintenanceScheduleIdentity
            ? this.cloud.schedules.find((s) => s.identity === cluster.maintenanceScheduleIdentity)
            : undefined;
        if (!schedule || schedule.windows.length === 0) {
            throw new InvalidRequestError(
                `Cluster ${cluster.slug} has no maintenance window; attach a maintenance schedule or set ignoreMaintenanceSchedule.`,
                ["no maintenance window"],
            );
        }
    }

    /** REQUESTED → SCHEDULED: pick the window and plan the rest. */
    private schedule(upgrade: SimUpgrade): void {
        if (upgrade.status !== "REQUESTED") return;
        if (!this.fillWindow(upgrade)) {
            this.finish(upgrade, "SUPERSEDED", "The cluster's maintenance schedule has no window any more.");
            return;
        }
        this.transition(upgrade, "SCHEDULED");
        const notifyAt = Math.max(this.clock.now(), upgrade.windowStart! - this.settings().timings.notifyBeforeMs);
        this.at(upgrade, notifyAt, () => upgrade.status === "SCHEDULED" && this.transition(upgrade, "SCHEDULED_NOTIFIED"));
        this.at(upgrade, upgrade.windowStart!, () => this.windowOpens(upgrade));
    }

    private windowOpens(upgrade: SimUpgrade): void {
        if (!OPEN_STATUSES.includes(upgrade.status)) return;
        const index = this.injected.findIndex((o) => o.clusterIdentity === undefined || o.clusterIdentity === upgrade.clusterIdentity);
        const outcome = index >= 0 ? this.injected.splice(index, 1)[0] : undefined;
        if (outcome?.status === "SUPERSEDED") return this.finish(upgrade, "SUPERSEDED", outcome.reason);
        if (outcome?.status === "MISSED") {
            if (upgrade.status === "SCHEDULED") this.transition(upgrade, "SCHEDULED_NOTIFIED");
            this.at(upgrade, upgrade.windowEnd!, () => this.finish(upgrade, "MISSED", outcome.reason));
            return;
        }
        this.transition(upgrade, "IN_PROGRESS");
        const doneAt = upgrade.windowStart! + this.settings().timings.upgradeMs;
        this.at(upgrade, Math.max(doneAt, this.clock.now()), () => {
            if (outcome?.status === "FAILED") return this.finish(upgrade, "FAILED", outcome.reason);
            const cluster = this.cloud.clusterByIdentity(upgrade.clusterIdentity);
            if (cluster) {
                cluster.version = upgrade.toClusterVersion;
                cluster.updateChannel = upgrade.toClusterVersion.split(".").slice(0, 2).join(".");
                cluster.modifiedAt = this.clock.now();
            }
            this.finish(upgrade, "SUCCEEDED", undefined);
        });
    }

    /** Compute the window from the schedule (or the request date); false when there is none. */
    private fillWindow(upgrade: SimUpgrade): boolean {
        const now = this.clock.now();
        const from = Math.max(upgrade.scheduleRequestDate ?? now, now);
        if (upgrade.ignoreMaintenanceSchedule) {
            upgrade.windowStart = from;
            upgrade.windowEnd = from + this.settings().timings.ignoredScheduleWindowMs;
            return true;
        }
        const cluster = this.cloud.clusterByIdentity(upgrade.clusterIdentity);
        const schedule = cluster?.maintenanceScheduleIdentity
            ? this.cloud.schedules.find((s) => s.identity === cluster.maintenanceScheduleIdentity)
            : undefined;
        const window = schedule ? nextWindow(schedule.windows, from) : undefined;
        if (!window) return false;
        upgrade.windowStart = window.startMs;
        upgrade.windowEnd = window.endMs;
        return true;
    }

    private transition(upgrade: SimUpgrade, status: UpgradeStatus): void {
        upgrade.status = status;
        upgrade.modifiedAt = this.clock.now();
        this.log(`upgrade ${upgrade.identity} ${status}`);
    }

    private finish(upgrade: SimUpgrade, status: UpgradeStatus, reason: string | undefined): void {
        this.clearTimers(upgrade);
        upgrade.reason = reason;
        this.transition(upgrade, status);
    }

    private after(upgrade: SimUpgrade, delayMs: number, callback: () => void): void {
        upgrade.timers.push(this.clock.setTimer(delayMs, callback));
    }

    private at(upgrade: SimUpgrade, epochMs: number, callback: () => void): void {
        this.after(upgrade, Math.max(0, epochMs - this.clock.now()), callback);
    }

    private clearTimers(upgrade: SimUpgrade): void {
        for (const timer of upgrade.timers) timer.cancel();
        upgrade.timers = [];
    }
}

function parseRequest(body: unknown): {
    clusterIdentity: string;
    version: string;
    scheduleRequestDate: number | undefined;
    ignoreMaintenanceSchedule: boolean;
} {
    const details: string[] = [];
    const fields = typeof body === "object" && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
    const { clusterIdentity, version, scheduleRequestDate, ignoreMaintenanceSchedule } = fields;
    if (typeof clusterIdentity !== "string" || !UUID.test(clusterIdentity)) details.push("clusterIdentity: must be a uuid");
    if (typeof version !== "string" || version.length < 1) details.push("version: must not be empty");
    let requestDate: number | undefined;
    if (scheduleRequestDate !== undefined && scheduleRequestDate !== null) {
        requestDate = typeof scheduleRequestDate === "string" ? Date.parse(scheduleRequestDate) : NaN;
        if (Number.isNaN(requestDate)) details.push("scheduleRequestDate: must be an ISO 8601 date-time");
    }
    if (ignoreMaintenanceSchedule !== undefined && ignoreMaintenanceSchedule !== null && typeof ignoreMaintenanceSchedule !== "boolean") {
        details.push("ignoreMaintenanceSchedule: must be a boolean");
    }
    if (details.length > 0) throw new InvalidRequestError("Invalid request parameters.", details);
    return {
        clusterIdentity: clusterIdentity as string,
        version: version as string,
        scheduleRequestDate: requestDate,
        ignoreMaintenanceSchedule: ignoreMaintenanceSchedule === true,
    };
}
