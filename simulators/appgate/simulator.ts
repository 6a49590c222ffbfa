/**
 * A simulated Appgate SDP collective: the primary Controller's admin API (a real HTTP server on
 * loopback) and the appliances it manages, each with its own upgrade state machine.
 *
 * @example
 * ```ts
 * const sim = await startAppgateSimulator({ tokenTtlMs: 3_000, speed: 100 });
 * const gateway = sim.appliance("gateway-1");
 * // provider endpoint: sim.adminUrl (http://127.0.0.1:PORT/admin), image: sim.imageUrl("6.3.7+39574")
 * expect(sim.applianceCalls("gateway-1").prepare).toBe(1);
 * await sim.stop();
 * ```
 */
import { createHash } from "node:crypto";
import { SimulatedAppliance } from "../core/simulated-appliance";
import { SystemClock, TimerGroup, type Clock } from "../core/clock";
import { DeviceServer } from "../core/device-server";
import { startNamedFleet, type Fleet } from "../core/fleet";
import { CoreErrorCodes } from "../core/http-error";
import { TokenStore } from "../core/tokens";
import { SimAppliance, type AppgateFailurePhase, type AppgateUpgradeStatus, type ApplianceCallCounts } from "./appliance";
import { AppgateAuth, type PeerVersionRange } from "./auth";
import { ChangeLog, type AppgateChange, type AppgateChangeKind } from "./changes";
import {
    ADMIN_PREFIX,
    APPGATE_DEFAULT_IDENTITY_PROVIDER,
    APPGATE_DEFAULT_SITE,
    APPGATE_DEFAULT_VERSION,
    errorIdForStatus,
} from "./constants";
import { buildAppgateControlRoutes, type AppgateSettingsPatch } from "./control-routes";
import { downloadImage } from "./downloads";
import { APPGATE_IMAGE_PREFIX_BYTES, appgateImageFileName } from "./image-format";
import {
    resolveAppgateSettings,
    validateAppgateSettings,
    type AppgateApplianceSpec,
    type AppgateRole,
    type AppgateRuntimeSettings,
    type AppgateSimulatorOptions,
} from "./options";
import { buildAppgateRoutes } from "./routes";
import { formatApplianceVersion, parseApplianceVersion, peerVersionOf } from "./versions";

/** Everything observable about one appliance. */
export interface AppgateApplianceSnapshot {
    readonly id: string;
    readonly name: string;
    readonly role: AppgateRole;
    readonly primary: boolean;
    readonly siteId: string;
    readonly siteName: string;
    readonly online: boolean;
    /** Running version, e.g. `6.2.1+30002`. */
    readonly version: string;
    readonly volumeNumber: 1 | 2;
    readonly upgrade: { readonly status: AppgateUpgradeStatus; readonly details: string };
    readonly preparedImage: string | undefined;
    /** Accepted (202) upgrade calls. */
    readonly accepted: ApplianceCallCounts;
    /** Upgrade reads that hit the idle-after-prepare race. */
    readonly raceReads: number;
}

/** A queued failure. */
export interface AppgateInjectedFailure {
    /** Appliance id; `undefined` = the next appliance reaching the phase. */
    readonly applianceId: string | undefined;
    readonly phase: AppgateFailurePhase;
    readonly reason: string;
}

/** Everything observable, as `GET /__sim/state` returns it. */
export interface AppgateSimulatorSnapshot {
    readonly name: string;
    readonly url: string;
    readonly adminUrl: string;
    readonly online: boolean;
    readonly peerVersions: PeerVersionRange;
    readonly identityProvider: string;
    readonly settings: AppgateRuntimeSettings;
    readonly tokens: number;
    readonly logins: number;
    readonly appliances: readonly AppgateApplianceSnapshot[];
    readonly changes: ReadonlyArray<AppgateChange & { applianceId: string; kind: AppgateChangeKind }>;
    readonly injected: readonly AppgateInjectedFailure[];
}

/** Events of an {@link AppgateSimulator}. */
export interface AppgateSimulatorEvents {
    /** The primary controller went down (reboot window): connections are refused. */
    offline: [];
    /** The primary controller accepts connections again. */
    online: [];
    /** An appliance's upgrade status, details or reachability changed. */
    "upgrade-state": [AppgateApplianceSnapshot];
    /** An admin logged in (the token is issued; expiring tokens from a listener affects it too). */
    login: [string];
}

/** The default collective: a primary controller and two gateways in one site. */
export const DEFAULT_APPGATE_APPLIANCES: readonly AppgateApplianceSpec[] = [
    { name: "controller-1", role: "controller" },
    { name: "gateway-1", role: "gateway" },
    { name: "gateway-2", role: "gateway" },
];

