/**
 * Options of the Riverbed simulator and how defaults and time compression are resolved.
 */
import type { Clock } from "../core/clock";
import { scaleTimings } from "../core/timings";

/** Durations of the simulated phases, in milliseconds of the simulator's clock. */
export interface RiverbedTimings {
    /** Image VALIDATING → VALID/INVALID after the bytes have arrived. */
    readonly validateMs: number;
    /** Update INITIALIZING → INITIALIZED. */
    readonly initMs: number;
    /** Update RUNNING before the appliance goes down to reboot. */
    readonly runningMs: number;
    /** Reboot window: connections are refused this long. */
    readonly rebootMs: number;
    /** `reset` → IDLE. */
    readonly resetMs: number;
}

/**
 * Default phase durations at `speed` 1. The real durations are not documented ([unknown] in
 * riverbed.md §6); these are plausible orders of magnitude, meant to be compressed with `speed`.
 */
export const DEFAULT_RIVERBED_TIMINGS: RiverbedTimings = {
    validateMs: 20_000,
    initMs: 30_000,
    runningMs: 120_000,
    rebootMs: 180_000,
    resetMs: 5_000,
};

/** How `expires_at` is written in token responses. */
export type ExpiresAtFormat =
    /** Unix epoch seconds, as the mgmt.aaa 2.0 schema says (default). */
    | "epoch-seconds"
    /** Token lifetime in seconds (`expires_at: 900`), as the AppResponse auth page's example shows. */
    | "lifetime-seconds";

/**
 * What `POST images/upload` and `POST images/fetch` answer. The reference says the reply "returns
 * an image data object" [doc] and carries `id` [code], not which fields are present at that moment.
 */
export type UploadReply =
    /** The whole image object (default). */
    | "image"
    /** Only `{"id": N}`: clients must read the image with `GET images/items/{id}`. */
    | "id-only";

/** Settings that can also be changed while the simulator runs (`configure()` / `PATCH /__sim/settings`). */
export interface RiverbedRuntimeSettings {
    /** Access-token lifetime in ms (real appliance: 15 minutes). */
    readonly accessTokenTtlMs: number;
    /** Refresh tokens expire after this long without use, in ms (real appliance: 60 minutes). */
    readonly refreshTokenIdleMs: number;
    /** At most this many refresh tokens per user; issuing one more revokes the oldest (real: 25). */
    readonly maxRefreshTokensPerUser: number;
    /** An upload or fetch that moves no data for this long is dropped and becomes UPLOAD_ERROR, in ms. */
    readonly transferIdleTimeoutMs: number;
    /** Format of `expires_at` in token responses. */
    readonly expiresAtFormat: ExpiresAtFormat;
    /** What upload and fetch replies carry (default `image`). */
    readonly uploadReply: UploadReply;
    /** Whether tokens survive a reboot ([unknown]; default false: every token is dropped). */
    readonly tokensSurviveReboot: boolean;
    /** Phase durations. */
    readonly timings: RiverbedTimings;
}

/** Options for `startRiverbedSimulator`. Every field is optional. */
export interface RiverbedSimulatorOptions {
    /** Device name in logs and the control API (default `device-1`). */
    readonly name?: string;
    /** Interface to listen on (default `127.0.0.1`). */
    readonly host?: string;
    /** Port (default 0 = any free port). Kept across reboots. */
    readonly port?: number;
    /** Login user name (default `admin`). */
    readonly username?: string;
    /** Login password (default `admin`). */
    readonly password?: string;
    /** Installed version at start (default `11.6.0 #23947`). */
    readonly version?: string;
    /** Product name expected in image headers (default `AppResponse`). */
    readonly product?: string;
    /** Access-token lifetime in ms (default 15 minutes). */
    readonly accessTokenTtlMs?: number;
    /** Refresh-token idle lifetime in ms (default 60 minutes). */
    readonly refreshTokenIdleMs?: number;
    /** Refresh tokens kept per user (default 25). */
    readonly maxRefreshTokensPerUser?: number;
    /** Idle timeout for uploads and fetches in ms (default 60 s). */
    readonly transferIdleTimeoutMs?: number;
    /** Format of `expires_at` (default `epoch-seconds`). */
    readonly expiresAtFormat?: ExpiresAtFormat;
    /** What upload and fetch replies carry (default `image`; `id-only` answers `{"id": N}`). */
    readonly uploadReply?: UploadReply;
    /** Keep tokens across reboots (default false). */
    readonly tokensSurviveReboot?: boolean;
    /**
     * Phase durations in ms. Values given here are used as-is; missing ones come from
     * {@link DEFAULT_RIVERBED_TIMINGS} divided by `speed`.
     */
    readonly timings?: Partial<RiverbedTimings>;
    /** Time compression for default phase durations: 10 makes them ten times shorter (default 1). */
    readonly speed?: number;
    /** Keep uploaded images across a reboot (default false: images vanish after an update). */
    readonly keepImagesAcrossReboot?: boolean;
    /** Allow `images/fetch` from non-loopback hosts (default false: loopback only). */
    readonly allowRemoteFetch?: boolean;
    /** Time source (default: the wall clock). Use `ManualClock` in tests to step through time. */
    readonly clock?: Clock;
    /** Receives one line per notable event. Default: silent. */
    readonly log?: (line: string) => void;
}

