/**
 * One simulated Dell Unity array: the Unisphere management API on a {@link DeviceServer}, the
 * upgrade model, logins, and the management failover during the primary-SP reboot.
 */
import { SystemClock, TimerGroup, type Clock } from "../core/clock";
import { DeviceServer } from "../core/device-server";
import { startNamedFleet, type Fleet } from "../core/fleet";
import { SimulatedAppliance } from "../core/simulated-appliance";
import { TokenStore } from "../core/tokens";
import { UnityAuth } from "./auth";
import { UNITY_DEFAULTS } from "./constants";
import { buildUnityControlRoutes, type UnitySettingsPatch } from "./control-routes";
import { resolveUnitySettings, validateUnitySettings, type UnityRuntimeSettings, type UnitySimulatorOptions } from "./options";
import { formatUnityError, type UnityObject } from "./rest";
import { buildUnityRoutes } from "./routes";
import type { UnityCandidate } from "./session-record";
import { UnityUpgrades, type UnityFailureOutcome, type UnityFailureTask } from "./upgrade";

/** Events of a {@link UnitySimulator}. */
export interface UnitySimulatorEvents {
    offline: [];
    online: [];
    /** The management failover began (`unreachable` or `503`). */
    failover: [];
}

/** Everything observable, as `GET /__sim/state` returns it. */
export interface UnitySimulatorSnapshot {
    readonly name: string;
    readonly url: string;
    readonly online: boolean;
    readonly failingOver: boolean;
    readonly version: string;
    readonly candidate: UnityCandidate | undefined;
    readonly sessions: UnityObject[];
    readonly sessionsCreated: number;
    readonly loginsStarted: number;
    readonly activeLogins: number;
    readonly settings: UnityRuntimeSettings;
    readonly injected: Record<string, UnityFailureOutcome>;
}

/** A simulated Unity array. */
export class UnitySimulator extends SimulatedAppliance<UnitySimulatorEvents> {
    readonly name: string;
    readonly username: string;
    readonly password: string;
    readonly model: string;
    protected readonly server: DeviceServer;
    private settings: UnityRuntimeSettings;
    private readonly clock: Clock;
    private readonly timers: TimerGroup;
    private readonly auth: UnityAuth;
    private readonly upgrades: UnityUpgrades;
    private unavailableUntilBack = false;

    private constructor(options: UnitySimulatorOptions) {
        super();
        this.name = options.name ?? UNITY_DEFAULTS.systemName;
        this.username = options.username ?? "admin";
        this.password = options.password ?? "Password123!";
        this.model = options.model ?? UNITY_DEFAULTS.model;
        this.settings = resolveUnitySettings(options);
        this.clock = options.clock ?? new SystemClock();
        this.timers = new TimerGroup(this.clock);
        const log = options.log ?? (() => undefined);
        this.auth = new UnityAuth(new TokenStore(this.clock), { username: this.username, password: this.password }, () => this.settings);
        this.upgrades = new UnityUpgrades({
            clock: this.clock,
            timers: this.timers,
            settings: () => this.settings,
            initialVersion: options.version ?? UNITY_DEFAULTS.version,
            failover: (ms, done) => this.failover(ms, done),
            log: (line) => log(`${this.name} ${line}`),
        });
        this.server = new DeviceServer({
            name: this.name,
            host: options.host,
            port: options.port,
            clock: this.clock,
            log,
            routes: buildUnityRoutes({
                auth: this.auth,
                upgrades: this.upgrades,
                settings: () => this.settings,
                unavailable: () => this.unavailableUntilBack,
                system: () => ({ name: this.name, model: this.model }),
            }),
            controlRoutes: buildUnityControlRoutes(this),
            formatError: formatUnityError,
            defaultRebootMs: () => this.settings.timings.primaryRebootMs,
        });
        this.server.on("offline", () => {
            this.auth.invalidateAll();
            this.emit("offline");
        });
        this.server.on("online", () => this.emit("online"));
    }

