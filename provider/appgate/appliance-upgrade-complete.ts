/**
 * The complete step of `appgate:ApplianceUpgrade`: install the prepared image and switch partition,
 * then wait through the reboot until the appliance runs the target version on the other volume.
 */

import { VendorApiError } from "../core/errors";
import { waitFor } from "../core/waiter";
import type { ApplianceUpgradeOutputs } from "./appliance-upgrade-inputs";
import { changeFollower, failureOf, progressOf, type Run } from "./appliance-upgrade-run";
import type { AppgateApplianceStatus, AppgateUpgradeState } from "./client";
import { IdleGrace, idleGraceFor } from "./idle-grace";
import { formatAppgateVersion, parseAppgateVersion, sameAppgateVersion } from "./versions";

export async function ensureCompleted(
    run: Run,
    up: AppgateUpgradeState,
    before: { version: string; volume: number },
    markActed: () => void,
): Promise<Partial<ApplianceUpgradeOutputs>> {
    let changeId: string | undefined;
    let startedAt: number | undefined; // set when our complete was accepted: its duration teaches the next devices
    const target = formatAppgateVersion(run.target);
    if (up.status === "ready") {
        try {
            changeId = await run.client.complete(run.id, run.switchPartition);
            startedAt = run.env.clock.now();
            markActed();
            run.log(
                `complete accepted${changeId ? ` (change ${changeId})` : ""}: installing ${target}` +
                    (run.switchPartition
                        ? ` and rebooting into the other partition (now on volume ${before.volume})`
                        : "; the partition switch is left for later"),
            );
        } catch (err) {
            if (!(err instanceof VendorApiError && (err.status === 412 || err.status === 409))) {
                throw err;
            }
            // "Already in that state": the appliance is past ready (installing, or our earlier complete). Adopt it.
            markActed();
            run.log(
                `the appliance refused the complete (${err.status}: ${err.vendorMessage ?? "no message"}): waiting for the installation under way`,
            );
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
    const grace = new IdleGrace(idleGraceFor(run.budget.timeoutMs), () => run.env.clock.now());
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
                return { state: "failed", object, detail: await failureOf(run, current, changeFailure) };
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
        ...run.budget.waitOptions(),
        // No progress field: earlier devices' installs of the same target tell when to look (learned-durations.ts).
        learned:
            startedAt === undefined
                ? undefined
                : { durations: run.env.durations, key: `appgate:ApplianceUpgrade complete ${target} ${run.switchPartition}`, startedAt },
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
