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
 *    While waiting, `idle` after our accepted prepare is pending for a bounded grace period
 *    (idle-grace.ts; the race of sdpctl#319), whatever the change record says; after it, the upgrade
 *    was dropped. A rerun re-reads an `idle` status for the same grace when the state says this
 *    resource asked for this image before, and a prepare refused with 412/409 (the appliance is
 *    already past idle) is adoption: re-read, then wait.
 * 4. With `stage: "complete"`: `POST .../upgrade/complete {switchPartition}` (or
 *    `upgrade/switch-partition` when it is already installed), then wait until the appliance is
 *    back at the target version **and** on the other volume (sdpctl#241). Connection errors, 502s
 *    and an `offline` status entry during the reboot are pending, for up to `rebootTimeoutSeconds`
 *    in a row; the session logs in again and renegotiates the API version when the controller
 *    itself comes back (tokens are gone, the peer version moved). Without `switchPartition` the
 *    wait ends at `success` (installed, partition switch pending).
 *
 * Waits read about one object per poll (appliance-upgrade-prepare.ts, appliance-upgrade-complete.ts):
 * the upgrade status while the appliance answers, the change record only while the status cannot tell
 * (and once at a failure), the status list only through the reboot and to confirm the new version.
 * Long phases followed by another visible state (downloading, installing before a reboot) poll up to
 * three times the usual ceiling (`longPhaseCeilingMs`).
 *
 * Lookups that can happen while the appliance reboots (the appliance and upgrade status at the
 * start of create/update, delete) ride out 502s — JSON or plain text —, refused connections and 5xx
 * bursts for up to `rebootTimeoutSeconds` ({@link lookup}); a refresh that still finds them
 * unreachable keeps the last known state with a warning (core/read.ts).
 *
 * Budget: `waitTimeoutSeconds` is one deadline for the whole create or update — prepare,
 * complete, the reboot and the controller coming back — and `rebootTimeoutSeconds` the longest
 * outage tolerated inside it (core/budget.ts).
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

import { endpointChanged } from "../core/connection";
import {
    checkWithSchema,
    containsUnknown,
    inputsFromState,
    ResourceNotReadyError,
    type CreateResult,
    type DiffResult,
    type HandlerFactory,
    type ReadResult,
    type ResourceHandler,
} from "../core/dynamic";
import type { HandlerEnv } from "../core/env";
import { InputError } from "../core/errors";
import { phaseFailure } from "../core/phase";
import { readThroughOutage } from "../core/read";
import { ensureCompleted } from "./appliance-upgrade-complete";
import {
    applianceUpgradeInputsSchema,
    OUTPUT_KEYS,
    type ApplianceUpgradeInputs,
    type ApplianceUpgradeOutputs,
} from "./appliance-upgrade-inputs";
import { cancelAndWait, ensurePrepared } from "./appliance-upgrade-prepare";
import { alreadyAtTarget, lookup, names, namesAnImage, startRun, waitOnline } from "./appliance-upgrade-run";
import { adminBaseUrl } from "./client";
import {
    compareAppgateVersions,
    formatAppgateVersion,
    imageFileName,
    parseAppgateVersion,
    sameAppgateVersion,
    versionFromImageName,
    type AppgateVersion,
} from "./versions";

export {
    APPGATE_DEFAULTS,
    applianceUpgradeInputsSchema,
    type ApplianceUpgradeInputs,
    type ApplianceUpgradeOutputs,
} from "./appliance-upgrade-inputs";

/** The create/update flow (see the module comment). `previous` are the outputs of the last run, if any. */
async function converge(
    env: HandlerEnv,
    inputs: ApplianceUpgradeInputs,
    previous: ApplianceUpgradeOutputs | undefined,
): Promise<ApplianceUpgradeOutputs> {
    const run = startRun(inputs, env);
    return env.locks.run(`appgate|${run.endpoint}|${run.id}`, async () => {
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
            const failure = phaseFailure(run.subject, phase, err);
            update({ phase: acted ? "failed" : outs.phase });
            if (acted) {
                throw new ResourceNotReadyError(run.id, outs, failure);
            }
            throw failure;
        }
    });
}

function inputsOf(props: ApplianceUpgradeOutputs): Record<string, unknown> {
    return inputsFromState(props, OUTPUT_KEYS);
}

/** The handler of `appgate:ApplianceUpgrade` for an environment (clock, shared clients, locks). */
export const applianceUpgradeHandler: HandlerFactory = (
    env: HandlerEnv,
): ResourceHandler<ApplianceUpgradeInputs, ApplianceUpgradeOutputs> => ({
    /**
     * Validates; never rewrites an input. A target version the program leaves out is derived from
     * the image file name by the resource class (so previews show it) and, for states written
     * before that, inside create/update; here it is only checked that one can be derived and that a
     * given one matches the image.
     */
    async check(_olds, news) {
        const result = checkWithSchema(applianceUpgradeInputsSchema, news);
        const failures = result.failures ?? [];
        const imageUrl = news.imageUrl;
        const targetVersion = news.targetVersion;
        if (typeof imageUrl === "string" && !containsUnknown(imageUrl) && !failures.some((f) => f.property === "imageUrl")) {
            const name = imageFileName(imageUrl);
            const fromName = versionFromImageName(name);
            if (targetVersion === undefined && !fromName) {
                failures.push({
                    property: "imageUrl",
                    reason: `cannot derive the target version from the image file name ${name}; name it appgate-<version>-<build>-release.img.zip or set targetVersion`,
                });
            } else if (typeof targetVersion === "string" && !containsUnknown(targetVersion) && fromName) {
                const given = parseAppgateVersion(targetVersion);
                if (given && !sameAppgateVersion(given, fromName)) {
                    failures.push({
                        property: "targetVersion",
                        reason: `${targetVersion} does not match the image ${name} (${formatAppgateVersion(fromName)})`,
                    });
                }
            }
        }
        return { inputs: news, failures };
    },

    async diff(_id, olds, news): Promise<DiffResult> {
        const replaces: string[] = [];
        if (olds.applianceId !== news.applianceId) {
            replaces.push("applianceId");
        }
        if (endpointChanged(olds, news, adminBaseUrl)) {
            replaces.push("connection");
        }
        // `changes` left unset: the engine computes a per-property diff from the inputs.
        return { replaces };
    },

    async create(raw): Promise<CreateResult<ApplianceUpgradeOutputs>> {
        const inputs = applianceUpgradeInputsSchema.parse(raw);
        return { id: inputs.applianceId, outs: await converge(env, inputs, undefined) };
    },

    async update(_id, olds, raw) {
        const inputs = applianceUpgradeInputsSchema.parse(raw);
        return { outs: await converge(env, inputs, olds) };
    },

    /**
     * Refresh: the appliance's name, site, status and version. What the appliance is at or headed to
     * shows as drift of `targetVersion`. An appliance or controller that stays unreachable keeps the
     * last known state with a warning (core/read.ts); an appliance the controller no longer knows is
     * dropped from state.
     */
    async read(id, props): Promise<ReadResult<ApplianceUpgradeOutputs>> {
        const run = startRun(props, env);
        const read = await readThroughOutage(env, { what: run.subject, log: run.log, maxOutageMs: run.budget.rebootMs }, async () => {
            const appliance = await run.client.appliance(props.applianceId);
            // One status list per controller for the whole refresh, not one per appliance (core/shared-read.ts).
            const status = appliance && (await run.client.applianceStatus(props.applianceId, { shared: true }));
            const up = status?.online && status.version ? await run.client.upgrade(props.applianceId) : undefined;
            return { appliance, status, up };
        });
        if (!read.reachable) {
            return { id, props, inputs: inputsOf(props) };
        }
        const { appliance, status, up } = read.value;
        if (!appliance) {
            return { id: "", props }; // the appliance is gone: so is its upgrade
        }
        if (!status?.online || !status.version || !up) {
            return { id, props, inputs: inputsOf(props) }; // offline (rebooting): nothing to learn now
        }
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
        const targetVersion =
            observed === undefined || sameAppgateVersion(observed, run.target) ? props.targetVersion : formatAppgateVersion(observed);
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
        const run = startRun(props, env);
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
                throw new Error(
                    `${run.subject}: cannot cancel: the upgrade is installing (${up.details || "no details"}); wait for it to finish, then destroy again`,
                );
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
            throw phaseFailure(run.subject, "cancelling the prepared upgrade", err);
        }
        run.log(`cancelled the upgrade of ${name}; it is idle on ${props.runningVersion || "its current version"}`);
    },
});
