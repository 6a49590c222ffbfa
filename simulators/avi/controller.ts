/**
 * One simulated Avi controller cluster (NSX Advanced Load Balancer) with its SE groups.
 *
 * @example
 * ```ts
 * const sim = await startAviSimulator({ speed: 1000, timings: { rebootMs: 300 } });
 * await makeAviPackage("/tmp/controller.pkg", { version: "22.1.7" });
 * // ... drive sim.url with a client ...
 * expect(sim.calls.succeeded("upgrade.start")).toBe(1);
 * await sim.stop();
 * ```
 */
import { createHash } from "node:crypto";
import { SystemClock, TimerGroup, type Clock } from "../core/clock";
import { DeviceServer } from "../core/device-server";
import { startNamedFleet, type Fleet } from "../core/fleet";
import { SimulatedAppliance } from "../core/simulated-appliance";
import { AviAuth } from "./auth";
import { buildAviControlRoutes, type AviInjection, type AviSettingsPatch } from "./control-routes";
import { aviBuildTag } from "./image-format";
import { AviImageStore, renderImage, type AviImage } from "./images";
import { resolveAviSettings, validateAviSettings, type AviRuntimeSettings, type AviSimulatorOptions } from "./options";
import { newRecord, renderRecord, type UsiRecord } from "./records";
import { buildAviRoutes } from "./routes";
import { UpgradeEngine } from "./upgrade";

/** Events of an {@link AviSimulator}. */
export interface AviSimulatorEvents {
    offline: [];
    online: [];
    "image-state": [AviImage];
}

/** Default installed version of a simulated controller. */
export const AVI_DEFAULT_VERSION = "22.1.6";
const DEFAULT_BUILD = 9191;

/** A running simulated controller. Create it with {@link startAviSimulator}. */
export class AviSimulator extends SimulatedAppliance<AviSimulatorEvents> {
    readonly name: string;
    readonly username: string;
    readonly password: string;
    /** Uuid of the controller cluster (and of its UpgradeStatusInfo record). */
    readonly clusterUuid: string;
    protected readonly server: DeviceServer;

    private settings: AviRuntimeSettings;
    private readonly clock: Clock;
    private readonly timers: TimerGroup;
    private readonly auth: AviAuth;
    private readonly images: AviImageStore;
    private readonly engine: UpgradeEngine;
    private readonly clusterRecord: UsiRecord;
    private readonly seGroupRecords: UsiRecord[];
    private readonly sessionCookieName: string;
    private warmupUntilMs = 0;
    private readonly log: (line: string) => void;

    private constructor(options: AviSimulatorOptions) {
        super();
        this.name = options.name ?? "controller-1";
        this.username = options.username ?? "admin";
        this.password = options.password ?? "admin";
        this.clock = options.clock ?? new SystemClock();
        this.timers = new TimerGroup(this.clock);
        this.settings = resolveAviSettings(options);
        this.log = options.log ?? (() => undefined);
        this.sessionCookieName = options.sessionCookieName ?? "avi-sessionid";
        this.clusterUuid = `cluster-${stableUuid(this.name)}`;
        const now = this.clock.now();
        const tag = aviBuildTag(options.version ?? AVI_DEFAULT_VERSION, options.buildNo ?? DEFAULT_BUILD);
        this.clusterRecord = newRecord(this.clusterUuid, "cluster-0-1", "NODE_CONTROLLER_CLUSTER", tag, now);
        const groups = options.seGroups ?? [{ name: "Default-Group" }, { name: "sg-east" }];
        this.seGroupRecords = groups.map((g) =>
            newRecord(g.uuid ?? `serviceenginegroup-${stableUuid(`${this.name}/${g.name}`)}`, g.name, "NODE_SE_GROUP", tag, now),
        );
        this.auth = new AviAuth(
            this.clock,
            { username: this.username, password: this.password },
            () => this.settings,
            this.sessionCookieName,
            options.tenants ?? [],
        );
        this.images = new AviImageStore(
            this.timers,
            () => this.clock.now(),
            () => this.settings.timings.imageProcessMs,
            (image) => this.emit("image-state", image),
        );
        this.engine = new UpgradeEngine({
            timers: this.timers,
            now: () => this.clock.now(),
            settings: () => this.settings,
            cluster: this.clusterRecord,
            seGroups: this.seGroupRecords,
            reboot: (whileDown, back) => this.rebootForUpgrade(whileDown, back),
            log: (line) => this.log(`${this.name} ${line}`),
        });
        this.server = new DeviceServer({
            name: this.name,
            host: options.host,
            port: options.port,
            clock: this.clock,
            log: this.log,
            routes: buildAviRoutes({
                auth: this.auth,
                images: this.images,
                upgrade: this.engine,
                records: () => [this.clusterRecord, ...this.seGroupRecords],
                settings: () => this.settings,
                baseUrl: () => this.server.url,
                warmingUp: () => this.clock.now() < this.warmupUntilMs,
                controller: () => ({
                    ...this.versionInfo(),
                    clusterUuid: this.clusterUuid,
                    clusterName: "cluster-0-1",
                    sessionCookieName: this.sessionCookieName,
                }),
                seGroups: () => this.seGroupRecords.map((r) => ({ uuid: r.uuid, name: r.name })),
            }),
            controlRoutes: buildAviControlRoutes(this),
            formatError: (_status, _code, message) => ({ error: message }),
            defaultRebootMs: () => this.settings.timings.rebootMs,
        });
        this.server.on("offline", () => {
            this.auth.revokeAll();
            this.emit("offline");
        });
        this.server.on("online", () => this.emit("online"));
    }