/** A stable uuid for a name (same name → same id in every run), so examples can name appliances by id. */
export function stableAppgateId(kind: string, name: string): string {
    const hex = createHash("sha1").update(`appgate-sim/${kind}/${name}`).digest("hex");
    const variant = ((parseInt(hex.slice(16, 18), 16) & 0x3f) | 0x80).toString(16);
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(18, 20)}-${hex.slice(20, 32)}`;
}

/** A running simulated collective. Create it with {@link startAppgateSimulator}. */
export class AppgateSimulator extends SimulatedAppliance<AppgateSimulatorEvents> {
    readonly name: string;
    readonly username: string;
    readonly password: string;
    readonly identityProvider: string;

    private settings: AppgateRuntimeSettings;
    private readonly clock: Clock;
    private readonly timers: TimerGroup;
    protected readonly server: DeviceServer;
    private readonly auth: AppgateAuth;
    private readonly changes = new ChangeLog();
    private readonly members: SimAppliance[] = [];
    private readonly siteList: Array<{ id: string; name: string }> = [];
    private readonly injected: AppgateInjectedFailure[] = [];
    private readonly log: (line: string) => void;
    private readonly downloadOptions: { readonly allowRemote: boolean; readonly idleTimeoutMs: number };

    private constructor(options: AppgateSimulatorOptions) {
        super();
        this.name = options.name ?? "collective-1";
        this.username = options.username ?? "admin";
        this.password = options.password ?? "admin";
        this.identityProvider = options.identityProvider ?? APPGATE_DEFAULT_IDENTITY_PROVIDER;
        this.settings = resolveAppgateSettings(options);
        this.clock = options.clock ?? new SystemClock();
        this.timers = new TimerGroup(this.clock);
        this.log = options.log ?? (() => undefined);
        this.auth = new AppgateAuth(
            new TokenStore(this.clock),
            this.clock,
            { username: this.username, password: this.password, identityProvider: this.identityProvider },
            () => this.settings.tokenTtlMs,
            (username) => this.emit("login", username),
        );
        this.downloadOptions = { allowRemote: options.allowRemoteFetch ?? false, idleTimeoutMs: options.downloadIdleTimeoutMs ?? 60_000 };
        this.buildAppliances(options);
        this.server = new DeviceServer({
            name: this.name,
            host: options.host,
            port: options.port,
            clock: this.clock,
            log: options.log,
            routes: buildAppgateRoutes({
                auth: this.auth,
                peerRange: () => this.peerVersionRange(),
                unavailable: () => this.unavailableReason(),
                appliances: () => this.members,
                sites: () => this.siteList,
                changes: this.changes,
                identityProvider: () => this.identityProvider,
                rebootingApplianceReplies: () => this.settings.rebootingApplianceReplies,
            }),
            controlRoutes: buildAppgateControlRoutes(this),
            formatError: (status, code, message) => ({ id: isCoreCode(code) ? errorIdForStatus(status) : code, message }),
            defaultRebootMs: () => this.settings.timings.rebootMs,
        });
        this.server.on("offline", () => {
            // [unknown] whether tokens survive a controller reboot: by default not (appgate.md §6).
            if (!this.settings.tokensSurviveReboot) this.auth.revokeAll();
            this.emit("offline");
        });
        this.server.on("online", () => this.emit("online"));
    }

    /** Create and start a simulator; resolves once it listens. */
    static async start(options: AppgateSimulatorOptions = {}): Promise<AppgateSimulator> {
        const simulator = new AppgateSimulator(options);
        await simulator.server.start();
        for (const appliance of simulator.members) {
            simulator.log(
                `${simulator.name} appliance ${appliance.name} id=${appliance.id} role=${appliance.role}${appliance.primary ? " (primary)" : ""} ` +
                    `site="${appliance.siteName}" version=${formatApplianceVersion(appliance.version)} volume=${appliance.volumeNumber}`,
            );
        }
        return simulator;
    }

    /** The admin API base, e.g. `http://127.0.0.1:40123/admin` (what clients call the controller URL). */
    get adminUrl(): string {
        return `${this.url}${ADMIN_PREFIX}`;
    }

    /** Successful logins so far. */
    get logins(): number {
        return this.auth.logins;
    }

    /** Current runtime settings. */
    get currentSettings(): AppgateRuntimeSettings {
        return this.settings;
    }

    /** The peer API versions the controller accepts (they move when the primary controller is upgraded). */
    peerVersionRange(): PeerVersionRange {
        const max = peerVersionOf(this.primary().version);
        return { min: Math.max(1, max - this.settings.peerVersionsBack), max };
    }

    /** One appliance by id or name. @throws Error if unknown. */
    appliance(idOrName: string): AppgateApplianceSnapshot {
        return snapshotOf(this.find(idOrName));
    }

    /** Every appliance. */
    appliances(): AppgateApplianceSnapshot[] {
        return this.members.map(snapshotOf);
    }

    /** Accepted upgrade calls of one appliance (by id or name). */
    applianceCalls(idOrName: string): ApplianceCallCounts {
        return { ...this.find(idOrName).accepted };
    }

    /**
     * URL of an image this simulator serves: `imageUrl("6.3.7+39574")` or
     * `imageUrl("appgate-6.3.7-39574-corrupt.img.zip")`. Names containing `corrupt` fail
     * verification; names containing `missing` answer 404.
     */
    imageUrl(versionOrFileName: string): string {
        const fileName =
            versionOrFileName.includes(".img") || versionOrFileName.includes("/")
                ? versionOrFileName
                : appgateImageFileName(versionOrFileName);
        return `${this.url}/__sim/images/${encodeURIComponent(fileName)}`;
    }

    /** Everything observable, as `GET /__sim/state` returns it. */
    state(): AppgateSimulatorSnapshot {
        return {
            name: this.name,
            url: this.url,
            adminUrl: this.adminUrl,
            online: this.online,
            peerVersions: this.peerVersionRange(),
            identityProvider: this.identityProvider,
            settings: this.settings,
            tokens: this.auth.activeTokens(),
            logins: this.auth.logins,
            appliances: this.appliances(),
            changes: this.changes.list(),
            injected: this.injected.map((entry) => ({ ...entry })),
        };
    }

    /** Change runtime settings; missing fields keep their value. @throws Error naming an invalid field. */
    configure(patch: AppgateSettingsPatch): AppgateRuntimeSettings {
        this.settings = validateAppgateSettings({
            ...this.settings,
            ...patch,
            timings: { ...this.settings.timings, ...(patch.timings ?? {}) },
        });
        return this.settings;
    }

    /**
     * The next time `phase` runs (on `appliance`, by id or name, or on any appliance) it fails with
     * `reason` in the upgrade details. Calls queue up.
     */
    injectFailure(phase: AppgateFailurePhase, options: { appliance?: string; reason?: string } = {}): void {
        const applianceId = options.appliance === undefined ? undefined : this.find(options.appliance).id;
        const reason =
            options.reason ??
            {
                download: "Download failed: connection to the image server was lost",
                verify: "Image signature verification failed",
                install: "Installation failed: not enough space on the inactive partition",
            }[phase];
        this.injected.push({ applianceId, phase, reason });
    }

    /** Drop every queued failure. */
    clearInjectedFailures(): void {
        this.injected.length = 0;
    }

    /**
     * Make every login token expire now (clients then get 401 and must log in again). With
     * `untilRefused`, a client that renews its token on its own before its next request still gets
     * one 401 (see {@link AppgateAuth.expireAll}).
     */
    expireTokens(options: { untilRefused?: boolean } = {}): void {
        this.auth.expireAll(options.untilRefused === true);
    }

    /** Reboot window of the primary controller (used by `reboot()` without a duration). */
    protected rebootWindowMs(): number {
        return this.settings.timings.rebootMs;
    }

    /** Cancel timers and downloads (then the base class closes the server). */
    protected beforeStop(): void {
        this.timers.cancelAll();
        for (const appliance of this.members) appliance.abortJob();
    }

    private find(idOrName: string): SimAppliance {
        const appliance = this.members.find((candidate) => candidate.id === idOrName || candidate.name === idOrName);
        if (appliance === undefined) throw new Error(`Appgate simulator [${this.name}] has no appliance ${JSON.stringify(idOrName)}.`);
        return appliance;
    }

    private primary(): SimAppliance {
        return this.members.find((appliance) => appliance.primary)!;
    }

    private unavailableReason(): string | undefined {
        const primary = this.primary();
        if (this.settings.controllerDownWhileInstalling && primary.status === "installing") {
            return `Controller ${primary.name} is installing an upgrade; its services are stopped.`;
        }
        return undefined;
    }

    private takeInjectedFailure(applianceId: string, phase: AppgateFailurePhase): string | undefined {
        const index = this.injected.findIndex(
            (entry) => entry.phase === phase && (entry.applianceId === undefined || entry.applianceId === applianceId),
        );
        if (index < 0) return undefined;
        return this.injected.splice(index, 1)[0]!.reason;
    }

    private rebootAppliance(appliance: SimAppliance, hooks: { whileOffline: () => void; beforeOnline: () => void }): void {
        const downtimeMs = this.settings.timings.rebootMs;
        if (appliance.primary) {
            // The controller's own reboot closes the admin API. A manual reboot under way goes first.
            void this.server
                .whenOnline()
                .then(() => (this.server.state === "online" ? this.server.reboot(downtimeMs, hooks) : undefined))
                .catch(() => undefined);
            return;
        }
        this.log(`${this.name} ${appliance.name} rebooting for ${downtimeMs} ms`);
        hooks.whileOffline();
        this.timers.after(downtimeMs, hooks.beforeOnline);
    }

    private buildAppliances(options: AppgateSimulatorOptions): void {
        const specs = options.appliances ?? DEFAULT_APPGATE_APPLIANCES;
        const names = new Set<string>();
        const defaultVersion = parseApplianceVersion(options.version ?? APPGATE_DEFAULT_VERSION);
        let primaryAssigned = false;
        for (const spec of specs) {
            if (typeof spec.name !== "string" || spec.name === "") throw new Error("Appgate simulator: every appliance needs a [name].");
            if (names.has(spec.name)) throw new Error(`Appgate simulator: appliance name ${JSON.stringify(spec.name)} is used twice.`);
            names.add(spec.name);
            const role = spec.role ?? "gateway";
            const siteName = spec.site ?? APPGATE_DEFAULT_SITE;
            let site = this.siteList.find((candidate) => candidate.name === siteName);
            if (site === undefined) {
                site = { id: stableAppgateId("site", siteName), name: siteName };
                this.siteList.push(site);
            }
            const primary: boolean = role === "controller" && !primaryAssigned;
            primaryAssigned ||= primary;
            const volume = spec.volumeNumber ?? 1;
            if (volume !== 1 && volume !== 2) throw new Error(`Appgate simulator: appliance ${spec.name} [volumeNumber] must be 1 or 2.`);
            this.members.push(
                new SimAppliance(
                    {
                        id: spec.id ?? stableAppgateId("appliance", spec.name),
                        name: spec.name,
                        hostname: spec.hostname ?? `${spec.name}.sdp.sim`,
                        role,
                        siteId: site.id,
                        siteName,
                        primary,
                    },
                    spec.version === undefined ? defaultVersion : parseApplianceVersion(spec.version),
                    volume,
                    {
                        timers: this.timers,
                        settings: () => this.settings,
                        changes: this.changes,
                        download: (url, signal) =>
                            downloadImage(url, { prefixBytes: APPGATE_IMAGE_PREFIX_BYTES, signal, ...this.downloadOptions }),
                        takeInjectedFailure: (id, phase) => this.takeInjectedFailure(id, phase),
                        reboot: (appliance, hooks) => this.rebootAppliance(appliance, hooks),
                        onChange: (appliance) => this.emit("upgrade-state", snapshotOf(appliance)),
                        log: (line) => this.log(`${this.name} ${line}`),
                    },
                ),
            );
        }
        if (!primaryAssigned) throw new Error("Appgate simulator: the collective needs at least one appliance with role controller.");
    }
}

