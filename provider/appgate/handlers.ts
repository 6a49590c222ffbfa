/**
 * Provider logic of `appgate:ApplianceUpgrade` (runs in the provider process, loaded by the runtime).
 *
 * Create / update, in order:
 * 1. Look the appliance up on the controller (unknown id → error); when `site` is given, it must
 *    be the appliance's site id or name.
 * 2. Read the running version from `GET /appliances/status`. Already at the target → nothing to do.
 *    A target older than the running version is refused unless `allowDowngrade`.
 * 3. Prepare, unless the upgrade is already installed: `ready` with our image → adopt; `started`,
 *    `downloading` or `verifying` of our image → adopt and wait; `idle`/`failed` → one
 *    `POST .../upgrade/prepare`, then wait for `ready`. A different image prepared by this resource
 *    before (the image input changed) is cancelled first; one prepared by someone else is an error.
 *    While waiting, `idle` counts as "not started yet" until the prepare's change has completed
 *    (the race of sdpctl#319); after that it means the upgrade was dropped.
 * 4. With `stage: "complete"`: `POST .../upgrade/complete {switchPartition}` (or
 *    `upgrade/switch-partition` when it is already installed), then wait until the appliance is
 *    back at the target version **and** on the other volume (sdpctl#241). Connection errors, 502s
 *    and an `offline` status entry during the reboot are pending, for up to `rebootTimeoutSeconds`
 *    in a row; the session logs in again and renegotiates the API version when the controller
 *    itself comes back (tokens are gone, the peer version moved). Without `switchPartition` the
 *    wait ends at `success` (installed, partition switch pending).
 *
 * Failure (`failed`, the upgrade dropped, a reboot that did not switch volumes, a timeout) is an
 * error naming the appliance, the controller, the phase and the appliance's details. Once the
 * resource has acted on the appliance the error is a partial failure: it stays in state and the
 * next `up` resumes from whatever the appliance reports. Nothing is ever prepared twice: every
 * action is decided from the appliance's current upgrade status, actions on one appliance are
 * serialised within a run, and a prepare is only retried when the request provably never arrived.
 *
 * Destroy: before completion it cancels the prepared (or preparing, or failed) upgrade of this
 * image with `DELETE .../upgrade` and waits for `idle`; after completion it only forgets the
 * resource (an upgrade cannot be undone; the appliance keeps its new version).
 */

import { z } from "zod";
import { vendorRuntime } from "../core/dynamic";
import { appgateKinds } from "./kinds";
import {
    inputsFromState, checkWithSchema, containsUnknown, progressLogger, ResourceNotReadyError, type CreateResult, type DiffResult, type Progress, type ReadResult, type ResourceHandler } from "../core/dynamic";
import { InputError, isTransientError, VendorApiError, VendorFailureError } from "../core/errors";
import { connectionFields, resolveConnection } from "../core/connection";
import { resolveSetting } from "../core/settings";
import { formatDuration, readThrough, waitFor, WaitFailedError, type Observation, type WaitEvent } from "../core/waiter";
import { IdleGrace, idleGraceFor } from "./idle-grace";
import { adminBaseUrl, AppgateClient, MIN_PEER_API_VERSION, type AppgateApplianceStatus, type AppgateConnection, type AppgateUpgradeState } from "./client";
import { compareAppgateVersions, formatAppgateVersion, imageFileName, parseAppgateVersion, sameAppgateVersion, versionFromImageName, type AppgateVersion } from "./versions";

/** Defaults of the wait inputs, in seconds. sdpctl allows 30 minutes per appliance for prepare and for complete. */
export const APPGATE_DEFAULTS = {
    waitTimeoutSeconds: 1_800,
    pollIntervalSeconds: 5,
    rebootTimeoutSeconds: 900,
    stage: "prepare",
    switchPartition: true,
    identityProvider: "local",
} as const;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const VERSION = /^\d+\.\d+\.\d+(?:[+-]\d+)?$/;

const connectionSchema = z
    .object({
        ...connectionFields,
        endpoint: z.string().url("must be the controller URL, e.g. https://controller.example.com:8443/admin").optional(),
        identityProvider: z.string().min(1).optional(),
        apiVersion: z
            .number()
            .int("must be a whole peer API version number")
            .min(MIN_PEER_API_VERSION, `must be at least ${MIN_PEER_API_VERSION} (Appgate SDP 6.3); leave it unset to negotiate`)
            .max(99)
            .optional(),
    })
    .strict();

function isImageUrl(value: string): boolean {
    try {
        const u = new URL(value);
        return ["http:", "https:", "controller:"].includes(u.protocol) && imageFileName(value) !== "";
    } catch {
        return false;
    }
}

