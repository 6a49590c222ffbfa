/**
 * One simulated Riverbed AppResponse appliance, and fleets of them.
 *
 * @example
 * ```ts
 * const sim = await startRiverbedSimulator({ accessTokenTtlMs: 2_000, timings: { rebootMs: 300 }, speed: 100 });
 * // ... drive sim.url with a client ...
 * expect(sim.calls.succeeded("update.start")).toBe(1);
 * await sim.stop();
 * ```
 */
import { SimulatedAppliance } from "../core/simulated-appliance";
import { SystemClock, TimerGroup, type Clock } from "../core/clock";
import { DeviceServer } from "../core/device-server";
import { startNamedFleet, type Fleet } from "../core/fleet";
import { TokenStore } from "../core/tokens";
import { RiverbedAuth } from "./auth";
import { RIVERBED_DEFAULT_VERSION, RIVERBED_PRODUCT, RiverbedPaths } from "./constants";
import { buildRiverbedControlRoutes, type RiverbedSettingsPatch } from "./control-routes";
import { RiverbedImageStore, type RiverbedImage, type RiverbedImageFailure } from "./images";
import { resolveRuntimeSettings, validateRuntimeSettings, type RiverbedRuntimeSettings, type RiverbedSimulatorOptions } from "./options";
import { buildRiverbedRoutes } from "./routes";
import type { TransferDeps } from "./transfers";
import { RiverbedUpdateMachine, type RiverbedUpdate, type RiverbedUpdateFailure, type RiverbedUpdatePhase } from "./update";

/** Events of a {@link RiverbedSimulator}. */
export interface RiverbedSimulatorEvents {
    /** The appliance went down (reboot window began): connections are refused from now on. */
    offline: [];
    /** The appliance accepts connections again. */
    online: [];
    /** The update object changed. */
    "update-state": [RiverbedUpdate];
    /** An image changed state. */
    "image-state": [RiverbedImage];
}

/** Everything observable about the simulator, as `GET /__sim/state` returns it. */
export interface RiverbedSimulatorSnapshot {
    readonly name: string;
    readonly url: string;
    readonly online: boolean;
    readonly product: string;
    /** Installed version. */
    readonly version: string;
    readonly update: RiverbedUpdate;
    readonly images: readonly RiverbedImage[];
    readonly settings: RiverbedRuntimeSettings;
    readonly tokens: { readonly access: number; readonly refresh: number };
    readonly injected: {
        readonly images: readonly RiverbedImageFailure[];
        readonly update: ReadonlyArray<{ phase: RiverbedUpdatePhase; outcome: RiverbedUpdateFailure }>;
    };
}

/** A running simulated appliance. Create it with {@link startRiverbedSimulator}. */
export class RiverbedSimulator extends SimulatedAppliance<RiverbedSimulatorEvents> {
    readonly name: string;
    /** Login user name. */
    readonly username: string;
    /** Login password. */
    readonly password: string;
    readonly product: string;

    private settings: RiverbedRuntimeSettings;
    private readonly clock: Clock;
    private readonly timers: TimerGroup;
    protected readonly server: DeviceServer;
    private readonly auth: RiverbedAuth;
    private readonly imageStore: RiverbedImageStore;
    private readonly updateMachine: RiverbedUpdateMachine;
    private readonly stopCleanups = new Set<() => void>();
    private readonly keepImagesAcrossReboot: boolean;

    private constructor(options: RiverbedSimulatorOptions) {
        super();
        this.name = options.name ?? "device-1";
        this.username = options.username ?? "admin";
        this.password = options.password ?? "admin";
        this.product = options.product ?? RIVERBED_PRODUCT;
        this.keepImagesAcrossReboot = options.keepImagesAcrossReboot ?? false;
        this.settings = resolveRuntimeSettings(options);
        this.clock = options.clock ?? new SystemClock();
        this.timers = new TimerGroup(this.clock);
        this.auth = new RiverbedAuth(
            new TokenStore(this.clock),
            this.clock,
            { username: this.username, password: this.password },
            () => this.settings,
        );
        this.imageStore = new RiverbedImageStore({
            timers: this.timers,
            product: this.product,
            validateMs: () => this.settings.timings.validateMs,
            onChange: (image) => this.emit("image-state", image),
        });
        this.updateMachine = new RiverbedUpdateMachine({
            clock: this.clock,
            timers: this.timers,
            initialVersion: options.version ?? RIVERBED_DEFAULT_VERSION,
            timings: () => this.settings.timings,
            validImages: () => this.imageStore.validImages(),
            reboot: (complete) => this.rebootForUpdate(complete),
            onChange: (update) => this.emit("update-state", update),
        });
        const transfers: TransferDeps = {
            images: this.imageStore,
            idleTimeoutMs: () => this.settings.transferIdleTimeoutMs,
            allowRemoteFetch: options.allowRemoteFetch ?? false,
            uploadReply: () => this.settings.uploadReply,
            onStop: (cleanup) => {
                this.stopCleanups.add(cleanup);
                return () => this.stopCleanups.delete(cleanup);
            },
        };
        this.server = new DeviceServer({
            name: this.name,
            host: options.host,
            port: options.port,
            clock: this.clock,
            log: options.log,
            routes: buildRiverbedRoutes({ auth: this.auth, images: this.imageStore, update: this.updateMachine, transfers }),
            controlRoutes: buildRiverbedControlRoutes(this),
            formatError: (_status, code, message) => ({ error_id: code, error_text: message }),
            defaultRebootMs: () => this.settings.timings.rebootMs,
        });
        this.server.on("offline", () => {
            // A rebooting appliance forgets its sessions ([unknown]: `tokensSurviveReboot` keeps them) and drops the downloads it was running.
            if (!this.settings.tokensSurviveReboot) this.auth.revokeAll();
            this.imageStore.abortTransfers("the appliance rebooted");
            this.emit("offline");
        });
        this.server.on("online", () => this.emit("online"));
    }

