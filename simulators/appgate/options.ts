/**
 * Options of the Appgate simulator and how defaults and time compression are resolved.
 */
import type { Clock } from "../core/clock";
import { scaleTimings } from "../core/timings";

/** Durations of the simulated upgrade phases, in milliseconds of the simulator's clock. */
export interface AppgateTimings {
    /**
     * After a prepare is accepted, `GET .../upgrade` still reads `idle` this long before `started`
     * (the race sdpctl#319 hit). 0 = no race.
     */
    readonly idleAfterPrepareMs: number;
    /** `started` → `downloading`. */
    readonly startMs: number;
    /** Minimum time in `downloading` (the real transfer of the image runs meanwhile). */
    readonly downloadMs: number;
    /** `verifying` → `ready` (or `failed`). */
    readonly verifyMs: number;
    /** `installing` → `success`, or → reboot when `switchPartition` was requested. */
    readonly installMs: number;
    /** Reboot window: the appliance is unreachable this long. */
    readonly rebootMs: number;
    /** Cancel (DELETE) → `idle`. */
    readonly cancelMs: number;
}

/**
 * Default phase durations at `speed` 1. Real durations are not documented ([unknown] in
 * appgate.md §8); these are plausible orders of magnitude (sdpctl's per-appliance budgets are 30
 * minutes for prepare and complete), meant to be compressed with `speed`.
 */
export const DEFAULT_APPGATE_TIMINGS: AppgateTimings = {
    idleAfterPrepareMs: 3_000,
    startMs: 2_000,
    downloadMs: 120_000,
    verifyMs: 60_000,
    installMs: 300_000,
    rebootMs: 240_000,
    cancelMs: 5_000,
};

/** When the change record of an accepted prepare completes ([infer]: sdpctl only polls it). */
export type PrepareChangeCompletion =
    /** Once the appliance has taken the job (it reaches `downloading`; default). */
    | "downloading"
    /** At once, when the prepare is accepted: the record reads `completed` while the status may still read `idle`. */
    | "accepted"
    /** When the preparation ends: `success` at `ready`, `failure` (with its reason) at `failed`. */
    | "ready";

/** How the controller answers requests about an appliance that is rebooting ([unknown]). */
export type RebootingApplianceReplies =
    /** Upgrade calls get a JSON 502 `{id: "bad gateway"}`; the appliance object still reads (default). */
    | "json-502"
    /** Every request about the appliance (`GET /appliances/{id}`, upgrade, change) gets a plain-text `502 Bad Gateway`. */
    | "plain-502-every-call";

/** Settings that can also be changed while the simulator runs (`configure()` / `PATCH /__sim/settings`). */
export interface AppgateRuntimeSettings {
    /** Lifetime of login tokens in ms (real: [unknown]; default one hour). */
    readonly tokenTtlMs: number;
    /**
     * How many peer versions below the controller's own it accepts (real: at least two). 0 makes
     * every client renegotiate after a controller upgrade.
     */
    readonly peerVersionsBack: number;
    /** While the primary controller installs an upgrade, its admin API answers 502 (services stopped). */
    readonly controllerDownWhileInstalling: boolean;
    /**
     * After each accepted prepare, `GET .../upgrade` answers `idle` for this many reads whatever the
     * appliance is doing and whatever the change record says (sdpctl#319 taken to its worst; default 0).
     */
    readonly idleAfterPrepareReads: number;
    /** When the prepare's change record completes (default `downloading`). */
    readonly prepareChangeCompletes: PrepareChangeCompletion;
    /** Requests about a rebooting appliance (default `json-502`). */
    readonly rebootingApplianceReplies: RebootingApplianceReplies;
    /** Status of a prepare refused because the appliance is busy: 412 (documented precondition, default) or 409 (what sdpctl expects). */
    readonly busyPrepareStatus: 409 | 412;
    /** Whether tokens survive the controller's reboot ([unknown]; default false). */
    readonly tokensSurviveReboot: boolean;
    /**
     * What a failed change record says ([infer]): the appliance's own reason (default `appliance`),
     * or only a generic `generic` text, so clients must read the upgrade status for the reason.
     */
    readonly changeFailureDetails: "appliance" | "generic";
    /** Phase durations. */
    readonly timings: AppgateTimings;
}

/** Role of a simulated appliance. */
export type AppgateRole = "controller" | "gateway" | "logServer" | "logForwarder" | "connector" | "portal";

/** One appliance of the simulated collective. */
export interface AppgateApplianceSpec {
    /** Appliance name, e.g. `gateway-1`; must be unique. */
    readonly name: string;
    /** Role (default `gateway`). */
    readonly role?: AppgateRole;
    /** Site name (default `Default Site`). Sites get stable ids derived from their names. */
    readonly site?: string;
    /** Installed version, e.g. `6.2.1+30002` (default: the simulator's `version`). */
    readonly version?: string;
    /** Active volume (partition) number, 1 or 2 (default 1). */
    readonly volumeNumber?: 1 | 2;
    /** Appliance id (default: a stable uuid derived from the name). */
    readonly id?: string;
    /** Host name (default `<name>.sdp.sim`). */
    readonly hostname?: string;
}

