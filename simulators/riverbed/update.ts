/**
 * The appliance's update state machine (`GET /update`, `POST /update/init|start|reset`).
 *
 * ```text
 * IDLE --init--> INITIALIZING --initMs--> INITIALIZED --start--> RUNNING --runningMs-->
 *      (appliance reboots: connections refused for rebootMs, all tokens dropped)
 *      --> IDLE, new version, new update_history entry
 * INITIALIZING | RUNNING --(injected failure)--> FAILED_GRACEFUL | FAILED_CRITICAL
 * INITIALIZING | INITIALIZED | FAILED_GRACEFUL --reset--> (resetMs) --> IDLE
 * ```
 *
 * Choices for [unknown] vendor behaviour (riverbed.md §3–§6), all answered with
 * 400 `{error_id, error_text}`:
 * - `init` needs state IDLE and exactly one VALID image; it installs that image and reports its
 *   version as `target_version`. No version ordering is checked (same version or downgrade are allowed).
 * - `start` needs INITIALIZED.
 * - `reset` from IDLE or RUNNING is refused (`INVALID_STATE`); from FAILED_CRITICAL it is refused
 *   (`RESET_NOT_ALLOWED`: manual repair needed, which the control API's `repair` simulates). A
 *   second `reset` while one is pending is accepted and changes nothing.
 * - A failure injected for `init` ends INITIALIZING in the failure state; one injected for `start`
 *   ends RUNNING in the failure state without a reboot, on the old version.
 * - After a successful update the held images are removed (the installer consumes them), unless
 *   configured otherwise.
 */
import type { Clock, TimerGroup, TimerHandle } from "../core/clock";
import { SimulatorHttpError } from "../core/http-error";
import { RiverbedErrorIds } from "./constants";
import type { RiverbedImage } from "./images";

/** Update states of `npm.system_update` 2.0. */
export type RiverbedUpdateState = "IDLE" | "INITIALIZING" | "INITIALIZED" | "RUNNING" | "FAILED_GRACEFUL" | "FAILED_CRITICAL";

/** One `update_history` entry. */
export interface RiverbedHistoryEntry {
    /** Unix epoch seconds. */
    readonly time: number;
    readonly version: string;
}

/** The update object as the API returns it. */
export interface RiverbedUpdate {
    readonly state: RiverbedUpdateState;
    readonly state_description: string;
    /** Unix epoch seconds of the last state change. */
    readonly last_state_time: number;
    /** Present from `init` until the update finishes or is reset. */
    readonly target_version?: string;
    /** Oldest first; the first entry is the installation. */
    readonly update_history: readonly RiverbedHistoryEntry[];
}

/** Phases a failure can be injected into. */
export type RiverbedUpdatePhase = "init" | "start";
/** Failure outcomes. */
export type RiverbedUpdateFailure = "FAILED_GRACEFUL" | "FAILED_CRITICAL";

/** What the machine needs from the device. */
export interface UpdateMachineDeps {
    readonly clock: Clock;
    readonly timers: TimerGroup;
    readonly initialVersion: string;
    readonly timings: () => { initMs: number; runningMs: number; resetMs: number };
    readonly validImages: () => RiverbedImage[];
    /**
     * Take the appliance down for its reboot. `complete` must run when it comes back (before it
     * accepts connections again).
     */
    readonly reboot: (complete: () => void) => void;
    /** Called after every state change. */
    readonly onChange: (update: RiverbedUpdate) => void;
}

/** The update state machine of one appliance. */
export class RiverbedUpdateMachine {
    private state: RiverbedUpdateState = "IDLE";
    private description = "No update in progress";
    private lastStateTimeMs: number;
    private targetVersion: string | undefined;
    private targetImageId: number | undefined;
    private readonly history: RiverbedHistoryEntry[];
    private phaseTimer: TimerHandle | undefined;
    private resetPending = false;
    private readonly injected: Array<{ phase: RiverbedUpdatePhase; outcome: RiverbedUpdateFailure }> = [];

    constructor(private readonly deps: UpdateMachineDeps) {
        this.lastStateTimeMs = deps.clock.now();
        // The first history entry is the installation; pretend it happened 30 days ago.
        this.history = [{ time: toEpochSeconds(deps.clock.now() - 30 * 24 * 3600_000), version: deps.initialVersion }];
    }

    /** The installed version (the newest history entry). */
    get installedVersion(): string {
        return this.history[this.history.length - 1]!.version;
    }

    /** Id of the image the current update installs, if any. */
    get targetImage(): number | undefined {
        return this.targetImageId;
    }

    /** The update object as the API returns it. */
    snapshot(): RiverbedUpdate {
        return {
            state: this.state,
            state_description: this.description,
            last_state_time: toEpochSeconds(this.lastStateTimeMs),
            ...(this.targetVersion === undefined ? {} : { target_version: this.targetVersion }),
            update_history: this.history.map((entry) => ({ ...entry })),
        };
    }

    /** Make the next `phase` end in `outcome`. Calls queue up. */
    injectFailure(phase: RiverbedUpdatePhase, outcome: RiverbedUpdateFailure): void {
        this.injected.push({ phase, outcome });
    }

