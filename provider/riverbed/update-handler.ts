/**
 * Provider logic of `riverbed:SystemUpdate` (runs in the provider process, loaded by the runtime):
 * bring one appliance to `targetVersion` from the VALID image `imageId`.
 *
 * Create and update run the same convergence, which is safe to rerun at any point:
 * 1. **Read** the update object (tolerating a device that is still rebooting, up to
 *    `rebootTimeoutSeconds`). The installed version is the newest `update_history` entry.
 * 2. **Adopt** an update that is already `RUNNING` towards the target: wait for it, never start a
 *    second one. `RUNNING` towards another version is an error (someone else is updating the device).
 * 3. **Nothing to do** when the installed version matches the target (by prefix: `11.7.0` matches
 *    `11.7.0 #24010`).
 * 4. **Refuse a downgrade** (target older than installed) unless `allowDowngrade: true`.
 *    `FAILED_CRITICAL` is an error (the vendor requires manual repair).
 * 5. **Check the image**: it must exist, be `VALID` and carry the target version.
 * 6. **Clean up**: an `INITIALIZING`/`INITIALIZED` update towards the target is adopted; any other
 *    non-IDLE update (initialized for another image, or `FAILED_GRACEFUL`) is reset and awaited back
 *    to `IDLE`. The device initializes from its single VALID image, so other VALID images are deleted
 *    first (`deleteOtherImages`, default true; with false, their presence is an error). Images in other
 *    states do not disturb `init` and are left alone.
 * 7. **init**, wait for `INITIALIZED`; **start** (exactly once: a POST is only retried when the
 *    connection was refused, i.e. it provably never arrived); wait through `RUNNING`, the reboot
 *    (connections refused, every token dropped: the session logs in again) and back.
 *
 * Success (the vendor has no success state): the device answers, the update is `IDLE`, and its newest
 * `update_history` entry is new and carries the target version.
 *
 * Failure: `FAILED_GRACEFUL` / `FAILED_CRITICAL`, a return to `IDLE` without the new version, the
 * overall budget (`waitTimeoutSeconds`) or the outage budget (`rebootTimeoutSeconds`) running out.
 * Each error names the device, the phase and the device's `state_description`. Once the device has
 * been touched the error is a partial failure: the resource stays in state with the last observed
 * update state, and the next `up` resumes through `update` (which resets a `FAILED_GRACEFUL` update
 * and tries again, or adopts a still running one).
 *
 * Delete: an installed update cannot be undone through this API, so delete only forgets the resource
 * and logs the version the device keeps. To go back, apply an older image with `allowDowngrade: true`.
 */

import { z } from "zod";
import {
    inputsFromState, checkWithSchema, progressLogger, ResourceNotReadyError, type DiffResult, type Progress, type ResourceHandler } from "../core/dynamic";
import { VendorFailureError } from "../core/errors";
import { readThrough, waitFor, WaitError, WaitFailedError, formatDuration, type WaitEvent } from "../core/waiter";
import { known, newestEntry, RiverbedClient, type RiverbedHistoryEntry, type RiverbedUpdate } from "./client";
import { every, inPhase, messageOf, PhaseError, pollBounds } from "./common";
import { connectionSchema, deviceName, resolveConnection } from "./connection";
import { compareVersions, sameVersion } from "./version";

/** Default overall budget of one update (reset, init, install, reboot): 90 minutes. */
export const UPDATE_WAIT_TIMEOUT_SECONDS = 90 * 60;
/** Default poll floor: 10 s. */
export const UPDATE_POLL_INTERVAL_SECONDS = 10;
/** Default longest tolerated outage (the reboot): 20 minutes. */
export const UPDATE_REBOOT_TIMEOUT_SECONDS = 20 * 60;

