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
 * Budget: `waitTimeoutSeconds` is one deadline for the whole create or update, the reboot included;
 * `rebootTimeoutSeconds` the longest outage inside it (core/budget.ts).
 *
 * Refresh reads the update object riding out a reboot or a burst of 5xx for a bounded time, then
 * keeps the last known state with a warning (core/read.ts). `previousVersion` of a device found
 * already at the target (an update that finished while nobody watched) comes from the state, else
 * from `update_history`, else is ""; it is never the installed version.
 *
 * Delete: an installed update cannot be undone through this API, so delete only forgets the resource
 * and logs the version the device keeps. To go back, apply an older image with `allowDowngrade: true`.
 */
import { WaitBudget } from "../core/budget";
import { endpointChanged } from "../core/connection";
import { checkWithSchema, type DiffResult, type HandlerFactory, type ResourceHandler } from "../core/dynamic";
import type { HandlerEnv } from "../core/env";
import { VendorFailureError } from "../core/errors";
import { inPhase } from "../core/phase";
import { progressLogger } from "../core/progress";
import { readThroughOutage } from "../core/read";
import { newestEntry, RiverbedClient, type RiverbedHistoryEntry, type RiverbedUpdate } from "./client";
import { deviceName, resolveConnection } from "./connection";
import { compareVersions, sameVersion } from "./versions";
import {
    Ctx,
    SYSTEM_UPDATE_DEFAULTS,
    UpdateInputs,
    UpdateOutputs,
    describe,
    inputsOf,
    outputsFor,
    partial,
    readUpdate,
    refuse,
    updateInputsSchema,
} from "./system-update-run";
import { install, waitDone } from "./system-update-install";

export { SYSTEM_UPDATE_DEFAULTS, updateInputsSchema, type UpdateInputs, type UpdateOutputs } from "./system-update-run";

/** The whole convergence (see the module comment). */
async function converge(env: HandlerEnv, inputs: UpdateInputs, old?: UpdateOutputs): Promise<{ id: string; outs: UpdateOutputs }> {
    const endpoint = resolveConnection(inputs.connection).endpoint;
    // One update per device at a time within a run: a second resource for the same device waits,
    // then finds the device at its target (or adopts what is running) instead of racing the first.
    return env.locks.run(`riverbed|${endpoint}`, () => convergeUnlocked(env, inputs, old));
}

async function convergeUnlocked(env: HandlerEnv, inputs: UpdateInputs, old?: UpdateOutputs): Promise<{ id: string; outs: UpdateOutputs }> {
    const connection = resolveConnection(inputs.connection);
    const client = RiverbedClient.for(connection, env);
    const ctx: Ctx = {
        id: connection.endpoint,
        inputs,
        client,
        subject: deviceName(connection),
        log: progressLogger(inputs.__logName, (s) => client.session.redact(s)),
        env,
        budget: new WaitBudget(env.clock, inputs, SYSTEM_UPDATE_DEFAULTS),
        previousVersion: "",
    };
    const id = ctx.id;
    const target = inputs.targetVersion;

    const update = await readUpdate(ctx);
    const installed = newestEntry(update)?.version ?? "";
    ctx.previousVersion = installed;

    if (update.state === "RUNNING") {
        if (!sameVersion(update.target_version, target)) {
            refuse(
                ctx,
                "checking the update state",
                `another update (to ${update.target_version ?? "an unknown version"}) is running: ${describe(update)}; run again once it has finished`,
            );
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
            refuse(
                ctx,
                "checking the target version",
                `cannot compare the target ${target} with the installed version ${installed}; set allowDowngrade: true to install it anyway`,
            );
        }
        if (order < 0) {
            refuse(
                ctx,
                "checking the target version",
                `${target} is older than the installed ${installed}: downgrades are refused unless allowDowngrade: true`,
            );
        }
    }
    if (update.state === "FAILED_CRITICAL") {
        throw new VendorFailureError(
            ctx.subject,
            "checking the update state",
            update.state,
            `${update.state_description}; the vendor requires a manual repair of the appliance before another update`,
        );
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
        if (
            entry !== installed &&
            entry.time <= (installed?.time ?? Infinity) &&
            differs(entry.version) &&
            (!before || entry.time >= before.time)
        ) {
            before = entry;
        }
    }
    return before?.version ?? "";
}

/** The handler of `riverbed:SystemUpdate` for an environment (clock, shared clients, locks). */
export const systemUpdateHandler: HandlerFactory = (env: HandlerEnv): ResourceHandler<UpdateInputs, UpdateOutputs> => ({
    async check(_olds, news) {
        return checkWithSchema(updateInputsSchema, news);
    },

    async diff(_id, olds, news): Promise<DiffResult> {
        // Another device is another resource; a new image or target is an update in place. While an
        // UpgradeImage is being replaced its id and version are unknown: the engine shows them as
        // `output<string>` and plans an update. `changes` is left unset for a per-property diff.
        const replaces = endpointChanged(olds, news) ? ["connection"] : [];
        return { replaces };
    },

    async create(raw) {
        return converge(env, updateInputsSchema.parse(raw));
    },

    async update(_id, olds, raw) {
        const { outs } = await converge(env, updateInputsSchema.parse(raw), olds);
        return { outs };
    },

    /**
     * Refresh: the device's version and update state. A version that no longer matches the target
     * shows as drift of `targetVersion`. A device that stays unreachable (a reboot) keeps the last
     * known state with a warning (core/read.ts).
     */
    async read(id, props) {
        const connection = resolveConnection(props.connection);
        const client = RiverbedClient.for(connection, env);
        const subject = deviceName(connection);
        const log = progressLogger(props.__logName, (s) => client.session.redact(s));
        const maxOutageMs = new WaitBudget(env.clock, props, SYSTEM_UPDATE_DEFAULTS).rebootMs;
        const read = await inPhase(subject, "reading the update state", () =>
            readThroughOutage(env, { what: `${subject} update object`, log, maxOutageMs }, () => client.getUpdate()),
        );
        if (!read.reachable) {
            return { id, props, inputs: inputsOf(props) };
        }
        const update = read.value;
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
});