/** Options for `startAppgateSimulator`. Every field is optional. */
export interface AppgateSimulatorOptions {
    /** Simulator name in logs and the control API (default `collective-1`). */
    readonly name?: string;
    /** Interface to listen on (default `127.0.0.1`). */
    readonly host?: string;
    /** Port of the controller's admin API (default 0 = any free port). Kept across reboots. */
    readonly port?: number;
    /** Admin user name (default `admin`). */
    readonly username?: string;
    /** Admin password (default `admin`). */
    readonly password?: string;
    /** Identity provider name the admin logs in with (default `local`). */
    readonly identityProvider?: string;
    /** Version every appliance runs unless its spec says otherwise (default `6.3.2+36260`). */
    readonly version?: string;
    /**
     * The appliances. The first controller is the primary: it serves the admin API, so its reboot
     * closes the listener. Default: `controller-1`, `gateway-1`, `gateway-2` in `Default Site`.
     */
    readonly appliances?: readonly AppgateApplianceSpec[];
    /** Token lifetime in ms (default one hour). */
    readonly tokenTtlMs?: number;
    /** Peer versions accepted below the controller's own (default 2). */
    readonly peerVersionsBack?: number;
    /** Admin API answers 502 while the primary controller installs (default true). */
    readonly controllerDownWhileInstalling?: boolean;
    /** `idle` answers after each accepted prepare, counted in status reads (default 0). */
    readonly idleAfterPrepareReads?: number;
    /** When a prepare's change record completes (default `downloading`). */
    readonly prepareChangeCompletes?: PrepareChangeCompletion;
    /** Requests about a rebooting appliance (default `json-502`). */
    readonly rebootingApplianceReplies?: RebootingApplianceReplies;
    /** Status of a prepare refused while busy (default 412). */
    readonly busyPrepareStatus?: 409 | 412;
    /** Keep tokens across the controller's reboot (default false). */
    readonly tokensSurviveReboot?: boolean;
    /** What a failed change record says (default `appliance`: the same reason as the upgrade status). */
    readonly changeFailureDetails?: "appliance" | "generic";
    /** Phase durations in ms; explicit values are used as given, missing ones are the defaults divided by `speed`. */
    readonly timings?: Partial<AppgateTimings>;
    /** Time compression for default phase durations (default 1). */
    readonly speed?: number;
    /** Allow image downloads from non-loopback hosts (default false). */
    readonly allowRemoteFetch?: boolean;
    /** Idle timeout of image downloads in ms (default 60 s). */
    readonly downloadIdleTimeoutMs?: number;
    /** Time source (default: the wall clock). */
    readonly clock?: Clock;
    /** Receives one line per notable event. Default: silent. */
    readonly log?: (line: string) => void;
}

/** Resolve phase durations: explicit values win; defaults are divided by `speed`. */
export function resolveAppgateTimings(timings: Partial<AppgateTimings> = {}, speed = 1): AppgateTimings {
    return scaleTimings("Appgate", DEFAULT_APPGATE_TIMINGS, timings, speed);
}

/** Resolve the runtime settings from options. */
export function resolveAppgateSettings(options: AppgateSimulatorOptions): AppgateRuntimeSettings {
    return validateAppgateSettings({
        tokenTtlMs: options.tokenTtlMs ?? 60 * 60_000,
        peerVersionsBack: options.peerVersionsBack ?? 2,
        controllerDownWhileInstalling: options.controllerDownWhileInstalling ?? true,
        idleAfterPrepareReads: options.idleAfterPrepareReads ?? 0,
        prepareChangeCompletes: options.prepareChangeCompletes ?? "downloading",
        rebootingApplianceReplies: options.rebootingApplianceReplies ?? "json-502",
        busyPrepareStatus: options.busyPrepareStatus ?? 412,
        tokensSurviveReboot: options.tokensSurviveReboot ?? false,
        changeFailureDetails: options.changeFailureDetails ?? "appliance",
        timings: resolveAppgateTimings(options.timings, options.speed ?? 1),
    });
}

/** Check runtime settings; returns them unchanged. @throws Error naming the bad field. */
export function validateAppgateSettings(settings: AppgateRuntimeSettings): AppgateRuntimeSettings {
    if (typeof settings.tokenTtlMs !== "number" || !Number.isFinite(settings.tokenTtlMs) || settings.tokenTtlMs <= 0) {
        throw new Error(`Appgate simulator [tokenTtlMs] must be a positive number, got ${JSON.stringify(settings.tokenTtlMs)}.`);
    }
    if (!Number.isInteger(settings.peerVersionsBack) || settings.peerVersionsBack < 0) {
        throw new Error(
            `Appgate simulator [peerVersionsBack] must be a non-negative integer, got ${JSON.stringify(settings.peerVersionsBack)}.`,
        );
    }
    if (typeof settings.controllerDownWhileInstalling !== "boolean") {
        throw new Error(
            `Appgate simulator [controllerDownWhileInstalling] must be a boolean, got ${JSON.stringify(settings.controllerDownWhileInstalling)}.`,
        );
    }
    if (!Number.isInteger(settings.idleAfterPrepareReads) || settings.idleAfterPrepareReads < 0) {
        throw new Error(
            `Appgate simulator [idleAfterPrepareReads] must be a non-negative integer, got ${JSON.stringify(settings.idleAfterPrepareReads)}.`,
        );
    }
    const oneOf = (key: keyof AppgateRuntimeSettings, allowed: readonly unknown[]) => {
        if (!allowed.includes(settings[key])) {
            throw new Error(
                `Appgate simulator [${key}] must be one of ${allowed.map((a) => JSON.stringify(a)).join(", ")}, got ${JSON.stringify(settings[key])}.`,
            );
        }
    };
    oneOf("prepareChangeCompletes", ["downloading", "accepted", "ready"]);
    oneOf("rebootingApplianceReplies", ["json-502", "plain-502-every-call"]);
    oneOf("busyPrepareStatus", [409, 412]);
    oneOf("tokensSurviveReboot", [true, false]);
    oneOf("changeFailureDetails", ["appliance", "generic"]);
    resolveAppgateTimings(settings.timings); // validates every value
    return settings;
}
