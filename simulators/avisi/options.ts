/**
 * Options of the Avisi Cloud simulator: the organisation it starts with, the knobs that take either
 * side of each [inferred]/[unknown] fact (README.md lists them), and the scheduler's durations.
 */
import type { Clock } from "../core/clock";
import type { MaintenanceWindow } from "./windows";

/** Durations of the scheduler, in milliseconds of simulated time. */
export interface AvisiTimings {
    /** `REQUESTED` → `SCHEDULED` (the scheduler picks the window). */
    readonly scheduleMs: number;
    /** `SCHEDULED` → `SCHEDULED_NOTIFIED` this long before the window starts (at once when closer). */
    readonly notifyBeforeMs: number;
    /** `IN_PROGRESS` → `SUCCEEDED` (or `FAILED`). */
    readonly upgradeMs: number;
    /** Window length used with `ignoreMaintenanceSchedule` (no schedule to take it from) [inferred]. */
    readonly ignoredScheduleWindowMs: number;
}

/** Plausible durations [unknown]: the scheduler runs within a minute, an upgrade takes half an hour. */
export const DEFAULT_AVISI_TIMINGS: AvisiTimings = {
    scheduleMs: 30_000,
    notifyBeforeMs: 24 * 3_600_000,
    upgradeMs: 30 * 60_000,
    ignoredScheduleWindowMs: 4 * 3_600_000,
};

/** Knobs for the facts the reference marks [inferred] or [unknown]; changeable while running. */
export interface AvisiRuntimeSettings {
    /**
     * Serve `GET /api/v1/orgs/{org}/scheduled-cluster-upgrades[/{id}]` (by analogy with the admin API;
     * not public as far as known). Default true; false answers 404 like an unknown route.
     */
    readonly publicRead: boolean;
    /** Serve `DELETE /api/v1/orgs/{org}/scheduled-cluster-upgrades/{id}` (analogy). Default true; false answers 404. */
    readonly publicCancel: boolean;
    /** What a cancel leaves: `SUPERSEDED` with reason "cancelled" (default) or `removed` (the object is gone). */
    readonly cancelledAs: "SUPERSEDED" | "removed";
    /** The POST answer already carries `windowStart`/`windowEnd` (default false: filled by the scheduler later). */
    readonly windowInPostResponse: boolean;
    /** Page size of paged lists when the client sends no `size` (default 20). */
    readonly pageSize: number;
    readonly timings: AvisiTimings;
}

/** A cluster the simulator starts with. */
export interface AvisiClusterSpec {
    readonly slug: string;
    /** Environment slug (default `production`). */
    readonly environment?: string;
    /** Running version (default `1.30.6`). */
    readonly version?: string;
    /** Name of a maintenance schedule of {@link AvisiSimulatorOptions.schedules} attached to it (default: the first one). `null` = none. */
    readonly maintenanceSchedule?: string | null;
    /** Update channel name (default the running minor, e.g. `1.30`). */
    readonly updateChannel?: string;
    /** Cluster identity (default: a stable uuid derived from environment and slug). */
    readonly identity?: string;
}

/** A maintenance schedule the simulator starts with. */
export interface AvisiScheduleSpec {
    readonly name: string;
    readonly windows: readonly MaintenanceWindow[];
}

/** Options for `startAvisiSimulator`. Every field is optional. */
export interface AvisiSimulatorOptions {
    /** Name in logs and the control API (default `avisi-cloud`). */
    readonly name?: string;
    readonly host?: string;
    readonly port?: number;
    /** Organisation slug (default `acme`). */
    readonly organisation?: string;
    /** The personal access token accepted as `Authorization: Token <pat>`. */
    readonly token?: string;
    /** The token accepted by the admin API (default a fixed value; the user's PAT is not an admin). */
    readonly adminToken?: string;
    /** Clusters (default one cluster `k8s-prod` in `production` on 1.30.6). */
    readonly clusters?: readonly AvisiClusterSpec[];
    /** Maintenance schedules (default `weekly`: Tuesday 02:00 UTC, 4 hours). */
    readonly schedules?: readonly AvisiScheduleSpec[];
    /** Versions of `GET /api/v1/cluster-versions`. */
    readonly clusterVersions?: readonly string[];
    /** Simulated milliseconds per real millisecond (default 1); ignored when `clock` is given. */
    readonly timeScale?: number;
    /** Time source (default a {@link ScaledClock} with `timeScale`). Tests pass a `ManualClock`. */
    readonly clock?: Clock;
    readonly settings?: Partial<Omit<AvisiRuntimeSettings, "timings">>;
    readonly timings?: Partial<AvisiTimings>;
    readonly log?: (line: string) => void;
}

/** Defaults of the runtime settings. */
export const DEFAULT_AVISI_SETTINGS: Omit<AvisiRuntimeSettings, "timings"> = {
    publicRead: true,
    publicCancel: true,
    cancelledAs: "SUPERSEDED",
    windowInPostResponse: false,
    pageSize: 20,
};

/** Check a settings object; throws naming the bad field. */
export function validateAvisiSettings(settings: AvisiRuntimeSettings): AvisiRuntimeSettings {
    for (const key of ["publicRead", "publicCancel", "windowInPostResponse"] as const) {
        if (typeof settings[key] !== "boolean") throw new Error(`[${key}] must be true or false.`);
    }
    if (settings.cancelledAs !== "SUPERSEDED" && settings.cancelledAs !== "removed")
        throw new Error('[cancelledAs] must be "SUPERSEDED" or "removed".');
    if (!Number.isInteger(settings.pageSize) || settings.pageSize < 1 || settings.pageSize > 1000)
        throw new Error("[pageSize] must be an integer from 1 to 1000.");
    for (const [key, value] of Object.entries(settings.timings)) {
        if (typeof value !== "number" || !Number.isFinite(value) || value < 0)
            throw new Error(`[timings.${key}] must be a non-negative number of ms.`);
    }
    return settings;
}
