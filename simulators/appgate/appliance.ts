/**
 * One simulated appliance and its upgrade state machine (appgate.md §4–§6).
 *
 * ```text
 * idle|failed --prepare--> (idle for idleAfterPrepareMs: the sdpctl#319 race) → started → downloading → verifying → ready
 * ready --complete{switchPartition:true}--> installing → [reboot: unreachable for rebootMs] → idle, new version, other volume
 * ready --complete{switchPartition:false}-> installing → success --upgrade/switch-partition--> [reboot] → idle, new version, other volume
 * idle|failed --POST /upgrade (one-shot)--> prepare steps → installing → [reboot] → idle
 * anything but installing --DELETE (cancel)--> (cancelMs) → idle
 * downloading|verifying|installing --(download/verification/installation problem)--> failed, reason in details
 * ```
 *
 * Wrong-state calls throw 412 `{id, message}`. Every accepted call registers a change (see
 * `changes.ts`): prepare's change completes once the appliance has taken the job (it reaches
 * `downloading`), so a client that sees `idle` right after prepare can tell "not started yet" from
 * "dropped" by looking at the change; complete's and switch-partition's changes complete when the
 * appliance is back from its reboot (or reaches `success`); cancel's when the appliance is `idle`.
 *
 * Volumes: each appliance has two volumes (partitions); installing writes the new version to the
 * inactive one and a partition switch boots it. So an appliance that reboots without switching
 * comes back on the old version and the same volume (what sdpctl#241 failed to notice).
 */
import type { TimerGroup, TimerHandle } from "../core/clock";
import { SimulatorHttpError } from "../core/http-error";
import type { ChangeLog, ChangeRecord } from "./changes";
import { AppgateErrorIds, REBOOT_REQUIRED_DETAILS } from "./constants";
import { imageFileNameOf, type ImageDownload } from "./downloads";
import { verifyAppgateImage } from "./image-format";
import type { AppgateRole, AppgateRuntimeSettings } from "./options";
import { formatApplianceVersion, type ApplianceVersion } from "./versions";

/** Upgrade status values of `GET /appliances/{id}/upgrade` (the documented enum). */
export type AppgateUpgradeStatus = "idle" | "started" | "downloading" | "verifying" | "ready" | "installing" | "success" | "failed";

/** Phases a failure can be injected into. */
export type AppgateFailurePhase = "download" | "verify" | "install";

/** Accepted (202) upgrade calls per kind, for "exactly one prepare per appliance" assertions. */
export interface ApplianceCallCounts {
    prepare: number;
    complete: number;
    switchPartition: number;
    cancel: number;
    upgrade: number;
}

/** A 4xx with extra body fields next to `{id, message}` (406 min/max versions, 422 `errors`, 401 `reason`). */
export class AppgateHttpError extends SimulatorHttpError {
    constructor(
        status: number,
        id: string,
        message: string,
        readonly extra: Readonly<Record<string, unknown>> = {},
        headers: Readonly<Record<string, string>> = {},
    ) {
        super(status, id, message, headers);
        this.name = "AppgateHttpError";
    }
}

/** A plain-text answer instead of the JSON error body (a proxy in front of an unreachable appliance). */
export class PlainTextHttpError extends Error {
    constructor(
        readonly status: number,
        readonly text: string,
    ) {
        super(text);
        this.name = "PlainTextHttpError";
    }
}

/** What an appliance needs from its simulator. */
export interface ApplianceDeps {
    readonly timers: TimerGroup;
    readonly settings: () => AppgateRuntimeSettings;
    readonly changes: ChangeLog;
    /** Fetch the image (never rejects). */
    readonly download: (url: URL, signal: AbortSignal) => Promise<ImageDownload>;
    /** A queued failure for this appliance and phase, as its reason, or `undefined`. */
    readonly takeInjectedFailure: (applianceId: string, phase: AppgateFailurePhase) => string | undefined;
    /**
     * Take the appliance down for `rebootMs`; `whileOffline` runs once it is unreachable,
     * `beforeOnline` right before it answers again.
     */
    readonly reboot: (appliance: SimAppliance, hooks: { whileOffline: () => void; beforeOnline: () => void }) => void;
    /** Called after every upgrade state change. */
    readonly onChange: (appliance: SimAppliance) => void;
    readonly log: (line: string) => void;
}