/** Resolve phase durations: explicit values win; defaults are divided by `speed`. */
export function resolveTimings(timings: Partial<RiverbedTimings> = {}, speed = 1): RiverbedTimings {
    return scaleTimings("Riverbed", DEFAULT_RIVERBED_TIMINGS, timings, speed);
}

/** Resolve the runtime settings from options. */
export function resolveRuntimeSettings(options: RiverbedSimulatorOptions): RiverbedRuntimeSettings {
    return validateRuntimeSettings({
        accessTokenTtlMs: options.accessTokenTtlMs ?? 15 * 60_000,
        refreshTokenIdleMs: options.refreshTokenIdleMs ?? 60 * 60_000,
        maxRefreshTokensPerUser: options.maxRefreshTokensPerUser ?? 25,
        transferIdleTimeoutMs: options.transferIdleTimeoutMs ?? 60_000,
        expiresAtFormat: options.expiresAtFormat ?? "epoch-seconds",
        uploadReply: options.uploadReply ?? "image",
        tokensSurviveReboot: options.tokensSurviveReboot ?? false,
        timings: resolveTimings(options.timings, options.speed ?? 1),
    });
}

/** Check runtime settings; returns them unchanged. @throws Error naming the bad field. */
export function validateRuntimeSettings(settings: RiverbedRuntimeSettings): RiverbedRuntimeSettings {
    const positive: Array<keyof RiverbedRuntimeSettings> = ["accessTokenTtlMs", "refreshTokenIdleMs", "transferIdleTimeoutMs"];
    for (const key of positive) {
        const value = settings[key];
        if (typeof value !== "number" || !Number.isFinite(value) || value <= 0) {
            throw new Error(`Riverbed simulator [${key}] must be a positive number, got ${JSON.stringify(value)}.`);
        }
    }
    if (!Number.isInteger(settings.maxRefreshTokensPerUser) || settings.maxRefreshTokensPerUser < 1) {
        throw new Error(
            `Riverbed simulator [maxRefreshTokensPerUser] must be a positive integer, got ${JSON.stringify(settings.maxRefreshTokensPerUser)}.`,
        );
    }
    if (settings.expiresAtFormat !== "epoch-seconds" && settings.expiresAtFormat !== "lifetime-seconds") {
        throw new Error(
            `Riverbed simulator [expiresAtFormat] must be "epoch-seconds" or "lifetime-seconds", got ${JSON.stringify(settings.expiresAtFormat)}.`,
        );
    }
    if (settings.uploadReply !== "image" && settings.uploadReply !== "id-only") {
        throw new Error(`Riverbed simulator [uploadReply] must be "image" or "id-only", got ${JSON.stringify(settings.uploadReply)}.`);
    }
    if (typeof settings.tokensSurviveReboot !== "boolean") {
        throw new Error(`Riverbed simulator [tokensSurviveReboot] must be a boolean, got ${JSON.stringify(settings.tokensSurviveReboot)}.`);
    }
    resolveTimings(settings.timings); // validates every explicit value
    return settings;
}