    /** Create and start a simulator; resolves once it listens. */
    static async start(options: UnitySimulatorOptions = {}): Promise<UnitySimulator> {
        const simulator = new UnitySimulator(options);
        await simulator.server.start();
        return simulator;
    }

    /** Installed version, e.g. `5.2.1.0.5.011`. */
    get version(): string {
        return this.upgrades.installedVersion;
    }

    /** The candidate in the slot (with the SHA-256 the simulator received). */
    get candidate(): UnityCandidate | undefined {
        return this.upgrades.candidate;
    }

    /** Sessions created since start. */
    get sessionsCreated(): number {
        return this.upgrades.sessionsCreated;
    }

    /** Logins started since start (Basic GETs that created a login cookie). */
    get loginsStarted(): number {
        return this.auth.loginsStarted;
    }

    /** Sessions of the `softwareUpgradeSession` type as the API shows them. */
    sessions(type: "softwareUpgradeSession" | "upgradeSession" = "softwareUpgradeSession"): UnityObject[] {
        return this.upgrades.sessionObjects(type);
    }

    get currentSettings(): UnityRuntimeSettings {
        return this.settings;
    }

    state(): UnitySimulatorSnapshot {
        return {
            name: this.name,
            url: this.url,
            online: this.online,
            failingOver: this.unavailableUntilBack || !this.online,
            version: this.version,
            candidate: this.candidate,
            sessions: [...this.upgrades.sessionObjects("softwareUpgradeSession"), ...this.upgrades.sessionObjects("upgradeSession")],
            sessionsCreated: this.sessionsCreated,
            loginsStarted: this.loginsStarted,
            activeLogins: this.auth.activeLogins(),
            settings: this.settings,
            injected: this.upgrades.pendingFailures(),
        };
    }

    /** Change runtime settings; missing fields keep their value. @throws Error naming a bad field. */
    configure(patch: UnitySettingsPatch): UnityRuntimeSettings {
        this.settings = validateUnitySettings({
            ...this.settings,
            ...patch,
            timings: { ...this.settings.timings, ...(patch.timings ?? {}) },
        });
        return this.settings;
    }

    /** The next session reaching the end of `task` stops with `outcome`. */
    injectFailure(task: UnityFailureTask, outcome: UnityFailureOutcome): void {
        this.upgrades.injectFailure(task, outcome);
    }

    clearInjectedFailures(): void {
        this.upgrades.clearInjectedFailures();
    }

    /** Forget every login and CSRF token now. */
    expireLogins(): void {
        this.auth.invalidateAll();
    }

    protected rebootWindowMs(): number {
        return this.settings.timings.primaryRebootMs;
    }

    protected beforeStop(): void {
        this.timers.cancelAll();
        this.upgrades.stopTimers();
    }

    /** The management failover: every login is forgotten, then the API is unreachable or answers 503. */
    private failover(ms: number, done: () => void): void {
        this.auth.invalidateAll();
        this.emit("failover");
        if (this.settings.failoverMode === "503") {
            this.unavailableUntilBack = true;
            this.timers.after(ms, () => {
                this.unavailableUntilBack = false;
                this.auth.invalidateAll();
                done();
            });
            return;
        }
        void this.server
            .whenOnline()
            .then(() => (this.server.state === "online" ? this.server.reboot(ms, { beforeOnline: done }) : undefined))
            .catch(() => undefined);
    }
}

/** Start one simulated Unity array. */
export function startUnitySimulator(options: UnitySimulatorOptions = {}): Promise<UnitySimulator> {
    return UnitySimulator.start(options);
}

/** Start several arrays, each on its own port (named `unity-1`…). */
export function startUnityFleet(
    devices: number | readonly UnitySimulatorOptions[],
    shared: UnitySimulatorOptions = {},
): Promise<Fleet<UnitySimulator>> {
    return startNamedFleet(devices, shared, "unity", (options) => UnitySimulator.start(options));
}