function snapshotOf(appliance: SimAppliance): AppgateApplianceSnapshot {
    return {
        id: appliance.id,
        name: appliance.name,
        role: appliance.role,
        primary: appliance.primary,
        siteId: appliance.siteId,
        siteName: appliance.siteName,
        online: appliance.online,
        version: formatApplianceVersion(appliance.version),
        volumeNumber: appliance.volumeNumber,
        upgrade: { status: appliance.status, details: appliance.details },
        preparedImage: appliance.preparedImage,
        accepted: { ...appliance.accepted },
        raceReads: appliance.raceReads,
    };
}

function isCoreCode(code: string): boolean {
    return (Object.values(CoreErrorCodes) as string[]).includes(code);
}

/** Start one simulated collective. */
export function startAppgateSimulator(options: AppgateSimulatorOptions = {}): Promise<AppgateSimulator> {
    return AppgateSimulator.start(options);
}

/**
 * Start several collectives, each with its own controller port (`shared.port + i` when a port is
 * given, else free ports), named `collective-1`, ….
 */
export function startAppgateFleet(
    collectives: number | readonly AppgateSimulatorOptions[],
    shared: AppgateSimulatorOptions = {},
): Promise<Fleet<AppgateSimulator>> {
    return startNamedFleet(collectives, shared, "collective", (options) => AppgateSimulator.start(options));
}
