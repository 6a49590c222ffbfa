/**
 * Options of the Avi controller simulator: timings (with time compression), credentials, and the
 * knobs that pick a side of every fact avi.md labels inferred or unknown (see README.md).
 */
import type { Clock } from "../core/clock";
import { scaleTimings } from "../core/timings";

/** Durations of the simulated phases, in milliseconds of the simulator's clock. */
export interface AviTimings {
    /** Image processing after the upload: IMAGE_FSM_STARTED → IN_PROGRESS → COMPLETED/FAILED. */
    readonly imageProcessMs: number;
    /** Prechecks: PRE_CHECK_STARTED → IN_PROGRESS → SUCCESS/WARNING/ERROR. */
    readonly precheckMs: number;
    /** Each controller task (six of them, the reboot window comes after INSTALL_IMAGE). */
    readonly controllerTaskMs: number;
    /** Controller reboot window: connections refused this long. */
    readonly rebootMs: number;
    /** After the reboot the API answers 503 this long (services starting). */
    readonly warmupMs: number;
    /** Each SE group task (four per SE group; SE groups upgrade one after another). */
    readonly seGroupTaskMs: number;
    /** Automatic rollback after a controller error, and abort (ABORT_IN_PROGRESS → ABORTED). */
    readonly rollbackMs: number;
}

/** Default durations at `speed` 1: plausible orders of magnitude ([unknown] in avi.md §9). */
export const DEFAULT_AVI_TIMINGS: AviTimings = {
    imageProcessMs: 30_000,
    precheckMs: 20_000,
    controllerTaskMs: 60_000,
    rebootMs: 180_000,
    warmupMs: 30_000,
    seGroupTaskMs: 45_000,
    rollbackMs: 120_000,
};

/** A must-check finding the prechecks report (avi.md §5 `upgrade_readiness`). */
export interface PrecheckFinding {
    /** e.g. `SYSERR_DISK_SPACE_LOW`. */
    readonly check_code: string;
    readonly description: string;
}

/** Settings that can also be changed while the simulator runs (`configure()` / `PATCH /__sim/settings`). */
export interface AviRuntimeSettings {
    /** Session idle expiry in ms (login answer `controller.api_idle_timeout`, default 15 minutes). */
    readonly sessionIdleMs: number;
    /** Status for an expired or unknown session: 401 (default) or 419 (login timeout; both are retried by SDKs). */
    readonly expiredSessionStatus: 401 | 419;
    /** Rotate the CSRF token every N authenticated responses (new `csrftoken` cookie, old token void). 0 = never. */
    readonly rotateCsrfEvery: number;
    /** Answer a missing `X-Avi-Version` with 400 (default) instead of rendering in the controller's version. */
    readonly requireVersionHeader: boolean;
    /** `POST /api/upgrade` while an operation runs: status of the refusal ([unknown]; 409 default, 400 the alternative). */
    readonly busyStatus: 400 | 409;
    /** Body of an accepted `POST /api/upgrade` ([unknown]): a small JSON status (default) or an empty body. */
    readonly upgradeResponse: "status" | "empty";
    /** Answer to `POST /api/image`: the Image with its uuid (201, default) or a bare status without uuid (200). */
    readonly imageUploadResponse: "image" | "status";
    /**
     * What the controller-cluster record says once the controller is done while SE groups upgrade
     * ([inferred]): `CONTROLLER_COMPLETED` until every SE group is done (default), or
     * `COMPLETED` at once (the SE-group records alone then tell that the upgrade still runs).
     */
    readonly clusterWhileSeGroups: "controller-completed" | "completed";
    /** Findings of the prechecks: warnings stop an upgrade unless `skip_warnings`; errors always stop it. */
    readonly precheckWarnings: readonly PrecheckFinding[];
    readonly precheckErrors: readonly PrecheckFinding[];
    /** Paths that resume a suspended SE group ([unknown] real path). */
    readonly resumePaths: readonly string[];
    /** Phase durations. */
    readonly timings: AviTimings;
}

/** A simulated Service Engine group. */
export interface AviSeGroupSpec {
    readonly name: string;
    /** Default: derived from the name. */
    readonly uuid?: string;
    /** Service engines in the group (default 2). */
    readonly serviceEngines?: number;
}