/** Fixed facts of one appliance. */
export interface ApplianceIdentity {
    readonly id: string;
    readonly name: string;
    readonly hostname: string;
    readonly role: AppgateRole;
    readonly siteId: string;
    readonly siteName: string;
    /** The primary controller serves the admin API. */
    readonly primary: boolean;
}

interface Job {
    readonly handles: TimerHandle[];
    readonly abort: AbortController;
    /** The change this job completes (prepare, complete, one-shot upgrade, switch, cancel). */
    readonly change: ChangeRecord;
    cancelled: boolean;
}

/** A simulated appliance. */
export class SimAppliance implements ApplianceIdentity {
    readonly id: string;
    readonly name: string;
    readonly hostname: string;
    readonly role: AppgateRole;
    readonly siteId: string;
    readonly siteName: string;
    readonly primary: boolean;
    /** Accepted upgrade calls. */
    readonly accepted: ApplianceCallCounts = { prepare: 0, complete: 0, switchPartition: 0, cancel: 0, upgrade: 0 };
    /** `GET .../upgrade` answers that read `idle` while an accepted prepare had not started yet. */
    raceReads = 0;
    /** `idle` answers still owed after the last prepare (`idleAfterPrepareReads`). */
    private maskedIdleReads = 0;

    private readonly volumes: { 1: ApplianceVersion | undefined; 2: ApplianceVersion | undefined };
    private active: 1 | 2;
    private upgradeStatus: AppgateUpgradeStatus = "idle";
    private upgradeDetails = "";
    private prepared: { fileName: string; version: ApplianceVersion } | undefined;
    private job: Job | undefined;
    private prepareQueued = false;
    private reachable = true;

    constructor(
        identity: ApplianceIdentity,
        version: ApplianceVersion,
        volumeNumber: 1 | 2,
        private readonly deps: ApplianceDeps,
    ) {
        this.id = identity.id;
        this.name = identity.name;
        this.hostname = identity.hostname;
        this.role = identity.role;
        this.siteId = identity.siteId;
        this.siteName = identity.siteName;
        this.primary = identity.primary;
        this.active = volumeNumber;
        this.volumes = { 1: undefined, 2: undefined };
        this.volumes[volumeNumber] = version;
    }

    /** The running version. */
    get version(): ApplianceVersion {
        return this.volumes[this.active]!;
    }

    /** The active volume number. */
    get volumeNumber(): 1 | 2 {
        return this.active;
    }

    /** False during a reboot window. */
    get online(): boolean {
        return this.reachable;
    }

    /** The upgrade status (without counting a read). */
    get status(): AppgateUpgradeStatus {
        return this.upgradeStatus;
    }

    /** The upgrade details text. */
    get details(): string {
        return this.upgradeDetails;
    }

    /** The verified image waiting to be installed, if any. */
    get preparedImage(): string | undefined {
        return this.prepared?.fileName;
    }

    /** `GET /appliances/{id}/upgrade`: counts reads that hit the idle-after-prepare race. */
    readUpgrade(): { status: AppgateUpgradeStatus; details: string } {
        if (this.maskedIdleReads > 0) {
            // `idleAfterPrepareReads`: idle whatever the appliance does and whatever the change record says.
            this.maskedIdleReads--;
            this.raceReads++;
            return { status: "idle", details: "" };
        }
        if (this.prepareQueued) this.raceReads++;
        return { status: this.upgradeStatus, details: this.upgradeDetails };
    }