/** Input schema of `appgate:ApplianceUpgrade` (also used by `check`). */
export const applianceUpgradeInputsSchema = z
    .object({
        __logName: z.string().optional(),
        connection: connectionSchema.optional(),
        applianceId: z.string().regex(UUID, "must be the appliance's id, a UUID (GET /admin/appliances lists them)"),
        imageUrl: z
            .string()
            .refine(isImageUrl, "must be an http(s):// or controller:// URL ending in the image file name, e.g. https://files.example.com/appgate-6.4.1-40123-release.img.zip"),
        targetVersion: z.string().regex(VERSION, "must look like 6.4.1 or 6.4.1+40123").optional(),
        switchPartition: z.boolean().optional(),
        stage: z.enum(["prepare", "complete"], { message: 'must be "prepare" (stop at ready) or "complete" (install and switch)' }).optional(),
        site: z.string().min(1).optional(),
        allowDowngrade: z.boolean().optional(),
        waitTimeoutSeconds: z.number().int("must be a whole number of seconds").positive("must be a positive number of seconds").max(86_400).optional(),
        pollIntervalSeconds: z.number().positive("must be a positive number of seconds").max(300).optional(),
        rebootTimeoutSeconds: z.number().int("must be a whole number of seconds").positive("must be a positive number of seconds").max(86_400).optional(),
    })
    .passthrough();

/** Inputs after `check`. */
export type ApplianceUpgradeInputs = z.infer<typeof applianceUpgradeInputsSchema>;

/** How far the resource got. */
export type UpgradePhase = "prepared" | "installed" | "completed" | "current" | "failed";

/** Outputs (state) of `appgate:ApplianceUpgrade`. */
export interface ApplianceUpgradeOutputs extends ApplianceUpgradeInputs {
    applianceName: string;
    siteId: string;
    siteName: string;
    /** `prepared` (ready), `installed` (success, partition switch pending), `completed`, `current` (was already at the target), `failed`. */
    phase: UpgradePhase;
    /** Last upgrade status the appliance reported. */
    upgradeStatus: string;
    upgradeDetails: string;
    /** The image file name this resource prepared or is preparing ("" when none, or once installed). */
    preparedImage: string;
    runningVersion: string;
    volumeNumber: number;
    /** Version and volume before this resource completed the upgrade. */
    previousVersion: string;
    previousVolumeNumber: number;
    /** Peer API version the provider spoke to the controller. */
    peerApiVersion: number;
}

const OUTPUT_KEYS: ReadonlyArray<keyof ApplianceUpgradeOutputs> = [
    "applianceName",
    "siteId",
    "siteName",
    "phase",
    "upgradeStatus",
    "upgradeDetails",
    "preparedImage",
    "runningVersion",
    "volumeNumber",
    "previousVersion",
    "previousVolumeNumber",
    "peerApiVersion",
];

function connectionOf(inputs: ApplianceUpgradeInputs): AppgateConnection {
    const c = inputs.connection ?? {};
    const shared = resolveConnection(c, "appgate");
    const apiVersionText = resolveSetting(c.apiVersion === undefined ? undefined : String(c.apiVersion), "appgate", "apiVersion");
    let apiVersion: number | undefined;
    if (apiVersionText !== undefined) {
        apiVersion = Number(apiVersionText);
        if (!Number.isInteger(apiVersion) || apiVersion < MIN_PEER_API_VERSION) {
            throw new InputError("connection.apiVersion", `must be a peer API version of at least ${MIN_PEER_API_VERSION}, got ${apiVersionText}`);
        }
    }
    return {
        ...shared,
        endpoint: adminBaseUrl(shared.endpoint),
        identityProvider: resolveSetting(c.identityProvider, "appgate", "identityProvider") ?? APPGATE_DEFAULTS.identityProvider,
        apiVersion,
    };
}

/** Everything one operation needs. */
interface Run {
    readonly inputs: ApplianceUpgradeInputs;
    readonly client: AppgateClient;
    readonly endpoint: string;
    readonly log: Progress;
    readonly id: string;
    readonly imageName: string;
    readonly target: AppgateVersion;
    readonly stage: "prepare" | "complete";
    readonly switchPartition: boolean;
    readonly timeoutMs: number;
    readonly pollMs: number;
    readonly rebootMs: number;
    /** `appgate appliance <name> (<id>) on controller <url>`, refined once the name is known. */
    subject: string;
}

function startRun(inputs: ApplianceUpgradeInputs): Run {
    const connection = connectionOf(inputs);
    const client = AppgateClient.for(connection);
    const imageName = imageFileName(inputs.imageUrl);
    const target = targetOf(inputs);
    if (!target) {
        throw new InputError("targetVersion", `not set and not derivable from the image file name ${imageName}`);
    }
    return {
        inputs,
        client,
        endpoint: connection.endpoint,
        log: progressLogger(inputs.__logName, (s) => client.session.redact(s)),
        id: inputs.applianceId,
        imageName,
        target,
        stage: inputs.stage ?? APPGATE_DEFAULTS.stage,
        switchPartition: inputs.switchPartition ?? APPGATE_DEFAULTS.switchPartition,
        timeoutMs: (inputs.waitTimeoutSeconds ?? APPGATE_DEFAULTS.waitTimeoutSeconds) * 1_000,
        pollMs: (inputs.pollIntervalSeconds ?? APPGATE_DEFAULTS.pollIntervalSeconds) * 1_000,
        rebootMs: (inputs.rebootTimeoutSeconds ?? APPGATE_DEFAULTS.rebootTimeoutSeconds) * 1_000,
        subject: `appgate appliance ${inputs.applianceId} on controller ${connection.endpoint}`,
    };
}

function targetOf(inputs: { targetVersion?: string; imageUrl: string }): AppgateVersion | undefined {
    return inputs.targetVersion !== undefined ? parseAppgateVersion(inputs.targetVersion) : versionFromImageName(imageFileName(inputs.imageUrl));
}