    /** Failures queued for future phases. */
    pendingFailures(): ReadonlyArray<{ phase: RiverbedUpdatePhase; outcome: RiverbedUpdateFailure }> {
        return this.injected.map((entry) => ({ ...entry }));
    }

    /** Drop queued failures. */
    clearInjectedFailures(): void {
        this.injected.length = 0;
    }

    /** `POST /update/init`. @throws SimulatorHttpError 400 on the wrong state or image count. */
    init(): void {
        this.requireState(["IDLE"], "init");
        const valid = this.deps.validImages();
        if (valid.length === 0) {
            throw new SimulatorHttpError(
                400,
                RiverbedErrorIds.noValidImage,
                "Cannot initialize the update: no VALID update image is present.",
            );
        }
        if (valid.length > 1) {
            throw new SimulatorHttpError(
                400,
                RiverbedErrorIds.multipleValidImages,
                `Cannot initialize the update: ${valid.length} VALID images are present (ids ${valid.map((image) => image.id).join(", ")}); delete all but one.`,
            );
        }
        const image = valid[0]!;
        this.setTarget(image.id, image.version);
        this.transition("INITIALIZING", `Initializing update to ${image.version}`);
        this.phaseTimer = this.deps.timers.after(this.deps.timings().initMs, () => {
            this.phaseTimer = undefined;
            const failure = this.takeInjected("init");
            if (failure !== undefined) this.fail(failure, "initialization");
            else this.transition("INITIALIZED", `Ready to update to ${image.version}`);
        });
    }

    /** `POST /update/start`. @throws SimulatorHttpError 400 unless INITIALIZED. */
    start(): void {
        this.requireState(["INITIALIZED"], "start");
        if (this.resetPending) {
            throw new SimulatorHttpError(400, RiverbedErrorIds.invalidState, "Cannot start the update: a reset is in progress.");
        }
        const target = this.targetVersion!;
        this.transition("RUNNING", `Updating to ${target}`);
        this.phaseTimer = this.deps.timers.after(this.deps.timings().runningMs, () => {
            this.phaseTimer = undefined;
            const failure = this.takeInjected("start");
            if (failure !== undefined) {
                this.fail(failure, "installation");
                return;
            }
            this.description = `Updating to ${target}: rebooting`;
            this.deps.reboot(() => this.completeUpdate(target));
        });
    }

    /** `POST /update/reset`. @throws SimulatorHttpError 400 from IDLE, RUNNING or FAILED_CRITICAL. */
    reset(): void {
        if (this.state === "FAILED_CRITICAL") {
            throw new SimulatorHttpError(
                400,
                RiverbedErrorIds.resetNotAllowed,
                "The update failed critically; reset is not possible, the appliance needs manual repair.",
            );
        }
        this.requireState(["INITIALIZING", "INITIALIZED", "FAILED_GRACEFUL"], "reset");
        if (this.resetPending) return;
        this.resetPending = true;
        this.phaseTimer?.cancel(); // an interrupted initialization never completes
        this.phaseTimer = undefined;
        this.description = `Resetting the update (was ${this.state})`;
        this.deps.onChange(this.snapshot());
        this.deps.timers.after(this.deps.timings().resetMs, () => {
            this.resetPending = false;
            this.setTarget(undefined, undefined);
            this.transition("IDLE", "No update in progress");
        });
    }

    /** Simulated manual repair (control API): any state → IDLE on the old version. */
    repair(): void {
        this.phaseTimer?.cancel();
        this.phaseTimer = undefined;
        this.resetPending = false;
        this.setTarget(undefined, undefined);
        this.transition("IDLE", "No update in progress (repaired)");
    }

    private completeUpdate(version: string): void {
        this.history.push({ time: toEpochSeconds(this.deps.clock.now()), version });
        this.setTarget(undefined, undefined);
        this.transition("IDLE", `Update to ${version} completed`);
    }

    private fail(outcome: RiverbedUpdateFailure, phase: string): void {
        const text =
            outcome === "FAILED_GRACEFUL"
                ? `Update failed during ${phase}; the system is unchanged (reset to recover)`
                : `Update failed critically during ${phase}; manual repair is required`;
        this.transition(outcome, text);
    }

    private takeInjected(phase: RiverbedUpdatePhase): RiverbedUpdateFailure | undefined {
        const index = this.injected.findIndex((entry) => entry.phase === phase);
        if (index < 0) return undefined;
        return this.injected.splice(index, 1)[0]!.outcome;
    }

    private requireState(allowed: readonly RiverbedUpdateState[], action: string): void {
        if (!allowed.includes(this.state)) {
            throw new SimulatorHttpError(
                400,
                RiverbedErrorIds.invalidState,
                `Cannot ${action} the update in state ${this.state}; allowed in ${allowed.join(", ")}.`,
            );
        }
    }

    private setTarget(imageId: number | undefined, version: string | undefined): void {
        this.targetImageId = imageId;
        this.targetVersion = version;
    }

    private transition(state: RiverbedUpdateState, description: string): void {
        this.state = state;
        this.description = description;
        this.lastStateTimeMs = this.deps.clock.now();
        this.deps.onChange(this.snapshot());
    }
}

function toEpochSeconds(ms: number): number {
    return Math.floor(ms / 1000);
}