    /** Create and start a simulator; resolves once it listens. */
    static async start(options: AviSimulatorOptions = {}): Promise<AviSimulator> {
        const simulator = new AviSimulator(options);
        await simulator.server.start();
        return simulator;
    }

    /** Running version, e.g. `22.1.6`. */
    get version(): string {
        return this.versionInfo().version;
    }

    /** Running build tag, e.g. `22.1.6-9191-20231004.120000` (what UpgradeStatusInfo `version` says). */
    get versionTag(): string {
        return this.clusterRecord.version;
    }

    /** True while an upgrade operation runs (or waits at a suspended SE group). */
    get upgradeBusy(): boolean {
        return this.engine.busy;
    }

    /** Logins accepted so far. */
    get logins(): number {
        return this.auth.logins;
    }

    /** The records as `GET /api/upgradestatusinfo` renders them for the newest API version. */
    records(): Record<string, unknown>[] {
        return [this.clusterRecord, ...this.seGroupRecords].map((r) => renderRecord(r, this.url, "99.0.0"));
    }

    /** Everything observable, as `GET /__sim/state` returns it. */
    state(): Record<string, unknown> {
        return {
            name: this.name,
            url: this.url,
            online: this.online,
            version: this.version,
            versionTag: this.versionTag,
            upgradeBusy: this.engine.busy,
            upgradesStarted: this.engine.started,
            records: this.records(),
            images: this.images.list().map((i) => ({ ...renderImage(i, this.url), bytes: i.bytes, sha256: i.sha256 })),
            settings: this.settings,
            sessions: this.auth.activeSessions(),
            logins: this.auth.logins,
            injected: { ...this.engine.injected, image: this.images.pendingFailure() },
        };
    }

    /** Change runtime settings; missing fields keep their value. @throws Error naming an invalid field. */
    configure(patch: AviSettingsPatch): AviRuntimeSettings {
        this.settings = validateAviSettings({
            ...this.settings,
            ...patch,
            timings: { ...this.settings.timings, ...(patch.timings ?? {}) },
        });
        return this.settings;
    }

    /** Queue a failure for the next image or operation. */
    inject(injection: AviInjection): void {
        switch (injection.target) {
            case "image":
                this.images.injectFailure(injection.reason ?? "Image verification failed: checksum mismatch in package.");
                return;
            case "controller":
                if (injection.outcome === "ERROR")
                    this.engine.injected.controllerError = {
                        task: injection.task ?? "MIGRATE_CONFIG",
                        reason: injection.reason ?? "Config migration failed.",
                    };
                else this.engine.injected.abort = { reason: injection.reason ?? "Upgrade aborted: rollback failed." };
                return;
            case "upgrade":
                this.engine.injected.enqueueFailed = {
                    reason: injection.reason ?? "Upgrade could not be enqueued: another operation holds the lock.",
                };
                return;
            case "segroup":
                this.engine.injected.seGroupFailure = {
                    seGroup: injection.seGroup,
                    reason: injection.reason ?? "SE se-1 failed to come up with the new image.",
                };
                return;
        }
    }

    clearInjected(): void {
        for (const key of Object.keys(this.engine.injected)) delete this.engine.injected[key as keyof typeof this.engine.injected];
        this.images.clearInjected();
    }

    /** Every session expires now. */
    expireSessions(): void {
        this.auth.expireAll();
    }

    protected rebootWindowMs(): number {
        return this.settings.timings.rebootMs;
    }

    protected beforeStop(): void {
        this.timers.cancelAll();
    }

    private versionInfo(): { version: string; buildNo: number; tag: string } {
        const tag = this.clusterRecord.version;
        const [version, build] = tag.split("-");
        return { version: version ?? tag, buildNo: Number(build) || 0, tag };
    }

    private rebootForUpgrade(whileDown: () => void, back: () => void): void {
        const { rebootMs, warmupMs } = this.settings.timings;
        void this.server
            .whenOnline()
            .then(() =>
                this.server.reboot(rebootMs, {
                    whileOffline: whileDown,
                    beforeOnline: () => {
                        this.warmupUntilMs = this.clock.now() + warmupMs;
                        this.timers.after(warmupMs, back);
                    },
                }),
            )
            .catch((error: unknown) => this.log(`${this.name} reboot failed: ${(error as Error).message}`));
    }
}

function stableUuid(seed: string): string {
    const hex = createHash("sha256").update(seed).digest("hex");
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/** Start one simulated controller. */
export function startAviSimulator(options: AviSimulatorOptions = {}): Promise<AviSimulator> {
    return AviSimulator.start(options);
}

/** Start several controllers, each on its own port (named `controller-1`, …). */
export function startAviFleet(
    devices: number | readonly AviSimulatorOptions[],
    shared: AviSimulatorOptions = {},
): Promise<Fleet<AviSimulator>> {
    return startNamedFleet(devices, shared, "controller", (options) => AviSimulator.start(options));
}