/** Actions on one appliance never overlap within a provider process (one prepare per appliance). */
const applianceLocks = new Map<string, Promise<unknown>>();

async function withApplianceLock<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const previous = applianceLocks.get(key) ?? Promise.resolve();
    const mine = previous.catch(() => undefined).then(fn);
    const tail = mine.catch(() => undefined);
    applianceLocks.set(key, tail);
    try {
        return await mine;
    } finally {
        if (applianceLocks.get(key) === tail) {
            applianceLocks.delete(key);
        }
    }
}

/** The create/update flow (see the module comment). `previous` are the outputs of the last run, if any. */
async function converge(inputs: ApplianceUpgradeInputs, previous: ApplianceUpgradeOutputs | undefined): Promise<ApplianceUpgradeOutputs> {
    const run = startRun(inputs);
    return withApplianceLock(`${run.endpoint}|${run.id}`, async () => {
        let outs: ApplianceUpgradeOutputs = {
            ...inputs,
            applianceName: previous?.applianceName ?? "",
            siteId: previous?.siteId ?? "",
            siteName: previous?.siteName ?? "",
            phase: previous?.phase ?? "failed",
            upgradeStatus: previous?.upgradeStatus ?? "",
            upgradeDetails: previous?.upgradeDetails ?? "",
            preparedImage: previous?.preparedImage ?? "",
            runningVersion: previous?.runningVersion ?? "",
            volumeNumber: previous?.volumeNumber ?? 0,
            previousVersion: previous?.previousVersion ?? "",
            previousVolumeNumber: previous?.previousVolumeNumber ?? 0,
            peerApiVersion: previous?.peerApiVersion ?? 0,
            targetVersion: inputs.targetVersion ?? formatAppgateVersion(run.target),
        };
        const update = (patch: Partial<ApplianceUpgradeOutputs>) => {
            outs = { ...outs, ...patch, peerApiVersion: run.client.auth.peerVersion ?? outs.peerApiVersion };
        };
        let phase = "looking up the appliance";
        let acted = false;
        try {
            const appliance = await lookup(run, "lookup", () => run.client.appliance(run.id));
            if (!appliance) {
                throw new InputError("applianceId", `the controller has no appliance with id ${run.id}`);
            }
            run.subject = `appgate appliance ${appliance.name} (${run.id}) on controller ${run.endpoint}`;
            update({ applianceName: appliance.name, siteId: appliance.site ?? "", siteName: appliance.siteName ?? "" });
            if (inputs.site !== undefined && inputs.site !== appliance.site && inputs.site !== appliance.siteName) {
                throw new InputError(
                    "site",
                    `appliance ${appliance.name} belongs to site "${appliance.siteName ?? "?"}" (${appliance.site ?? "?"}), not "${inputs.site}"`,
                );
            }

            phase = "reading the appliance status";
            const status = await waitOnline(run, (p) => update(p));
            const running = parseAppgateVersion(status.version)!;
            update({ runningVersion: status.version!, volumeNumber: status.volumeNumber ?? 0 });
            if (sameAppgateVersion(running, run.target)) {
                const up = await lookup(run, "upgrade status", () => run.client.upgrade(run.id));
                update({ upgradeStatus: up.status, upgradeDetails: up.details, preparedImage: "", ...alreadyAtTarget(previous, run) });
                run.log(
                    outs.phase === "completed"
                        ? `${appliance.name} runs ${status.version}: the upgrade this resource started has finished (was ${outs.previousVersion || "unknown"})`
                        : `${appliance.name} already runs ${status.version} (target ${formatAppgateVersion(run.target)}): nothing to do`,
                );
                return outs;
            }
            if (compareAppgateVersions(run.target, running) < 0 && inputs.allowDowngrade !== true) {
                throw new InputError(
                    "targetVersion",
                    `${formatAppgateVersion(run.target)} is older than the running ${status.version}; set allowDowngrade: true to downgrade on purpose`,
                );
            }

            phase = "reading the upgrade status";
            let up = await lookup(run, "upgrade status", () => run.client.upgrade(run.id));
            update({ upgradeStatus: up.status, upgradeDetails: up.details });
            const installedAlready = up.status === "installing" || up.status === "success";
            if (!installedAlready) {
                phase = `preparing ${run.imageName}`;
                up = await ensurePrepared(run, up, previous, () => {
                    // From here on the image is this resource's, ready or not (resume, cancel on destroy).
                    acted = true;
                    update({ preparedImage: run.imageName });
                });
                acted = true;
                update({ phase: "prepared", upgradeStatus: up.status, upgradeDetails: up.details, preparedImage: run.imageName });
            } else if (run.stage === "prepare") {
                throw new Error(
                    `the appliance reports upgrade status '${up.status}' (${up.details || "no details"}): an upgrade is already being installed; ` +
                        `finish or cancel it before preparing ${run.imageName}`,
                );
            }
            if (run.stage === "prepare") {
                run.log(`${run.imageName} is prepared (ready); set stage: "complete" to install it`);
                return outs;
            }

            phase = `completing the upgrade to ${formatAppgateVersion(run.target)}`;
            const before = { version: status.version!, volume: status.volumeNumber ?? 0 };
            update({ previousVersion: before.version, previousVolumeNumber: before.volume });
            const done = await ensureCompleted(run, up, before, () => (acted = true));
            acted = true;
            update(done);
            return outs;
        } catch (err) {
            const failure = describeFailure(run, phase, err);
            update({ phase: acted ? "failed" : outs.phase });
            if (acted) {
                throw new ResourceNotReadyError(run.id, outs, failure);
            }
            throw failure;
        }
    });
}