    /** `POST .../upgrade/prepare` (or the one-shot `POST .../upgrade` with `oneShot`). */
    prepare(imageUrl: unknown, oneShot = false): ChangeRecord {
        if (this.deps.settings().busyPrepareStatus === 409 && !["idle", "failed"].includes(this.upgradeStatus)) {
            throw new SimulatorHttpError(
                409,
                AppgateErrorIds.conflict,
                `Appliance ${this.name} already has an upgrade in progress (status '${this.upgradeStatus}').`,
            );
        }
        this.requireStatus(["idle", "failed"], oneShot ? "upgrade" : "prepare an upgrade");
        const url = parseImageUrl(imageUrl);
        const fileName = imageFileNameOf(url);
        const job = this.startJob(oneShot ? "upgrade" : "prepare", `Preparing ${fileName}`);
        if (oneShot) this.accepted.upgrade++;
        else this.accepted.prepare++;
        // The appliance takes a moment to pick the job up: until then it still reads idle (sdpctl#319).
        this.prepared = undefined;
        this.prepareQueued = true;
        this.set("idle", "");
        const settings = this.deps.settings();
        this.maskedIdleReads = oneShot ? 0 : settings.idleAfterPrepareReads;
        if (!oneShot && settings.prepareChangeCompletes === "accepted") {
            this.deps.changes.finish(job.change, "success", `Prepare of ${fileName} accepted`);
        }
        this.after(job, settings.timings.idleAfterPrepareMs, () => {
            this.prepareQueued = false;
            this.set("started", `Preparing ${fileName}`);
            this.after(job, this.deps.settings().timings.startMs, () => this.beginDownload(job, url, fileName, oneShot));
        });
        return job.change;
    }

    /** `POST .../upgrade/complete {switchPartition}`. */
    complete(switchPartition: boolean): ChangeRecord {
        this.requireStatus(["ready"], "complete the upgrade");
        const job = this.startJob("complete", `Installing ${this.prepared!.fileName}`);
        this.accepted.complete++;
        this.beginInstall(job, switchPartition);
        return job.change;
    }

    /** `POST .../upgrade/switch-partition`: reboot into the volume the upgrade was installed on. */
    switchPartitionAfterUpgrade(): ChangeRecord {
        this.requireStatus(["success"], "switch partition");
        const job = this.startJob("switch-partition", "Switching partition");
        this.accepted.switchPartition++;
        this.rebootInto(job, this.inactiveVolume());
        return job.change;
    }

    /**
     * `POST /appliances/{id}/switch-partition`: reboot into the other volume whatever it holds (the
     * documented call has no precondition; the simulator refuses it while installing, which would
     * corrupt the new volume). A volume that never held a version is not booted.
     */
    switchPartition(): ChangeRecord {
        this.requireStatus(["idle", "started", "downloading", "verifying", "ready", "success", "failed"], "switch partition");
        const other = this.inactiveVolume();
        const job = this.startJob("switch-partition", "Switching partition");
        this.accepted.switchPartition++;
        this.rebootInto(job, this.volumes[other] === undefined ? undefined : other);
        return job.change;
    }

    /** `DELETE .../upgrade`: cancel whatever is prepared or preparing. */
    cancel(): ChangeRecord {
        this.requireStatus(["idle", "started", "downloading", "verifying", "ready", "success", "failed"], "cancel the upgrade");
        const job = this.startJob("cancel", "Cancelling the upgrade");
        this.accepted.cancel++;
        this.prepareQueued = false;
        this.maskedIdleReads = 0;
        if (this.upgradeStatus === "idle" && this.prepared === undefined) {
            this.deps.changes.finish(job.change, "success", "Nothing to cancel");
            this.job = undefined;
            return job.change;
        }
        this.after(job, this.deps.settings().timings.cancelMs, () => {
            this.prepared = undefined;
            this.set("idle", "");
            this.finishJob(job, "success", "Upgrade cancelled");
        });
        return job.change;
    }

    /** Abort whatever runs (simulator stop). */
    abortJob(): void {
        if (this.job !== undefined) this.stopJob(this.job);
    }

