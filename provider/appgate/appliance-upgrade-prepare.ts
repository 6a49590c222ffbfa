/**
 * The prepare step of `appgate:ApplianceUpgrade`: get the image downloaded and verified (`ready`)
 * exactly once, adopting a preparation already under way, and cancel a prepared upgrade.
 */

import { VendorApiError } from "../core/errors";
import { waitFor, type Observation } from "../core/waiter";
import type { ApplianceUpgradeOutputs } from "./appliance-upgrade-inputs";
import { changeFollower, failureOf, longPhaseCeilingMs, lookup, names, namesAnImage, progressOf, type Run } from "./appliance-upgrade-run";
import type { AppgateUpgradeState } from "./client";
import { IdleGrace, idleGraceFor } from "./idle-grace";

/**
 * Decides from the appliance's upgrade status how to get `run.imageName` prepared, and never
 * prepares an image twice:
 * - an idle appliance this resource had already asked to prepare this image (a rerun after the
 *   idle race, sdpctl#319) is re-read for the idle grace period before anything is started;
 * - a prepare refused because the appliance is already past `idle` (412 "status is 'ready'", or
 *   409 "already in progress") is adoption: the status is read again and waited for.
 */
export async function ensurePrepared(
    run: Run,
    up: AppgateUpgradeState,
    previous: ApplianceUpgradeOutputs | undefined,
    markActed: () => void,
): Promise<AppgateUpgradeState> {
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
                if (
                    names(up.details, run.imageName) ||
                    (up.status !== "ready" && !namesAnImage(up.details)) ||
                    (up.status === "ready" && up.details === "")
                ) {
                    markActed();
                    if (up.status === "ready") {
                        run.log(`${run.imageName} is already prepared: adopting it`);
                        return up;
                    }
                    run.log(
                        `a preparation is already ${up.status} (${up.details || "no details"}): waiting for it instead of preparing again`,
                    );
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
                        run.log(
                            `the appliance refused the prepare (${err.status}: ${err.vendorMessage ?? "no message"}): reading its status again to adopt it`,
                        );
                        up = await lookup(run, "upgrade status", () => run.client.upgrade(run.id));
                        if (up.status === "idle" || up.status === "failed") {
                            return waitPrepared(
                                run,
                                undefined,
                                `the prepare was refused (${err.status}) while the appliance read ${up.status}`,
                            );
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
                run.log(
                    `prepare of ${run.imageName} accepted${changeId ? ` (change ${changeId})` : ""}; waiting for the appliance to download and verify it`,
                );
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
export async function confirmIdle(run: Run): Promise<AppgateUpgradeState> {
    const grace = new IdleGrace(idleGraceFor(run.budget.timeoutMs), () => run.env.clock.now());
    const result = await waitFor<AppgateUpgradeState>({
        what: `${run.subject} upgrade status`,
        refresh: async () => {
            const up = await run.client.upgrade(run.id);
            if (up.status !== "idle") {
                return { state: "settled", object: up, detail: up.status };
            }
            return grace.idleIsPending()
                ? { state: "rechecking", object: up }
                : { state: "settled", object: up, detail: `idle after ${grace.describe()}` };
        },
        target: ["settled"],
        pending: ["rechecking"],
        ...run.budget.waitOptions(),
    });
    return result.object!;
}

/**
 * Waits for `ready` after a prepare of ours was accepted (or refused as already under way, or
 * adopted). `idle` is pending for the idle grace period, whatever the change record says and in
 * whichever order the two were read (idle-grace.ts); after it, the upgrade was dropped. A failure
 * quotes the appliance's own details first, then the change record's. One read per poll, two while
 * the status cannot tell alone (see the refresh); polls back off to {@link longPhaseCeilingMs} while
 * downloading (verification comes before `ready`).
 */
export async function waitPrepared(
    run: Run,
    changeId: string | undefined,
    why = "prepare accepted",
    from?: AppgateUpgradeState,
): Promise<AppgateUpgradeState> {
    const change = changeFollower(run, changeId);
    const grace = new IdleGrace(idleGraceFor(run.budget.timeoutMs), () => run.env.clock.now());
    // No progress field: when our prepare was just accepted, earlier devices' downloads of the same
    // image tell when to look (learned-durations.ts); not for an adopted one.
    const learned =
        why === "prepare accepted" && from !== undefined
            ? { durations: run.env.durations, key: `appgate:ApplianceUpgrade prepare ${run.imageName}`, startedAt: run.env.clock.now() }
            : undefined;
    const result = await waitFor<AppgateUpgradeState>({
        what: `${run.subject} preparing ${run.imageName}`,
        refresh: async (): Promise<Observation<AppgateUpgradeState>> => {
            const up = await run.client.upgrade(run.id);
            // One read per poll: the change record only when the status cannot answer alone — idle or the
            // failure we started from (not started yet, or dropped?), another image named (superseded?) —
            // and once at a failure, for its words.
            const statusCannotTell =
                up.status === "idle" || up.status === "failed" || (namesAnImage(up.details) && !names(up.details, run.imageName));
            const changeFailure = statusCannotTell ? await change.poll() : undefined;
            // The failure we prepared again from, still reported right after our prepare: as ambiguous as idle.
            const staleFailure =
                from?.status === "failed" && up.status === "failed" && up.details === from.details && changeFailure === undefined;
            if (staleFailure && grace.idleIsPending()) {
                return { state: "queued", object: up, detail: `${why}, not started yet (still reporting the last failure)` };
            }
            if (up.status === "failed" || (changeFailure !== undefined && up.status !== "ready")) {
                return { state: "failed", object: up, detail: await failureOf(run, up, changeFailure) };
            }
            if (up.status === "idle") {
                return grace.idleIsPending()
                    ? { state: "queued", object: up, detail: `${why}, not started yet` }
                    : {
                          state: "dropped",
                          object: up,
                          detail: `the appliance still reads idle after ${grace.describe()} (${why}): the upgrade was cancelled or discarded`,
                      };
            }
            grace.sawProgress();
            if (up.status === "ready" && up.details !== "" && !names(up.details, run.imageName)) {
                return { state: "other image ready", object: up, detail: `${up.details} is prepared instead of ${run.imageName}` };
            }
            // Verification comes after the download: a late look at a download delays nothing.
            const maxDelayMs = up.status === "downloading" ? longPhaseCeilingMs(run) : undefined;
            return { state: up.status, object: up, detail: up.details, maxDelayMs };
        },
        target: ["ready"],
        pending: ["queued", "started", "downloading", "verifying"],
        failure: ["failed", "dropped", "other image ready", "installing", "success"],
        ...run.budget.waitOptions(),
        learned,
        onProgress: progressOf(run, "prepare"),
    });
    return result.object!;
}

/** `DELETE .../upgrade`, then wait for `idle`. */
export async function cancelAndWait(run: Run): Promise<void> {
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
        ...run.budget.waitOptions(),
        onProgress: progressOf(run, "cancel"),
    });
}