/** Turns any error into one naming the appliance, the controller, the phase and the vendor's words. */
function describeFailure(run: Run, phase: string, err: unknown): Error {
    if (err instanceof WaitFailedError) {
        return new VendorFailureError(run.subject, phase, err.lastState ?? "?", err.lastObservation?.detail);
    }
    if (err instanceof InputError) {
        return new Error(`${run.subject}: ${err.message}`, { cause: err });
    }
    const message = err instanceof Error ? err.message : String(err);
    return new Error(`${run.subject}: ${phase} failed: ${message}`, { cause: err });
}

/**
 * A read that can happen while the appliance or the controller reboots (a resumed run, refresh,
 * destroy): 502s — JSON or plain text —, refused connections and bursts of 5xx are waited out for up
 * to `rebootTimeoutSeconds` in a row, as the waits do, instead of failing after the session's few
 * retries.
 */
function lookup<R>(run: Run, what: string, read: () => Promise<R>): Promise<R> {
    return readThrough({
        what: `${run.subject} ${what}`,
        read,
        maxOutageMs: run.rebootMs,
        minDelayMs: run.pollMs,
        maxDelayMs: maxDelay(run),
        onProgress: (e) => {
            if (e.kind === "transient" && e.consecutive === 1) {
                run.log(`${what}: unreachable (${firstLine(e.error)}); the appliance may be rebooting, waiting up to ${formatDuration(run.rebootMs)}`);
            } else if (e.kind === "recovered") {
                run.log(`${what}: reachable again after ${formatDuration(e.outageMs)}`);
            }
        },
    });
}

/**
 * Outputs for an appliance found at the target. When this resource had prepared (or was
 * completing) this very image, the upgrade is its own that finished while nobody watched (a run
 * killed during the reboot): phase `completed`, and the version before comes from the state —
 * never the version it runs now; "" when the state does not know it.
 */
function alreadyAtTarget(previous: ApplianceUpgradeOutputs | undefined, run: Run): Partial<ApplianceUpgradeOutputs> {
    const older = (v: string | undefined) => (v && !sameAppgateVersion(parseAppgateVersion(v), run.target) ? v : "");
    const ours = previous !== undefined && (previous.phase === "completed" || previous.preparedImage === run.imageName || previous.phase === "installed");
    if (!ours) {
        return { phase: "current" };
    }
    const previousVersion = older(previous.previousVersion) || older(previous.runningVersion);
    const previousVolumeNumber = previous.previousVolumeNumber || (older(previous.runningVersion) ? previous.volumeNumber : 0);
    return { phase: "completed", previousVersion, previousVolumeNumber };
}

/** The appliance's own failure detail first, then the change record's when it adds something. */
function failureDetail(applianceDetails: string, changeDetails: string | undefined): string {
    if (!changeDetails || applianceDetails.includes(changeDetails)) {
        return applianceDetails || changeDetails || "no details";
    }
    return applianceDetails ? `${applianceDetails} (change: ${changeDetails})` : changeDetails;
}

/** The status entry once the appliance is online (it may still be rebooting from an interrupted run). */
async function waitOnline(run: Run, update: (p: Partial<ApplianceUpgradeOutputs>) => void): Promise<AppgateApplianceStatus & { version: string }> {
    const done = await waitFor<AppgateApplianceStatus>({
        what: `${run.subject} status`,
        refresh: async () => {
            const s = await run.client.applianceStatus(run.id);
            if (!s) {
                throw new Error(`the appliance is not in the controller's status list`);
            }
            return { state: s.online ? "online" : "offline", object: s, detail: s.health };
        },
        target: ["online"],
        pending: ["offline"],
        timeoutMs: run.rebootMs,
        minDelayMs: run.pollMs,
        maxDelayMs: maxDelay(run),
        transient: { maxOutageMs: run.rebootMs },
        onProgress: (e) => {
            if (e.kind === "state" && e.observation.state === "offline") {
                run.log(`appliance is offline (rebooting?); waiting up to ${formatDuration(run.rebootMs)} for it`);
            }
        },
    });
    const s = done.object!;
    if (!parseAppgateVersion(s.version)) {
        throw new Error(`the controller reports an unreadable version ${JSON.stringify(s.version)}`);
    }
    update({ runningVersion: s.version });
    return s as AppgateApplianceStatus & { version: string };
}

function maxDelay(run: Run): number {
    return Math.max(run.pollMs, Math.min(run.pollMs * 4, 30_000));
}

/** Does the upgrade `details` text name `image`? */
function names(details: string, image: string): boolean {
    return details !== "" && details.includes(image);
}

/** Does `details` name some upgrade image? */
function namesAnImage(details: string): boolean {
    return /\.img\.zip\b/i.test(details);
}

