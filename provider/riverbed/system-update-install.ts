/**
 * Installing an update on a Riverbed appliance (`riverbed:SystemUpdate`, steps 5–7): check the image,
 * clean up a stale update and other VALID images, `init`, `start` once, and wait through the reboot
 * until the new version is installed.
 */

import { inPhase } from "../core/phase";
import { formatDuration } from "../core/waiter";
import { known, newestEntry, type RiverbedHistoryEntry, type RiverbedUpdate } from "./client";
import { sameVersion } from "./versions";
import { type Ctx, describe, partial, refuse, waitUpdate } from "./system-update-run";

/** Steps 5–7: the device is not at the target and no update towards it is running. */
export async function install(ctx: Ctx, update: RiverbedUpdate): Promise<RiverbedUpdate> {
    const { inputs, client, log, subject } = ctx;
    const target = inputs.targetVersion;
    const imageId = Number(inputs.imageId);

    const adoptInit = (update.state === "INITIALIZING" || update.state === "INITIALIZED") && sameVersion(update.target_version, target);
    if (!adoptInit) {
        const image = await inPhase(subject, `checking image ${imageId}`, () => client.getImage(imageId));
        if (!image) {
            refuse(
                ctx,
                `checking image ${imageId}`,
                "the image is not on the device (deleted, or consumed by an earlier update); replace the UpgradeImage (`pulumi up --replace <its URN>`) to transfer it again",
            );
        }
        if (image.state !== "VALID") {
            refuse(ctx, `checking image ${imageId}`, `the image is ${image.state} (${image.state_description}), not VALID`);
        }
        if (!sameVersion(known(image.version), target)) {
            refuse(
                ctx,
                `checking image ${imageId}`,
                `the image carries version ${image.version ?? "(none)"}, but targetVersion is ${target}`,
            );
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
                    refuse(
                        ctx,
                        "checking other images",
                        `the device initializes from its only VALID image, but it also holds VALID image(s) ${list}; delete them or set deleteOtherImages: true`,
                    );
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
        return await waitDone(ctx, baseline, true);
    } catch (err) {
        throw partial(ctx, err);
    }
}

/**
 * Waits from RUNNING through the reboot to IDLE with a new history entry at the target version.
 * `startedHere`: this call started the update, so its duration teaches the next devices' waits
 * (learned-durations.ts; Riverbed reports no progress for an update).
 */
export async function waitDone(ctx: Ctx, baseline: RiverbedHistoryEntry | undefined, startedHere = false): Promise<RiverbedUpdate> {
    const target = ctx.inputs.targetVersion;
    const started = ctx.env.clock.now();
    const update = await waitUpdate(ctx, `updating to ${target}`, {
        learned: startedHere ? { durations: ctx.env.durations, key: `riverbed:SystemUpdate to ${target}`, startedAt: started } : undefined,
        target: ["COMPLETED"],
        pending: ["RUNNING", "INITIALIZED"],
        failure: ["FAILED_GRACEFUL", "FAILED_CRITICAL", "IDLE"],
        classify: (u) => {
            const newest = newestEntry(u);
            const isNew =
                newest !== undefined && (baseline === undefined || newest.time !== baseline.time || newest.version !== baseline.version);
            if (u.state === "IDLE" && isNew && sameVersion(newest.version, target)) {
                return { state: "COMPLETED", detail: `${newest.version} installed` };
            }
            if (u.state === "IDLE") {
                return {
                    state: "IDLE",
                    detail: `the update ended without installing ${target}: the newest update_history entry is ${newest?.version ?? "(none)"}; ${u.state_description}`,
                };
            }
            return { state: u.state };
        },
    });
    ctx.log(
        `update complete: ${ctx.previousVersion} → ${newestEntry(update)?.version} in ${formatDuration(ctx.env.clock.now() - started)}`,
    );
    return update;
}