/** Input schema of `riverbed:SystemUpdate`. */
export const updateInputsSchema = z
    .object({
        __logName: z.string().optional(),
        connection: connectionSchema.optional(),
        imageId: z.union([
            z.string().regex(/^\d+$/, "must be the device's image id (digits), e.g. an UpgradeImage's id"),
            z.number().int().nonnegative(),
        ]),
        targetVersion: z.string().regex(/^\s*\d+(\.\d+)*\s*(#\s*\d+)?\s*$/, "must be a version such as 11.7.0 or 11.7.0 #24010"),
        allowDowngrade: z.boolean().optional(),
        deleteOtherImages: z.boolean().optional(),
        waitTimeoutSeconds: z.number().int("must be a whole number of seconds").positive("must be a positive number of seconds").max(24 * 3600, "must be at most 86400 (24 hours)").optional(),
        pollIntervalSeconds: z.number().positive("must be a positive number of seconds").max(300, "must be at most 300").optional(),
        rebootTimeoutSeconds: z.number().int("must be a whole number of seconds").positive("must be a positive number of seconds").max(24 * 3600, "must be at most 86400 (24 hours)").optional(),
    })
    .passthrough();

/** Inputs after `check`. */
export type UpdateInputs = z.infer<typeof updateInputsSchema>;

/** Outputs (state) of `riverbed:SystemUpdate`. */
export interface UpdateOutputs extends UpdateInputs {
    /** The device's version (newest `update_history` entry), e.g. `11.7.0 #24010`. */
    installedVersion: string;
    /**
     * The version the device ran before this resource last updated it; for a device found already at
     * the target, the version before the installed one (from state, else `update_history`), "" when unknown.
     */
    previousVersion: string;
    /** The update object's state (`IDLE` after success). */
    state: string;
    /** The device's `state_description`. */
    stateDescription: string;
    /** When the installed version was installed (ISO 8601, from `update_history`). */
    installedAt: string;
}

const OUTPUT_KEYS = ["installedVersion", "previousVersion", "state", "stateDescription", "installedAt"] as const;

interface Ctx {
    /** Resource id: the device's endpoint. */
    id: string;
    inputs: UpdateInputs;
    client: RiverbedClient;
    subject: string;
    log: Progress;
    deadline: number;
    poll: { minDelayMs: number; maxDelayMs: number };
    rebootMs: number;
    /** Last update object seen. */
    last?: RiverbedUpdate;
    previousVersion: string;
}

function outputsFor(inputs: UpdateInputs, update: RiverbedUpdate | undefined, previousVersion: string, old?: Partial<UpdateOutputs>): UpdateOutputs {
    const newest = update ? newestEntry(update) : undefined;
    return {
        ...inputs,
        installedVersion: newest?.version ?? old?.installedVersion ?? "",
        previousVersion,
        state: update?.state ?? old?.state ?? "UNKNOWN",
        stateDescription: update?.state_description ?? old?.stateDescription ?? "",
        installedAt: newest ? new Date(newest.time * 1_000).toISOString() : (old?.installedAt ?? ""),
    };
}

function describe(u: RiverbedUpdate): string {
    return `${u.state}${u.state_description ? ` (${u.state_description})` : ""}`;
}

function remaining(ctx: Ctx): number {
    return Math.max(0, ctx.deadline - Date.now());
}

/** Shared progress lines of every wait. */
function progress(ctx: Ctx, label: string, quiet = false): (e: WaitEvent<RiverbedUpdate>) => void {
    const heartbeat = every(60_000);
    return (e) => {
        if (e.kind === "state" && !quiet) {
            ctx.log(`${label}: ${e.observation.state}${e.observation.detail ? ` (${e.observation.detail})` : ""}`);
        } else if (e.kind === "poll" && heartbeat() && e.elapsedMs > 0) {
            ctx.log(`${label}: still ${e.observation.state} after ${formatDuration(e.elapsedMs)}`);
        } else if (e.kind === "transient" && e.consecutive === 1) {
            ctx.log(`device unreachable (${messageOf(e.error)}): expected while it reboots; waiting up to ${formatDuration(ctx.rebootMs)}`);
        } else if (e.kind === "recovered") {
            ctx.log(`device reachable again after ${formatDuration(e.outageMs)}`);
        }
    };
}

/** Polls the update object until its (classified) state is in `target`. */
async function waitUpdate(
    ctx: Ctx,
    phase: string,
    spec: { target: string[]; pending: string[]; failure: string[]; classify?: (u: RiverbedUpdate) => { state: string; detail?: string }; quiet?: boolean },
): Promise<RiverbedUpdate> {
    try {
        const done = await waitFor<RiverbedUpdate>({
            what: `${ctx.subject} (${phase})`,
            refresh: async () => {
                const u = await ctx.client.getUpdate();
                ctx.last = u;
                const c = spec.classify?.(u) ?? { state: u.state };
                return { state: c.state, object: u, detail: c.detail ?? u.state_description };
            },
            target: spec.target,
            pending: spec.pending,
            failure: spec.failure,
            timeoutMs: remaining(ctx),
            ...ctx.poll,
            transient: { maxOutageMs: ctx.rebootMs },
            onProgress: progress(ctx, phase, spec.quiet),
        });
        return done.object!;
    } catch (err) {
        if (err instanceof WaitFailedError) {
            const last = err.lastObservation!;
            throw new VendorFailureError(ctx.subject, phase, last.state, last.detail);
        }
        if (err instanceof WaitError) {
            throw err; // its message names the device, the phase, the last state and the budget
        }
        throw new PhaseError(ctx.subject, phase, messageOf(err), err);
    }
}

/** Reads the update object, riding out a reboot that may still be under way. */
async function readUpdate(ctx: Ctx): Promise<RiverbedUpdate> {
    return waitUpdate(ctx, "reading the update state", { target: ["READ"], pending: [], failure: [], classify: () => ({ state: "READ" }), quiet: true });
}

function refuse(ctx: Ctx, phase: string, detail: string): never {
    throw new PhaseError(ctx.subject, phase, detail);
}

/** Steps 5–7: the device is not at the target and no update towards it is running. */
async function install(ctx: Ctx, update: RiverbedUpdate): Promise<RiverbedUpdate> {
    const { inputs, client, log, subject } = ctx;
    const target = inputs.targetVersion;
    const imageId = Number(inputs.imageId);

    const adoptInit = (update.state === "INITIALIZING" || update.state === "INITIALIZED") && sameVersion(update.target_version, target);
    if (!adoptInit) {
        const image = await inPhase(subject, `checking image ${imageId}`, () => client.getImage(imageId));
        if (!image) {
            refuse(ctx, `checking image ${imageId}`, "the image is not on the device (deleted, or consumed by an earlier update); replace the UpgradeImage (`pulumi up --replace <its URN>`) to transfer it again");
        }
        if (image.state !== "VALID") {
            refuse(ctx, `checking image ${imageId}`, `the image is ${image.state} (${image.state_description}), not VALID`);
        }
        if (!sameVersion(known(image.version), target)) {
            refuse(ctx, `checking image ${imageId}`, `the image carries version ${image.version ?? "(none)"}, but targetVersion is ${target}`);
        }
    }

    // From here on the device changes: failures keep the resource in state so a rerun resumes.
    try {
        if (adoptInit) {
            log(`an update to ${update.target_version} is already ${update.state}: continuing it`);
        } else {
            if (update.state !== "IDLE") {
                log(`resetting a stale update: ${describe(update)}`);
                await inPhase(subject, "resetting a stale update", () => client.resetUpdate());
                update = await waitUpdate(ctx, "resetting a stale update", {
                    target: ["IDLE"],
                    pending: ["INITIALIZING", "INITIALIZED", "FAILED_GRACEFUL"],
                    failure: ["FAILED_CRITICAL", "RUNNING"],
                });
            }
            const others = await inPhase(subject, "listing images", () => client.listImages());
            const stale = others.filter((i) => i.state === "VALID" && i.id !== imageId);
            if (stale.length > 0) {
                const list = stale.map((i) => `${i.id} (${i.version})`).join(", ");
                if (inputs.deleteOtherImages === false) {
                    refuse(ctx, "checking other images", `the device initializes from its only VALID image, but it also holds VALID image(s) ${list}; delete them or set deleteOtherImages: true`);
                }
                for (const i of stale) {
                    await inPhase(subject, `deleting stale image ${i.id}`, () => client.deleteImage(i.id));
                    log(`deleted stale VALID image ${i.id} (${i.version}): the device initializes from its only VALID image`);
                }
            }
            log(`initializing the update to ${target} from image ${imageId}`);
            await inPhase(subject, "initializing the update", () => client.initUpdate());
        }
        if (update.state !== "INITIALIZED" || !adoptInit) {
            update = await waitUpdate(ctx, "initializing the update", {
                target: ["INITIALIZED"],
                pending: ["INITIALIZING"],
                failure: ["FAILED_GRACEFUL", "FAILED_CRITICAL", "IDLE"],
            });
        }
        if (update.target_version !== undefined && !sameVersion(update.target_version, target)) {
            refuse(ctx, "initializing the update", `the device initialized an update to ${update.target_version}, not ${target}`);
        }
        const baseline = newestEntry(update);
        log(`starting the update to ${update.target_version ?? target}: the device installs it and reboots`);
        await inPhase(subject, "starting the update", () => client.startUpdate());
        return await waitDone(ctx, baseline);
    } catch (err) {
        throw partial(ctx, err);
    }
}

/** Waits from RUNNING through the reboot to IDLE with a new history entry at the target version. */
async function waitDone(ctx: Ctx, baseline: RiverbedHistoryEntry | undefined): Promise<RiverbedUpdate> {
    const target = ctx.inputs.targetVersion;
    const started = Date.now();
    const update = await waitUpdate(ctx, `updating to ${target}`, {
        target: ["COMPLETED"],
        pending: ["RUNNING", "INITIALIZED"],
        failure: ["FAILED_GRACEFUL", "FAILED_CRITICAL", "IDLE"],
        classify: (u) => {
            const newest = newestEntry(u);
            const isNew = newest !== undefined && (baseline === undefined || newest.time !== baseline.time || newest.version !== baseline.version);
            if (u.state === "IDLE" && isNew && sameVersion(newest.version, target)) {
                return { state: "COMPLETED", detail: `${newest.version} installed` };
            }
            if (u.state === "IDLE") {
                return { state: "IDLE", detail: `the update ended without installing ${target}: the newest update_history entry is ${newest?.version ?? "(none)"}; ${u.state_description}` };
            }
            return { state: u.state };
        },
    });
    ctx.log(`update complete: ${ctx.previousVersion} → ${newestEntry(update)?.version} in ${formatDuration(Date.now() - started)}`);
    return update;
}

function partial(ctx: Ctx, err: unknown): ResourceNotReadyError {
    if (err instanceof ResourceNotReadyError) {
        return err;
    }
    return new ResourceNotReadyError(ctx.id, outputsFor(ctx.inputs, ctx.last, ctx.previousVersion), err);
}

/** The whole convergence (see the module comment). */
async function converge(inputs: UpdateInputs, old?: UpdateOutputs): Promise<{ id: string; outs: UpdateOutputs }> {
    const connection = resolveConnection(inputs.connection);
    const client = RiverbedClient.for(connection);
    const ctx: Ctx = {
        id: connection.endpoint,
        inputs,
        client,
        subject: deviceName(connection),
        log: progressLogger(inputs.__logName, (s) => client.session.redact(s)),
        deadline: Date.now() + (inputs.waitTimeoutSeconds ?? UPDATE_WAIT_TIMEOUT_SECONDS) * 1_000,
        poll: pollBounds(inputs.pollIntervalSeconds ?? UPDATE_POLL_INTERVAL_SECONDS),
        rebootMs: (inputs.rebootTimeoutSeconds ?? UPDATE_REBOOT_TIMEOUT_SECONDS) * 1_000,
        previousVersion: "",
    };
    const id = ctx.id;
    const target = inputs.targetVersion;

    const update = await readUpdate(ctx);
    const installed = newestEntry(update)?.version ?? "";
    ctx.previousVersion = installed;

    if (update.state === "RUNNING") {
        if (!sameVersion(update.target_version, target)) {
            refuse(ctx, "checking the update state", `another update (to ${update.target_version ?? "an unknown version"}) is running: ${describe(update)}; run again once it has finished`);
        }
        ctx.log(`an update to ${update.target_version} is already RUNNING: waiting for it instead of starting another`);
        try {
            const done = await waitDone(ctx, newestEntry(update));
            return { id, outs: outputsFor(inputs, done, installed) };
        } catch (err) {
            throw partial(ctx, err);
        }
    }
    if (sameVersion(installed, target)) {
        ctx.log(`${ctx.subject} already runs ${installed}: nothing to do`);
        return { id, outs: outputsFor(inputs, update, versionBefore(update, old)) };
    }
    const order = compareVersions(target, installed);
    if (inputs.allowDowngrade !== true) {
        if (order === undefined) {
            refuse(ctx, "checking the target version", `cannot compare the target ${target} with the installed version ${installed}; set allowDowngrade: true to install it anyway`);
        }
        if (order < 0) {
            refuse(ctx, "checking the target version", `${target} is older than the installed ${installed}: downgrades are refused unless allowDowngrade: true`);
        }
    }
    if (update.state === "FAILED_CRITICAL") {
        throw new VendorFailureError(ctx.subject, "checking the update state", update.state, `${update.state_description}; the vendor requires a manual repair of the appliance before another update`);
    }
    if (update.state === "FAILED_GRACEFUL") {
        ctx.log(`the previous update attempt failed gracefully (${update.state_description}): resetting and trying again`);
    }
    const done = await install(ctx, update);
    return { id, outs: outputsFor(inputs, done, installed) };
}

/**
 * The version the device ran before the one it runs now, for a device found already at the target
 * (an update that finished while nobody watched, e.g. after a kill -9, or a rerun). In order: the
 * state (what this resource saw the device run before, or already knew as previous), then the
 * update object (the newest `update_history` entry older than the installed one with another
 * version), else "" (unknown). Never the installed version itself.
 */
export function versionBefore(update: RiverbedUpdate, old: Partial<UpdateOutputs> | undefined): string {
    const installed = newestEntry(update);
    const differs = (v: string | undefined): v is string => !!v && !sameVersion(v, installed?.version);
    if (differs(old?.installedVersion)) {
        return old.installedVersion;
    }
    if (differs(old?.previousVersion)) {
        return old.previousVersion;
    }
    let before: RiverbedHistoryEntry | undefined;
    for (const entry of update.update_history) {
        if (entry !== installed && entry.time <= (installed?.time ?? Infinity) && differs(entry.version) && (!before || entry.time >= before.time)) {
            before = entry;
        }
    }
    return before?.version ?? "";
}

function inputsOf(props: UpdateOutputs): Record<string, unknown> {
    return inputsFromState(props, OUTPUT_KEYS);
}

/** Handler of `riverbed:SystemUpdate`. */
export const systemUpdateHandler: ResourceHandler<UpdateInputs, UpdateOutputs> = {
    async check(_olds, news) {
        return checkWithSchema(updateInputsSchema, news);
    },

    async diff(_id, olds, news): Promise<DiffResult> {
        // Another device is another resource; a new image or target is an update in place. While an
        // UpgradeImage is being replaced its id and version are unknown: the engine shows them as
        // `output<string>` and plans an update. `changes` is left unset for a per-property diff.
        const replaces = (olds.connection?.endpoint ?? "") !== (news.connection?.endpoint ?? "") ? ["connection"] : [];
        return { replaces };
    },

    async create(raw) {
        return converge(updateInputsSchema.parse(raw));
    },

    async update(_id, olds, raw) {
        const { outs } = await converge(updateInputsSchema.parse(raw), olds);
        return { outs };
    },

    /** Refresh: the device's version and update state. A version that no longer matches the target shows as drift of `targetVersion`. */
    async read(id, props) {
        const connection = resolveConnection(props.connection);
        const client = RiverbedClient.for(connection);
        const subject = deviceName(connection);
        // A refresh rides out a reboot or a burst of 5xx the way waits do (bounded by rebootTimeoutSeconds).
        const update = await inPhase(subject, "reading the update state", () =>
            readThrough({
                what: `${subject} update object`,
                read: () => client.getUpdate(),
                maxOutageMs: (props.rebootTimeoutSeconds ?? UPDATE_REBOOT_TIMEOUT_SECONDS) * 1_000,
                ...pollBounds(props.pollIntervalSeconds ?? UPDATE_POLL_INTERVAL_SECONDS),
            }),
        );
        const outs = outputsFor(inputsOf(props) as UpdateInputs, update, props.previousVersion, props);
        const inputs = inputsOf(outs);
        if (!sameVersion(outs.installedVersion, props.targetVersion)) {
            inputs.targetVersion = outs.installedVersion;
        }
        return { id, props: outs, inputs };
    },

    async delete(id, props) {
        progressLogger(props.__logName)(
            `removing the SystemUpdate from the stack only: riverbed device ${id} keeps ${props.installedVersion || "its installed version"} ` +
                `(an installed update cannot be undone; to go back, apply an older image with allowDowngrade: true)`,
        );
    },
};