/**
 * Decides from the appliance's upgrade status how to get `run.imageName` prepared, and never
 * prepares an image twice:
 * - an idle appliance this resource had already asked to prepare this image (a rerun after the
 *   idle race, sdpctl#319) is re-read for the idle grace period before anything is started;
 * - a prepare refused because the appliance is already past `idle` (412 "status is 'ready'", or
 *   409 "already in progress") is adoption: the status is read again and waited for.
 */
async function ensurePrepared(run: Run, up: AppgateUpgradeState, previous: ApplianceUpgradeOutputs | undefined, markActed: () => void): Promise<AppgateUpgradeState> {
    const ours = previous?.preparedImage && previous.preparedImage !== run.imageName ? previous.preparedImage : undefined;
    if (up.status === "idle" && previous?.preparedImage === run.imageName) {
        run.log(`the appliance reads idle, but this resource asked it to prepare ${run.imageName} before: reading again before preparing`);
        up = await confirmIdle(run);
    }
    for (let attempt = 1; attempt <= 3; attempt++) {
        switch (up.status) {
            case "ready":
            case "started":
            case "downloading":
            case "verifying": {
                if (names(up.details, run.imageName) || (up.status !== "ready" && !namesAnImage(up.details)) || (up.status === "ready" && up.details === "")) {
                    markActed();
                    if (up.status === "ready") {
                        run.log(`${run.imageName} is already prepared: adopting it`);
                        return up;
                    }
                    run.log(`a preparation is already ${up.status} (${up.details || "no details"}): waiting for it instead of preparing again`);
                    return waitPrepared(run, undefined);
                }
                if (ours && names(up.details, ours)) {
                    markActed();
                    run.log(`cancelling ${ours}, prepared by this resource before, to prepare ${run.imageName}`);
                    await cancelAndWait(run);
                    up = await lookup(run, "upgrade status", () => run.client.upgrade(run.id));
                    continue;
                }
                throw new Error(
                    `another upgrade is ${up.status === "ready" ? "prepared" : "being prepared"} on the appliance (${up.details}); ` +
                        `cancel it first (DELETE /admin/appliances/${run.id}/upgrade, or sdpctl appliance upgrade cancel)`,
                );
            }
            case "idle":
            case "failed": {
                if (up.status === "failed") {
                    run.log(`the last upgrade attempt failed (${up.details || "no details"}); preparing ${run.imageName} again`);
                }
                let changeId: string | undefined;
                try {
                    changeId = await run.client.prepare(run.id, run.inputs.imageUrl);
                } catch (err) {
                    if (err instanceof VendorApiError && (err.status === 412 || err.status === 409)) {
                        // "Already in that state": the appliance is past idle (our earlier prepare, or one still
                        // reported as idle). Adopt what it is doing instead of starting anything.
                        markActed();
                        run.log(`the appliance refused the prepare (${err.status}: ${err.vendorMessage ?? "no message"}): reading its status again to adopt it`);
                        up = await lookup(run, "upgrade status", () => run.client.upgrade(run.id));
                        if (up.status === "idle" || up.status === "failed") {
                            return waitPrepared(run, undefined, `the prepare was refused (${err.status}) while the appliance read ${up.status}`);
                        }
                        continue;
                    }
                    if (err instanceof VendorApiError && err.status === undefined) {
                        throw new Error(
                            `${err.message}. The appliance may or may not have accepted the prepare; run the update again: ` +
                                `the resource reads the upgrade status first and never prepares twice`,
                            { cause: err },
                        );
                    }
                    throw err;
                }
                markActed();
                run.log(`prepare of ${run.imageName} accepted${changeId ? ` (change ${changeId})` : ""}; waiting for the appliance to download and verify it`);
                return waitPrepared(run, changeId, "prepare accepted", up);
            }
            default:
                throw new Error(`unexpected upgrade status '${up.status}' (${up.details || "no details"})`);
        }
    }
    throw new Error(`the upgrade status kept changing while deciding how to prepare ${run.imageName}; last '${up.status}' (${up.details})`);
}

/**
 * Re-reads an `idle` status for the idle grace period (see idle-grace.ts): the upgrade status once
 * it is something else, or `idle` once the grace is over (then idle is real and preparing is safe).
 */
async function confirmIdle(run: Run): Promise<AppgateUpgradeState> {
    const grace = new IdleGrace(idleGraceFor(run.timeoutMs));
    const result = await waitFor<AppgateUpgradeState>({
        what: `${run.subject} upgrade status`,
        refresh: async () => {
            const up = await run.client.upgrade(run.id);
            if (up.status !== "idle") {
                return { state: "settled", object: up, detail: up.status };
            }
            return grace.idleIsPending() ? { state: "rechecking", object: up } : { state: "settled", object: up, detail: `idle after ${grace.describe()}` };
        },
        target: ["settled"],
        pending: ["rechecking"],
        timeoutMs: run.timeoutMs,
        minDelayMs: run.pollMs,
        maxDelayMs: maxDelay(run),
        transient: { maxOutageMs: run.rebootMs },
    });
    return result.object!;
}

