/**
 * A simulated Avisi Cloud organisation: the public API (clusters, versions, update channels,
 * maintenance schedules, scheduled cluster upgrades), the admin scheduled-upgrade API, and a
 * scheduler running on simulated time that can let a week-away window pass in seconds.
 *
 * @example
 * ```ts
 * const sim = await startAvisiSimulator({ timeScale: 20_000 }); // a week ≈ 30 s
 * // provider: endpoint sim.url, token sim.token, organisation sim.organisation;
 * // its clock: AVISI_SIMULATED_TIME_SCALE=sim.time.scale, AVISI_SIMULATED_TIME_ORIGIN=sim.time.originMs
 * expect(sim.state().accepted.scheduled).toBe(1);
 * await sim.stop();
 * ```
 */
import { ManualClock, type Clock } from "../core/clock";
import { DeviceServer } from "../core/device-server";
import { SimulatedAppliance } from "../core/simulated-appliance";
import { AvisiAuth } from "./auth";
import { CloudState, type SimCluster } from "./cloud-state";
import {
    AVISI_DEFAULT_ADMIN_TOKEN,
    AVISI_DEFAULT_CLUSTER_VERSIONS,
    AVISI_DEFAULT_ORGANISATION,
    AVISI_DEFAULT_TOKEN,
    type InjectableOutcome,
} from "./constants";
import { buildAvisiControlRoutes, type AvisiSettingsPatch } from "./control-routes";
import {
    DEFAULT_AVISI_SETTINGS,
    DEFAULT_AVISI_TIMINGS,
    validateAvisiSettings,
    type AvisiRuntimeSettings,
    type AvisiSimulatorOptions,
} from "./options";
import { buildAvisiRoutes } from "./routes";
import { ScaledClock } from "./simulated-time";
import { UpgradeScheduler } from "./upgrades";

/** The organisation a simulator starts with when the options name none. */
export const DEFAULT_AVISI_SCHEDULES = [{ name: "weekly", windows: [{ day: "TUESDAY", startTime: "02:00", duration: 240 }] }];
export const DEFAULT_AVISI_CLUSTERS = [{ slug: "k8s-prod", environment: "production", version: "1.30.6" }];

/** A running simulated organisation. Create it with {@link startAvisiSimulator}. */
export class AvisiSimulator extends SimulatedAppliance<Record<never, never>> {
    readonly name: string;
    readonly organisation: string;
    readonly token: string;
    readonly adminToken: string;
    readonly cloud: CloudState;
    readonly upgrades: UpgradeScheduler;
    readonly auth: AvisiAuth;
    protected readonly server: DeviceServer;
    private settings: AvisiRuntimeSettings;
    private readonly clock: Clock;

    private constructor(options: AvisiSimulatorOptions) {
        super();
        this.name = options.name ?? "avisi-cloud";
        this.organisation = options.organisation ?? AVISI_DEFAULT_ORGANISATION;
        this.token = options.token ?? AVISI_DEFAULT_TOKEN;
        this.adminToken = options.adminToken ?? AVISI_DEFAULT_ADMIN_TOKEN;
        this.clock = options.clock ?? new ScaledClock(options.timeScale ?? 1);
        this.settings = validateAvisiSettings({
            ...DEFAULT_AVISI_SETTINGS,
            ...options.settings,
            timings: { ...DEFAULT_AVISI_TIMINGS, ...options.timings },
        });
        const log = options.log ?? (() => undefined);
        this.cloud = new CloudState(this.organisation, options.clusterVersions ?? AVISI_DEFAULT_CLUSTER_VERSIONS, () => this.clock.now());
        this.cloud.seed(options.schedules ?? DEFAULT_AVISI_SCHEDULES, options.clusters ?? DEFAULT_AVISI_CLUSTERS);
        this.upgrades = new UpgradeScheduler(
            this.cloud,
            this.clock,
            () => this.settings,
            (line) => log(`${this.name} ${line}`),
        );
        this.auth = new AvisiAuth(() => ({ user: this.token, admin: this.adminToken }));
        this.server = new DeviceServer({
            name: this.name,
            host: options.host,
            port: options.port,
            clock: this.clock,
            log,
            routes: buildAvisiRoutes({ auth: this.auth, cloud: this.cloud, upgrades: this.upgrades, settings: () => this.settings }),
            controlRoutes: buildAvisiControlRoutes(this),
            // ErrorMessageResponse (avisi.md §2); details are filled by the routes that have any.
            formatError: (_status, _code, message) => ({ message, details: [] }),
        });
    }

    /** Create and start a simulator; resolves once it listens. */
    static async start(options: AvisiSimulatorOptions = {}): Promise<AvisiSimulator> {
        const simulator = new AvisiSimulator(options);
        await simulator.server.start();
        return simulator;
    }

    /** The simulated time: its current instant, and the origin and scale a client needs to follow it. */
    get time(): { now: number; originMs: number; scale: number; skippedMs: number } {
        const scaled = this.clock instanceof ScaledClock ? this.clock : undefined;
        return {
            now: this.clock.now(),
            originMs: scaled?.originMs ?? this.clock.now(),
            scale: scaled?.scale ?? 1,
            skippedMs: scaled?.skipped ?? 0,
        };
    }

    /** Current settings. */
    get currentSettings(): AvisiRuntimeSettings {
        return this.settings;
    }

    /** A cluster by slug (first environment match) or identity. */
    cluster(ref: string): SimCluster {
        const cluster = this.cloud.clusters.find((c) => c.identity === ref || c.slug === ref);
        if (!cluster) throw new Error(`No cluster "${ref}"; known: ${this.cloud.clusters.map((c) => c.slug).join(", ")}.`);
        return cluster;
    }

    /** Everything observable, as `GET /__sim/state` returns it. */
    state() {
        return {
            name: this.name,
            url: this.url,
            organisation: this.organisation,
            time: { ...this.time, nowIso: new Date(this.clock.now()).toISOString() },
            settings: this.settings,
            clusters: this.cloud.clusters.map((c) => this.cloud.clusterJson(c)),
            schedules: this.cloud.schedules.map((s) => this.cloud.scheduleJson(s)),
            upgrades: this.upgrades.upgrades.map((u) => this.upgrades.json(u)),
            injected: [...this.upgrades.injected],
            accepted: { ...this.upgrades.accepted },
            rejectedAuth: this.auth.rejected,
        };
    }

    configure(patch: AvisiSettingsPatch): AvisiRuntimeSettings {
        this.settings = validateAvisiSettings({ ...this.settings, ...patch, timings: { ...this.settings.timings, ...patch.timings } });
        return this.settings;
    }

    inject(status: InjectableOutcome, options: { cluster?: string; reason?: string } = {}): void {
        this.upgrades.inject(status, options.cluster === undefined ? undefined : this.cluster(options.cluster).identity, options.reason);
    }

    clearInjected(): void {
        this.upgrades.injected.length = 0;
    }

    /** Jump simulated time forward (scaled or manual clock only). */
    skipTime(ms: number): void {
        if (this.clock instanceof ScaledClock) this.clock.skip(ms);
        else if (this.clock instanceof ManualClock) this.clock.advance(ms);
        else throw new Error("This simulator's clock cannot skip time.");
    }

    protected rebootWindowMs(): number {
        return 1_000;
    }

    protected beforeStop(): void {
        this.upgrades.stop();
        if (this.clock instanceof ScaledClock) this.clock.cancelAll();
    }
}

/** Start a simulated Avisi Cloud organisation. */
export function startAvisiSimulator(options: AvisiSimulatorOptions = {}): Promise<AvisiSimulator> {
    return AvisiSimulator.start(options);
}
