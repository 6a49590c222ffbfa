/**
 * The complete step of `appgate:ApplianceUpgrade`: install the prepared image and switch partition,
 * then wait through the reboot until the appliance runs the target version on the other volume.
 */

import { isTransientError, VendorApiError } from "../core/errors";
import { waitFor, type Observation } from "../core/waiter";
import type { ApplianceUpgradeOutputs } from "./appliance-upgrade-inputs";
import { changeFollower, failureOf, longPhaseCeilingMs, progressOf, type Run } from "./appliance-upgrade-run";
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
    type Seen = { up?: AppgateUpgradeState; status?: AppgateApplianceStatus };
    // About one read per poll: the upgrade status while the appliance answers; once it stops answering,
    // the controller's status list until it is back online (then the upgrade status in the same poll).
    let statusLeads = false;
    let moved = false; // the appliance showed a status other than the one we came from
    const rebooting = (status: AppgateApplianceStatus | undefined): Observation<Seen> => {
        statusLeads = true;
        moved = true;
        grace.sawProgress();
        return { state: "rebooting", object: { status }, detail: "appliance offline" };
    };
    const result = await waitFor<Seen>({
        what: `${run.subject} upgrade to ${target}`,
        refresh: async () => {
            let status: AppgateApplianceStatus | undefined;
            if (statusLeads) {
                status = await run.client.applianceStatus(run.id);
                if (!status?.online) {
                    return rebooting(status);
                }
                statusLeads = false;
            }
            let current: AppgateUpgradeState;
            try {
                current = await run.client.upgrade(run.id);
            } catch (err) {
                if (status !== undefined || !isTransientError(err)) {
                    throw err;
                }
                // No answer about the appliance: rebooting, or the controller itself is down? The status list tells.
                statusLeads = true;
                status = await run.client.applianceStatus(run.id);
                if (!status?.online) {
                    return rebooting(status);
                }
                throw err;
            }
            if (current.status === "failed") {
                const object = { up: current, status };
                return { state: "failed", object, detail: await failureOf(run, current, await change.poll()) };
            }
            if (current.status === "idle") {
                // Back from the reboot, or not started yet: the status list has the version and the volume.
                status ??= await run.client.applianceStatus(run.id);
                if (!status?.online) {
                    return rebooting(status);
                }
                const object = { up: current, status };
                const atTarget = sameAppgateVersion(parseAppgateVersion(status.version), run.target);
                const switched = status.volumeNumber !== undefined && status.volumeNumber !== before.volume;
                if (atTarget && switched) {
                    return { state: "done", object, detail: `${status.version} on volume ${status.volumeNumber}` };
                }
                const changeFailure = await change.poll();
                if (changeFailure !== undefined) {
                    return { state: "failed", object, detail: await failureOf(run, current, changeFailure) };
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
            const object = { up: current, status };
            if (current.status !== up.status) {
                moved = true;
                grace.sawProgress(); // "ready" is where we came from: still ambiguous
            } else if (!moved) {
                // Still the status we came from: only the change record tells whether our call failed.
                const changeFailure = await change.poll();
                if (changeFailure !== undefined) {
                    return { state: "failed", object, detail: await failureOf(run, current, changeFailure) };
                }
            }
            if (current.status === "success" && !run.switchPartition) {
                return { state: "installed", object, detail: current.details };
            }
            // A reboot comes after the installation: a late look at an installation delays nothing.
            const maxDelayMs = current.status === "installing" && run.switchPartition ? longPhaseCeilingMs(run) : undefined;
            return { state: current.status, object, detail: current.details, maxDelayMs };
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