/** Follows a change until it completes; afterwards reports it done without asking again. */
function changeFollower(run: Run, changeId: string | undefined) {
    let done = changeId === undefined;
    let failure: string | undefined;
    return {
        get done(): boolean {
            return done;
        },
        async poll(): Promise<string | undefined> {
            if (done || changeId === undefined) {
                return failure;
            }
            const change = await run.client.change(run.id, changeId);
            if (!change || change.status === "completed") {
                done = true;
                if (change?.result === "failure") {
                    failure = change.details || "the change failed without details";
                }
            }
            return failure;
        },
    };
}

function progressOf(run: Run, label: string) {
    return (e: WaitEvent<unknown>) => {
        if (e.kind === "state") {
            const detail = e.observation.detail ? ` (${e.observation.detail})` : "";
            run.log(`${label}: ${e.previous ?? "start"} → ${e.observation.state}${detail}`);
        } else if (e.kind === "transient" && e.consecutive === 1) {
            run.log(`${label}: unreachable (${firstLine(e.error)}); treating it as a reboot, waiting up to ${formatDuration(run.rebootMs)}`);
        } else if (e.kind === "recovered") {
            run.log(`${label}: reachable again after ${formatDuration(e.outageMs)}`);
        }
    };
}

function firstLine(err: unknown): string {
    const text = err instanceof Error ? err.message : String(err);
    return text.split("\n")[0]!.slice(0, 200);
}

/**
 * Waits for `ready` after a prepare of ours was accepted (or refused as already under way, or
 * adopted). `idle` is pending for the idle grace period, whatever the change record says and in
 * whichever order the two were read (idle-grace.ts); after it, the upgrade was dropped. A failure
 * quotes the appliance's own details first, then the change record's.
 */
async function waitPrepared(run: Run, changeId: string | undefined, why = "prepare accepted", from?: AppgateUpgradeState): Promise<AppgateUpgradeState> {
    const change = changeFollower(run, changeId);
    const grace = new IdleGrace(idleGraceFor(run.timeoutMs));
    const result = await waitFor<AppgateUpgradeState>({
        what: `${run.subject} preparing ${run.imageName}`,
        refresh: async (): Promise<Observation<AppgateUpgradeState>> => {
            const up = await run.client.upgrade(run.id);
            const changeFailure = await change.poll();
            // The failure we prepared again from, still reported right after our prepare: as ambiguous as idle.
            const staleFailure = from?.status === "failed" && up.status === "failed" && up.details === from.details && changeFailure === undefined;
            if (staleFailure && grace.idleIsPending()) {
                return { state: "queued", object: up, detail: `${why}, not started yet (still reporting the last failure)` };
            }
            if (up.status === "failed" || (changeFailure !== undefined && up.status !== "ready")) {
                return { state: "failed", object: up, detail: failureDetail(up.details, changeFailure) };
            }
            if (up.status === "idle") {
                return grace.idleIsPending()
                    ? { state: "queued", object: up, detail: `${why}, not started yet` }
                    : { state: "dropped", object: up, detail: `the appliance still reads idle after ${grace.describe()} (${why}): the upgrade was cancelled or discarded` };
            }
            grace.sawProgress();
            if (up.status === "ready" && up.details !== "" && !names(up.details, run.imageName)) {
                return { state: "other image ready", object: up, detail: `${up.details} is prepared instead of ${run.imageName}` };
            }
            return { state: up.status, object: up, detail: up.details };
        },
        target: ["ready"],
        pending: ["queued", "started", "downloading", "verifying"],
        failure: ["failed", "dropped", "other image ready", "installing", "success"],
        timeoutMs: run.timeoutMs,
        minDelayMs: run.pollMs,
        maxDelayMs: maxDelay(run),
        transient: { maxOutageMs: run.rebootMs },
        onProgress: progressOf(run, "prepare"),
    });
    return result.object!;
}