    /** The appliance object as `GET /appliances` lists it (the fields clients use). */
    applianceObject(): Record<string, unknown> {
        const enabled = (role: AppgateRole) => ({ enabled: this.role === role });
        return {
            id: this.id,
            name: this.name,
            notes: "",
            tags: [],
            activated: true,
            pendingCertificateRenewal: false,
            hostname: this.hostname,
            site: this.siteId,
            siteName: this.siteName,
            clientInterface: { hostname: this.hostname, proxyProtocol: false, httpsPort: 443, dtlsPort: 443, allowSources: [] },
            peerInterface: { hostname: this.hostname, httpsPort: 444, allowSources: [] },
            ...(this.role === "controller" ? { adminInterface: { hostname: this.hostname, httpsPort: 8443, allowSources: [] } } : {}),
            controller: enabled("controller"),
            gateway: enabled("gateway"),
            logServer: enabled("logServer"),
            logForwarder: enabled("logForwarder"),
            connector: enabled("connector"),
            portal: enabled("portal"),
        };
    }

    /** The entry of `GET /appliances/status` (ApplianceWithStatus). */
    statusObject(): Record<string, unknown> {
        if (!this.reachable) {
            return {
                id: this.id,
                name: this.name,
                online: false,
                status: "offline",
                state: "offline",
                applianceVersion: "unknown",
                disk: 0,
                details: {},
            };
        }
        const busy = this.upgradeStatus !== "idle" && this.upgradeStatus !== "ready" && this.upgradeStatus !== "failed";
        const health = busy ? "busy" : "healthy";
        const version = formatApplianceVersion(this.version);
        return {
            id: this.id,
            name: this.name,
            online: true,
            status: health,
            state: this.role === "controller" ? "controller_ready" : "appliance_ready",
            applianceVersion: version,
            disk: 23,
            details: {
                version,
                volumeNumber: this.active,
                status: health,
                roles: { [this.role]: { status: health, ...(this.role === "controller" ? { maintenanceMode: false } : {}) } },
                // Coarse, as on a real controller (sdpctl#582): use GET .../upgrade for the real status.
                upgrade: { status: this.upgradeStatus === "idle" ? "idle" : "upgrading", details: this.upgradeDetails },
            },
        };
    }

    private beginDownload(job: Job, url: URL, fileName: string, oneShot: boolean): void {
        this.set("downloading", `Downloading ${fileName}`);
        // The appliance has taken the job: the prepare change is done (the one-shot change waits for the reboot).
        if (!oneShot && this.deps.settings().prepareChangeCompletes === "downloading") {
            this.deps.changes.finish(job.change, "success", `Appliance is preparing ${fileName}`);
        }
        let fetched: ImageDownload | undefined;
        let minimumElapsed = false;
        const proceed = () => {
            if (job.cancelled || fetched === undefined || !minimumElapsed) return;
            const injected = this.deps.takeInjectedFailure(this.id, "download");
            if (injected !== undefined) return this.fail(job, injected);
            if (!fetched.ok) return this.fail(job, fetched.reason);
            this.set("verifying", `Verifying ${fileName}`);
            const download = fetched;
            this.after(job, this.deps.settings().timings.verifyMs, () => {
                const injectedVerify = this.deps.takeInjectedFailure(this.id, "verify");
                if (injectedVerify !== undefined) return this.fail(job, injectedVerify);
                const verdict = verifyAppgateImage(fileName, download.prefix, download.bytes);
                if (!verdict.ok) return this.fail(job, verdict.reason);
                this.prepared = { fileName, version: verdict.version };
                this.set("ready", fileName);
                if (!oneShot) this.deps.changes.finish(job.change, "success", `Prepared ${fileName}`); // a no-op unless it completes at ready
                if (oneShot) this.beginInstall(job, true);
                else this.job = undefined;
            });
        };
        this.after(job, this.deps.settings().timings.downloadMs, () => {
            minimumElapsed = true;
            proceed();
        });
        void this.deps.download(url, job.abort.signal).then((result) => {
            fetched = result;
            proceed();
        });
    }

    private beginInstall(job: Job, switchPartition: boolean): void {
        const image = this.prepared!;
        this.set("installing", `Installing ${image.fileName}`);
        this.after(job, this.deps.settings().timings.installMs, () => {
            const injected = this.deps.takeInjectedFailure(this.id, "install");
            if (injected !== undefined) {
                this.prepared = undefined;
                return this.fail(job, injected);
            }
            const target = this.inactiveVolume();
            this.volumes[target] = image.version;
            if (switchPartition) {
                this.rebootInto(job, target);
                return;
            }
            this.set("success", REBOOT_REQUIRED_DETAILS);
            this.finishJob(
                job,
                "success",
                `Installed ${formatApplianceVersion(image.version)} on volume ${target}; a partition switch is pending`,
            );
        });
    }