    /** Create and start a simulator; resolves once it listens. */
    static async start(options: RiverbedSimulatorOptions = {}): Promise<RiverbedSimulator> {
        const simulator = new RiverbedSimulator(options);
        await simulator.server.start();
        return simulator;
    }

    /** Base URL of the `npm.system_update` 2.0 service. */
    get systemUpdateUrl(): string {
        return `${this.url}${RiverbedPaths.systemUpdate}`;
    }

    /** Installed version, e.g. `11.6.0 #23947`. */
    get version(): string {
        return this.updateMachine.installedVersion;
    }

    /** Current runtime settings. */
    get currentSettings(): RiverbedRuntimeSettings {
        return this.settings;
    }

    /** The update object, as `GET /update` returns it. */
    update(): RiverbedUpdate {
        return this.updateMachine.snapshot();
    }

    /** The images, as `GET /images` lists them. */
    images(): RiverbedImage[] {
        return this.imageStore.list();
    }

    /** Everything observable, as `GET /__sim/state` returns it. */
    state(): RiverbedSimulatorSnapshot {
        return {
            name: this.name,
            url: this.url,
            online: this.online,
            product: this.product,
            version: this.version,
            update: this.update(),
            images: this.images(),
            settings: this.settings,
            tokens: this.auth.activeTokenCounts(),
            injected: { images: this.imageStore.pendingFailures(), update: this.updateMachine.pendingFailures() },
        };
    }

    /**
     * Change runtime settings (token lifetimes, idle timeout, phase durations). Missing fields keep
     * their value. Returns the new settings. @throws Error naming an invalid field.
     */
    configure(patch: RiverbedSettingsPatch): RiverbedRuntimeSettings {
        const next = validateRuntimeSettings({
            ...this.settings,
            ...patch,
            timings: { ...this.settings.timings, ...(patch.timings ?? {}) },
        });
        this.settings = next;
        return next;
    }

    /** The next new image ends in `outcome` (UPLOAD_ERROR: the transfer is cut after the first chunk). */
    injectImageFailure(outcome: RiverbedImageFailure): void {
        this.imageStore.injectFailure(outcome);
    }

    /** The next `phase` (`init` or `start`) of the update ends in `outcome`. */
    injectUpdateFailure(phase: RiverbedUpdatePhase, outcome: RiverbedUpdateFailure): void {
        this.updateMachine.injectFailure(phase, outcome);
    }

    /** Drop every queued image and update failure. */
    clearInjectedFailures(): void {
        this.imageStore.clearInjectedFailures();
        this.updateMachine.clearInjectedFailures();
    }

    /** Simulated manual repair: the update goes back to IDLE on the installed version. */
    repair(): void {
        this.updateMachine.repair();
    }

    /** Expire every access token now; refresh tokens stay valid. */
    expireAccessTokens(): void {
        this.auth.expireAccessTokens();
    }

    /** The configured reboot window (used by `reboot()` without a duration). */
    protected rebootWindowMs(): number {
        return this.settings.timings.rebootMs;
    }

    /** Cancel timers and abort transfers (then the base class closes the server). */
    protected beforeStop(): void {
        this.timers.cancelAll();
        for (const cleanup of [...this.stopCleanups]) cleanup();
        this.stopCleanups.clear();
    }

    private rebootForUpdate(complete: () => void): void {
        const finish = () => {
            complete();
            if (!this.keepImagesAcrossReboot) this.imageStore.clear();
        };
        // If a manual reboot is already under way, the update reboot follows once it is back.
        void this.server
            .whenOnline()
            .then(() =>
                this.server.state === "online" ? this.server.reboot(this.settings.timings.rebootMs, { beforeOnline: finish }) : undefined,
            )
            .catch(() => undefined);
    }
}

/** Start one simulated Riverbed appliance. */
export function startRiverbedSimulator(options: RiverbedSimulatorOptions = {}): Promise<RiverbedSimulator> {
    return RiverbedSimulator.start(options);
}

/**
 * Start several simulated appliances, each on its own port.
 *
 * @param devices a count (devices share `shared` options, are named `device-1`…, and listen on
 *   `shared.port + i` when a port is given, else on free ports), or one options object per device
 *   (merged over `shared`).
 */
export function startRiverbedFleet(
    devices: number | readonly RiverbedSimulatorOptions[],
    shared: RiverbedSimulatorOptions = {},
): Promise<Fleet<RiverbedSimulator>> {
    return startNamedFleet(devices, shared, "device", (options) => RiverbedSimulator.start(options));
}