/** Options for `startAviSimulator`. Every field is optional. */
export interface AviSimulatorOptions {
    /** Controller name in logs and the control API (default `controller-1`). */
    readonly name?: string;
    readonly host?: string;
    readonly port?: number;
    /** Login user (default `admin`). */
    readonly username?: string;
    /** Login password (default `admin`). */
    readonly password?: string;
    /** Installed version (default `22.1.3`), build number and build tag. */
    readonly version?: string;
    readonly buildNo?: number;
    /** Cookie the session also travels in besides `sessionid` (default `avi-sessionid`, as 20.1 answers). */
    readonly sessionCookieName?: string;
    /** SE groups (default: `Default-Group` and `sg-east`). */
    readonly seGroups?: readonly AviSeGroupSpec[];
    /** Tenants the controller knows besides `admin`. */
    readonly tenants?: readonly string[];
    readonly settings?: Partial<Omit<AviRuntimeSettings, "timings">>;
    /** Explicit durations win; missing ones come from {@link DEFAULT_AVI_TIMINGS} divided by `speed`. */
    readonly timings?: Partial<AviTimings>;
    /** Time compression for default durations (default 1). */
    readonly speed?: number;
    readonly clock?: Clock;
    readonly log?: (line: string) => void;
}

/** Resolve durations: explicit values win; defaults are divided by `speed`. */
export function resolveAviTimings(timings: Partial<AviTimings> = {}, speed = 1): AviTimings {
    return scaleTimings("Avi", DEFAULT_AVI_TIMINGS, timings, speed);
}

/** Resolve the runtime settings from options. */
export function resolveAviSettings(options: AviSimulatorOptions): AviRuntimeSettings {
    return validateAviSettings({
        sessionIdleMs: 15 * 60_000,
        expiredSessionStatus: 401,
        rotateCsrfEvery: 0,
        requireVersionHeader: true,
        busyStatus: 409,
        upgradeResponse: "status",
        imageUploadResponse: "image",
        clusterWhileSeGroups: "controller-completed",
        precheckWarnings: [],
        precheckErrors: [],
        resumePaths: ["/api/resumesegroup", "/api/upgrade/resumesegroup"],
        ...(options.settings ?? {}),
        timings: resolveAviTimings(options.timings, options.speed ?? 1),
    });
}

/** Check settings; returns them unchanged. @throws Error naming the bad field. */
export function validateAviSettings(settings: AviRuntimeSettings): AviRuntimeSettings {
    const oneOf = (field: string, value: unknown, allowed: readonly unknown[]) => {
        if (!allowed.includes(value))
            throw new Error(`[${field}] must be one of ${allowed.map((v) => JSON.stringify(v)).join(", ")}, got ${JSON.stringify(value)}.`);
    };
    if (!Number.isFinite(settings.sessionIdleMs) || settings.sessionIdleMs <= 0)
        throw new Error(`[sessionIdleMs] must be a positive number.`);
    if (!Number.isInteger(settings.rotateCsrfEvery) || settings.rotateCsrfEvery < 0)
        throw new Error(`[rotateCsrfEvery] must be a non-negative integer.`);
    oneOf("expiredSessionStatus", settings.expiredSessionStatus, [401, 419]);
    oneOf("requireVersionHeader", settings.requireVersionHeader, [true, false]);
    oneOf("busyStatus", settings.busyStatus, [400, 409]);
    oneOf("upgradeResponse", settings.upgradeResponse, ["status", "empty"]);
    oneOf("imageUploadResponse", settings.imageUploadResponse, ["image", "status"]);
    oneOf("clusterWhileSeGroups", settings.clusterWhileSeGroups, ["controller-completed", "completed"]);
    for (const field of ["precheckWarnings", "precheckErrors"] as const) {
        const list = settings[field];
        if (!Array.isArray(list) || list.some((f) => typeof f?.check_code !== "string" || typeof f?.description !== "string")) {
            throw new Error(`[${field}] must be a list of {check_code, description}.`);
        }
    }
    if (!Array.isArray(settings.resumePaths) || settings.resumePaths.some((p) => typeof p !== "string" || !p.startsWith("/api/"))) {
        throw new Error(`[resumePaths] must be a list of paths starting with /api/.`);
    }
    for (const [key, value] of Object.entries(settings.timings)) {
        if (!Number.isFinite(value) || value < 0) throw new Error(`[timings.${key}] must be a non-negative number, got ${value}.`);
    }
    return settings;
}