async function ensureCompleted(
    run: Run,
    up: AppgateUpgradeState,
    before: { version: string; volume: number },
    markActed: () => void,
): Promise<Partial<ApplianceUpgradeOutputs>> {
    let changeId: string | undefined;
    const target = formatAppgateVersion(run.target);
    if (up.status === "ready") {
        try {
            changeId = await run.client.complete(run.id, run.switchPartition);
            markActed();
            run.log(
                `complete accepted${changeId ? ` (change ${changeId})` : ""}: installing ${target}` +
                    (run.switchPartition ? ` and rebooting into the other partition (now on volume ${before.volume})` : "; the partition switch is left for later"),
            );
        } catch (err) {
            if (!(err instanceof VendorApiError && (err.status === 412 || err.status === 409))) {
                throw err;
            }
            // "Already in that state": the appliance is past ready (installing, or our earlier complete). Adopt it.
            markActed();
            run.log(`the appliance refused the complete (${err.status}: ${err.vendorMessage ?? "no message"}): waiting for the installation under way`);
        }
    } else if (up.status === "installing") {
        markActed();
        run.log(`an installation is already running: waiting for it`);
    } else if (up.status === "success" && run.switchPartition) {
        changeId = await run.client.switchPartition(run.id);
        markActed();
        run.log(`the upgrade is installed; switching partition${changeId ? ` (change ${changeId})` : ""}`);
    } else if (up.status === "success") {
        run.log(`the upgrade is installed; the partition switch is pending (switchPartition is false)`);
        return { phase: "installed", upgradeStatus: up.status, upgradeDetails: up.details, preparedImage: "" };
    } else {
        throw new Error(`cannot complete from upgrade status '${up.status}' (${up.details || "no details"})`);
    }

    const change = changeFollower(run, changeId);
    const grace = new IdleGrace(idleGraceFor(run.timeoutMs));
    const result = await waitFor<{ up?: AppgateUpgradeState; status?: AppgateApplianceStatus }>({
        what: `${run.subject} upgrade to ${target}`,
        refresh: async () => {
            const status = await run.client.applianceStatus(run.id);
            if (!status || !status.online) {
                grace.sawProgress();
                return { state: "rebooting", object: { status }, detail: "appliance offline" };
            }
            const current = await run.client.upgrade(run.id);
            const changeFailure = await change.poll();
            const object = { up: current, status };
            if (current.status === "failed" || changeFailure !== undefined) {
                return { state: "failed", object, detail: failureDetail(current.details, changeFailure) };
            }
            if (current.status === "idle") {
                const atTarget = sameAppgateVersion(parseAppgateVersion(status.version), run.target);
                const switched = status.volumeNumber !== undefined && status.volumeNumber !== before.volume;
                if (atTarget && switched) {
                    return { state: "done", object, detail: `${status.version} on volume ${status.volumeNumber}` };
                }
                if (grace.idleIsPending()) {
                    // Right after complete the appliance may still read idle (as after prepare, sdpctl#319).
                    return { state: "queued", object, detail: "complete accepted, not started yet" };
                }
                return {
                    state: "not switched",
                    object,
                    detail: `the appliance is back on ${status.version} volume ${status.volumeNumber}, expected ${target} on a volume other than ${before.volume}`,
                };
            }
            if (current.status !== up.status) {
                grace.sawProgress(); // "ready" is where we came from: still ambiguous
            }
            if (current.status === "success" && !run.switchPartition) {
                return { state: "installed", object, detail: current.details };
            }
            return { state: current.status, object, detail: current.details };
        },
        target: run.switchPartition ? ["done"] : ["installed"],
        pending: ["rebooting", "queued", "ready", "installing", ...(run.switchPartition ? ["success"] : [])],
        failure: ["failed", "not switched", "started", "downloading", "verifying"],
        timeoutMs: run.timeoutMs,
        minDelayMs: run.pollMs,
        maxDelayMs: maxDelay(run),
        transient: { maxOutageMs: run.rebootMs },
        onProgress: progressOf(run, "complete"),
    });
    const { up: last, status } = result.object!;
    if (!run.switchPartition) {
        run.log(`${target} is installed on the inactive partition; switch partition to finish`);
        return { phase: "installed", upgradeStatus: last?.status ?? "success", upgradeDetails: last?.details ?? "", preparedImage: "" };
    }
    run.log(`upgrade complete: ${status?.version} on volume ${status?.volumeNumber} (was ${before.version} on volume ${before.volume})`);
    return {
        phase: "completed",
        upgradeStatus: last?.status ?? "idle",
        upgradeDetails: last?.details ?? "",
        preparedImage: "",
        runningVersion: status?.version ?? "",
        volumeNumber: status?.volumeNumber ?? 0,
    };
}

/** `DELETE .../upgrade`, then wait for `idle`. */
async function cancelAndWait(run: Run): Promise<void> {
    const changeId = await run.client.cancel(run.id);
    run.log(`cancel accepted${changeId ? ` (change ${changeId})` : ""}; waiting for the appliance to return to idle`);
    await waitFor<AppgateUpgradeState>({
        what: `${run.subject} cancelling the upgrade`,
        refresh: async () => {
            const up = await run.client.upgrade(run.id);
            return { state: up.status, object: up, detail: up.details };
        },
        target: ["idle"],
        pending: ["started", "downloading", "verifying", "ready", "success", "failed"],
        timeoutMs: run.timeoutMs,
        minDelayMs: run.pollMs,
        maxDelayMs: maxDelay(run),
        transient: { maxOutageMs: run.rebootMs },
        onProgress: progressOf(run, "cancel"),
    });
}

function inputsOf(props: ApplianceUpgradeOutputs): Record<string, unknown> {
    return inputsFromState(props, OUTPUT_KEYS);
}

