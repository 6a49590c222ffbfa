/**
 * Options of the Unity simulator, its runtime settings (changeable through `PATCH /__sim/settings`)
 * and how defaults and time compression are resolved.
 */
import type { Clock } from "../core/clock";
import { scaleTimings } from "../core/timings";

/** Durations of the simulated upgrade tasks, in ms of the simulator's clock. */
export interface UnityTimings {
    /** "Preparing system". */
    readonly prepareMs: number;
    /** "Performing health checks". */
    readonly healthCheckMs: number;
    /** "Preinstall" (the pause point of `pauseBeforeReboot` comes after it). */
    readonly preinstallMs: number;
    /** "Rebooting the primary SP": the management failover window. */
    readonly primaryRebootMs: number;
    /** "Rebooting the peer SP" (management stays up on the upgraded primary). */
    readonly peerRebootMs: number;
    /** "Post-upgrade tasks". */
    readonly postMs: number;
}

/**
 * Defaults at `speed` 1. Real durations are [unknown] (an hour or more is common for an NDU); these
 * are plausible orders of magnitude meant to be compressed with `speed`.
 */
export const DEFAULT_UNITY_TIMINGS: UnityTimings = {
    prepareMs: 30_000,
    healthCheckMs: 60_000,
    preinstallMs: 300_000,
    primaryRebootMs: 600_000,
    peerRebootMs: 600_000,
    postMs: 120_000,
};

/**
 * How the management failover during the primary-SP reboot looks to a client ([inferred]):
 * `unreachable` closes the listener and resets connections (ECONNREFUSED/ECONNRESET);
 * `503` keeps answering, with 503 and the error body. Both invalidate every login and CSRF token.
 */
export type UnityFailoverMode = "unreachable" | "503";

/**
 * How a failed `verifyUpgradeEligibility` answers ([unknown]): `messages` = 200 with ERROR-severity
 * messages in its output (default); `error` = 422 with the `{"error":{...}}` body.
 */
export type UnityEligibilityFailureStyle = "messages" | "error";

/** Settings that can be changed while the simulator runs. */
export interface UnityRuntimeSettings {
    readonly timings: UnityTimings;
    readonly failoverMode: UnityFailoverMode;
    /** A degraded component: eligibility fails naming it, and so does a session's health check. Empty = healthy. */
    readonly degradedComponent: string;
    readonly eligibilityFailureStyle: UnityEligibilityFailureStyle;
    /** Send `EMC-CSRF-TOKEN` on every authenticated GET, not only on the login GET ([unknown]; default false). */
    readonly csrfOnEveryGet: boolean;
    /** Keep the candidate after a completed upgrade ([unknown]; default false: the slot empties). */
    readonly keepCandidateAfterUpgrade: boolean;
    /** A new upload gets a new candidate id ([unknown]; default true). False reuses the slot's id. */
    readonly newCandidateIdPerUpload: boolean;
    /** Login idle timeout in seconds (documented example: 3600). */
    readonly idleTimeoutSeconds: number;
}

/** Options of `startUnitySimulator`. Every field is optional. */
export interface UnitySimulatorOptions extends Partial<Omit<UnityRuntimeSettings, "timings">> {
    /** Device name in logs and the control API (default `unity-1`). */
    readonly name?: string;
    readonly host?: string;
    readonly port?: number;
    /** Default `admin`. */
    readonly username?: string;
    /** Default `Password123!`. */
    readonly password?: string;
    /** Installed version at start (default `5.2.1.0.5.011`). */
    readonly version?: string;
    readonly model?: string;
    /** Explicit durations win; missing ones are the defaults divided by `speed`. */
    readonly timings?: Partial<UnityTimings>;
    /** Time compression for default durations (default 1). */
    readonly speed?: number;
    readonly clock?: Clock;
    readonly log?: (line: string) => void;
}

/** Resolve durations: explicit values win; defaults are divided by `speed`. */
export function resolveUnityTimings(timings: Partial<UnityTimings> = {}, speed = 1): UnityTimings {
    return scaleTimings("Unity", DEFAULT_UNITY_TIMINGS, timings, speed);
}

/** Resolve the runtime settings from options. */
export function resolveUnitySettings(options: UnitySimulatorOptions): UnityRuntimeSettings {
    return validateUnitySettings({
        timings: resolveUnityTimings(options.timings, options.speed ?? 1),
        failoverMode: options.failoverMode ?? "unreachable",
        degradedComponent: options.degradedComponent ?? "",
        eligibilityFailureStyle: options.eligibilityFailureStyle ?? "messages",
        csrfOnEveryGet: options.csrfOnEveryGet ?? false,
        keepCandidateAfterUpgrade: options.keepCandidateAfterUpgrade ?? false,
        newCandidateIdPerUpload: options.newCandidateIdPerUpload ?? true,
        idleTimeoutSeconds: options.idleTimeoutSeconds ?? 3600,
    });
}

/** Check settings; returns them unchanged. @throws Error naming the bad field. */
export function validateUnitySettings(settings: UnityRuntimeSettings): UnityRuntimeSettings {
    if (settings.failoverMode !== "unreachable" && settings.failoverMode !== "503") {
        throw new Error(`Unity simulator [failoverMode] must be "unreachable" or "503", got ${JSON.stringify(settings.failoverMode)}.`);
    }
    if (settings.eligibilityFailureStyle !== "messages" && settings.eligibilityFailureStyle !== "error") {
        throw new Error(
            `Unity simulator [eligibilityFailureStyle] must be "messages" or "error", got ${JSON.stringify(settings.eligibilityFailureStyle)}.`,
        );
    }
    if (typeof settings.degradedComponent !== "string") throw new Error(`Unity simulator [degradedComponent] must be a string.`);
    for (const key of ["csrfOnEveryGet", "keepCandidateAfterUpgrade", "newCandidateIdPerUpload"] as const) {
        if (typeof settings[key] !== "boolean")
            throw new Error(`Unity simulator [${key}] must be true or false, got ${JSON.stringify(settings[key])}.`);
    }
    if (!(settings.idleTimeoutSeconds > 0)) throw new Error(`Unity simulator [idleTimeoutSeconds] must be a positive number.`);
    resolveUnityTimings(settings.timings);
    return settings;
}