    /** Reboot; boot `volume` (undefined: the same one). The job's change completes when the appliance is back. */
    private rebootInto(job: Job, volume: 1 | 2 | undefined): void {
        this.deps.reboot(this, {
            whileOffline: () => {
                this.reachable = false;
                this.deps.onChange(this);
            },
            beforeOnline: () => {
                if (volume !== undefined) this.active = volume;
                this.prepared = undefined;
                this.prepareQueued = false;
                this.maskedIdleReads = 0;
                this.reachable = true;
                this.set("idle", "");
                this.finishJob(job, "success", `Running ${formatApplianceVersion(this.version)} on volume ${this.active}`);
                this.deps.log(`${this.name} is back: version ${formatApplianceVersion(this.version)}, volume ${this.active}`);
            },
        });
    }

    private fail(job: Job, reason: string): void {
        this.set("failed", reason);
        const generic = this.deps.settings().changeFailureDetails === "generic";
        this.finishJob(job, "failure", generic ? `The ${job.change.kind} job failed.` : reason);
    }

    private startJob(kind: ChangeRecord["kind"], details: string): Job {
        if (this.job !== undefined) {
            const previous = this.job;
            this.stopJob(previous);
            this.deps.changes.finish(previous.change, "failure", `Superseded by ${kind}`);
        }
        const job: Job = {
            handles: [],
            abort: new AbortController(),
            change: this.deps.changes.open(this.id, kind, details),
            cancelled: false,
        };
        this.job = job;
        return job;
    }

    private finishJob(job: Job, result: "success" | "failure", details: string): void {
        this.deps.changes.finish(job.change, result, details);
        if (this.job === job) this.job = undefined;
    }

    private stopJob(job: Job): void {
        job.cancelled = true;
        for (const handle of job.handles) handle.cancel();
        job.handles.length = 0;
        job.abort.abort();
        if (this.job === job) this.job = undefined;
    }

    private after(job: Job, delayMs: number, callback: () => void): void {
        if (job.cancelled) return;
        job.handles.push(
            this.deps.timers.after(delayMs, () => {
                if (!job.cancelled) callback();
            }),
        );
    }

    private inactiveVolume(): 1 | 2 {
        return this.active === 1 ? 2 : 1;
    }

    private requireStatus(allowed: readonly AppgateUpgradeStatus[], action: string): void {
        if (!allowed.includes(this.upgradeStatus)) {
            throw new SimulatorHttpError(
                412,
                AppgateErrorIds.applianceState,
                `Appliance ${this.name} cannot ${action}: its upgrade status is '${this.upgradeStatus}'; allowed in ${allowed.map((s) => `'${s}'`).join(", ")}.`,
            );
        }
    }

    private set(status: AppgateUpgradeStatus, details: string): void {
        const changed = status !== this.upgradeStatus || details !== this.upgradeDetails;
        this.upgradeStatus = status;
        this.upgradeDetails = details;
        if (changed) this.deps.onChange(this);
    }
}

function parseImageUrl(raw: unknown): URL {
    if (typeof raw !== "string" || raw === "") {
        throw new AppgateHttpError(422, AppgateErrorIds.validation, "Validation failed.", {
            errors: [{ field: "imageUrl", message: "must be a non-empty string" }],
        });
    }
    let url: URL;
    try {
        url = new URL(raw);
    } catch {
        throw new AppgateHttpError(422, AppgateErrorIds.validation, "Validation failed.", {
            errors: [{ field: "imageUrl", message: `not a valid URL: ${raw}` }],
        });
    }
    if (!["http:", "https:", "controller:"].includes(url.protocol)) {
        throw new AppgateHttpError(422, AppgateErrorIds.validation, "Validation failed.", {
            errors: [{ field: "imageUrl", message: `must be an http(s) or controller:// URL, got ${url.protocol}` }],
        });
    }
    return url;
}