/** Handler of `appgate:ApplianceUpgrade`. */
export const applianceUpgradeHandler: ResourceHandler<ApplianceUpgradeInputs, ApplianceUpgradeOutputs> = {
    async check(_olds, news) {
        const result = checkWithSchema(applianceUpgradeInputsSchema, news);
        const failures = result.failures ?? [];
        const inputs: Record<string, unknown> = { ...news };
        const imageUrl = news.imageUrl;
        const targetVersion = news.targetVersion;
        if (typeof imageUrl === "string" && !containsUnknown(imageUrl) && !failures.some((f) => f.property === "imageUrl")) {
            const name = imageFileName(imageUrl);
            const fromName = versionFromImageName(name);
            if (targetVersion === undefined) {
                if (fromName) {
                    // Shown in previews, and what refresh compares the appliance against.
                    inputs.targetVersion = formatAppgateVersion(fromName);
                } else {
                    failures.push({
                        property: "imageUrl",
                        reason: `cannot derive the target version from the image file name ${name}; name it appgate-<version>-<build>-release.img.zip or set targetVersion`,
                    });
                }
            } else if (typeof targetVersion === "string" && !containsUnknown(targetVersion) && fromName) {
                const given = parseAppgateVersion(targetVersion);
                if (given && !sameAppgateVersion(given, fromName)) {
                    failures.push({ property: "targetVersion", reason: `${targetVersion} does not match the image ${name} (${formatAppgateVersion(fromName)})` });
                }
            }
        }
        return { inputs, failures };
    },

    async diff(_id, olds, news): Promise<DiffResult> {
        const replaces: string[] = [];
        if (olds.applianceId !== news.applianceId) {
            replaces.push("applianceId");
        }
        const endpoint = (c: ApplianceUpgradeInputs["connection"]) => (c?.endpoint ? adminBaseUrl(c.endpoint) : "");
        if (endpoint(olds.connection) !== endpoint(news.connection)) {
            replaces.push("connection");
        }
        // `changes` left unset: the engine computes a per-property diff from the inputs.
        return { replaces };
    },

    async create(raw): Promise<CreateResult<ApplianceUpgradeOutputs>> {
        const inputs = applianceUpgradeInputsSchema.parse(raw);
        return { id: inputs.applianceId, outs: await converge(inputs, undefined) };
    },

    async update(_id, olds, raw) {
        const inputs = applianceUpgradeInputsSchema.parse(raw);
        return { outs: await converge(inputs, olds) };
    },

    async read(id, props): Promise<ReadResult<ApplianceUpgradeOutputs>> {
        const run = startRun(props);
        // Every read rides out a reboot of the appliance or the controller (up to rebootTimeoutSeconds).
        const appliance = await lookup(run, "lookup", () => run.client.appliance(props.applianceId));
        if (!appliance) {
            return { id: "", props }; // the appliance is gone: so is its upgrade
        }
        const status = await lookup(run, "status", () => run.client.applianceStatus(props.applianceId));
        if (!status?.online || !status.version) {
            return { id, props, inputs: inputsOf(props) }; // offline (rebooting): nothing to learn now
        }
        const up = await lookup(run, "upgrade status", () => run.client.upgrade(props.applianceId));
        // What the appliance is at or headed to, expressed as targetVersion so drift shows as a diff:
        // a prepared image → its version; an upgrade in flight → unchanged; otherwise the running version.
        let observed: AppgateVersion | undefined;
        if (up.status === "ready") {
            observed = versionFromImageName(up.details) ?? run.target;
        } else if (["started", "downloading", "verifying", "installing", "success"].includes(up.status)) {
            observed = run.target;
        } else {
            observed = parseAppgateVersion(status.version);
        }
        const targetVersion = observed === undefined || sameAppgateVersion(observed, run.target) ? props.targetVersion : formatAppgateVersion(observed);
        const next: ApplianceUpgradeOutputs = {
            ...props,
            applianceName: appliance.name,
            siteId: appliance.site ?? props.siteId,
            siteName: appliance.siteName ?? props.siteName,
            upgradeStatus: up.status,
            upgradeDetails: up.details,
            preparedImage: up.status === "ready" ? up.details : "",
            runningVersion: status.version,
            volumeNumber: status.volumeNumber ?? props.volumeNumber,
            targetVersion,
        };
        return { id, props: next, inputs: { ...inputsOf(props), targetVersion } };
    },

    async delete(_id, props) {
        const run = startRun(props);
        const name = props.applianceName || props.applianceId;
        run.subject = `appgate appliance ${name} (${props.applianceId}) on controller ${run.endpoint}`;
        if (props.phase === "completed" || props.phase === "current") {
            run.log(`${name} runs ${props.runningVersion}: an upgrade cannot be undone, so destroy only forgets this resource`);
            return;
        }
        const appliance = await lookup(run, "lookup", () => run.client.appliance(props.applianceId));
        if (!appliance) {
            run.log(`${name} is no longer known to the controller: nothing to cancel`);
            return;
        }
        const up = await lookup(run, "upgrade status", () => run.client.upgrade(props.applianceId));
        const mine = names(up.details, run.imageName) || (props.preparedImage !== "" && names(up.details, props.preparedImage));
        switch (up.status) {
            case "idle":
                run.log(`no upgrade is prepared on ${name}: nothing to cancel`);
                return;
            case "installing":
                throw new Error(`${run.subject}: cannot cancel: the upgrade is installing (${up.details || "no details"}); wait for it to finish, then destroy again`);
            case "success":
                if (props.phase !== "installed") {
                    run.log(`${name} has an installed upgrade this resource did not install: leaving it`);
                    return;
                }
                break;
            case "failed":
                break;
            default:
                if (namesAnImage(up.details) && !mine) {
                    run.log(`${name} has another upgrade ${up.status} (${up.details}): leaving it`);
                    return;
                }
        }
        try {
            await cancelAndWait(run);
        } catch (err) {
            throw describeFailure(run, "cancelling the prepared upgrade", err);
        }
        run.log(`cancelled the upgrade of ${name}; it is idle on ${props.runningVersion || "its current version"}`);
    },
};

/** Handlers of the Appgate vendor. */
export const appgateRuntime = vendorRuntime(appgateKinds, { ApplianceUpgrade: () => applianceUpgradeHandler });
