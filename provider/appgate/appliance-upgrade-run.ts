/**
 * One run of `appgate:ApplianceUpgrade` (a create, update, read or delete) and the helpers every step
 * shares: the run's budget, lookups that ride out a reboot, the online wait, change records and
 * progress lines.
 */

import { WaitBudget } from "../core/budget";
import type { HandlerEnv } from "../core/env";
import { InputError } from "../core/errors";
import { progressLogger, waitProgress, type Progress } from "../core/progress";
import { readThrough } from "../core/read";
import { formatDuration, waitFor, type WaitEvent } from "../core/waiter";
import { APPGATE_DEFAULTS, type ApplianceUpgradeInputs, type ApplianceUpgradeOutputs } from "./appliance-upgrade-inputs";
import { AppgateClient, type AppgateApplianceStatus, type AppgateUpgradeState } from "./client";
import { resolveConnection } from "./connection";
import { imageFileName, parseAppgateVersion, sameAppgateVersion, versionFromImageName, type AppgateVersion } from "./versions";

/** Everything one operation needs. */
export interface Run {
    readonly inputs: ApplianceUpgradeInputs;
    readonly client: AppgateClient;
    readonly endpoint: string;
    readonly log: Progress;
    readonly id: string;
    readonly imageName: string;
    readonly target: AppgateVersion;
    readonly stage: "prepare" | "complete";
    readonly switchPartition: boolean;
    readonly env: HandlerEnv;
    /** One deadline for the whole operation (core/budget.ts). */
    readonly budget: WaitBudget;
    /** `appgate appliance <name> (<id>) on controller <url>`, refined once the name is known. */
    subject: string;
}

export function startRun(inputs: ApplianceUpgradeInputs, env: HandlerEnv): Run {
    const connection = resolveConnection(inputs.connection);
    const client = AppgateClient.for(connection, env);
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
        env,
        budget: new WaitBudget(env.clock, inputs, APPGATE_DEFAULTS),
        subject: `appgate appliance ${inputs.applianceId} on controller ${connection.endpoint}`,
    };
}

export function targetOf(inputs: { targetVersion?: string; imageUrl: string }): AppgateVersion | undefined {
    return inputs.targetVersion !== undefined
        ? parseAppgateVersion(inputs.targetVersion)
        : versionFromImageName(imageFileName(inputs.imageUrl));
}

/**
 * A read that can happen while the appliance or the controller reboots (a resumed run, refresh,
 * destroy): 502s — JSON or plain text —, refused connections and bursts of 5xx are waited out for up
 * to `rebootTimeoutSeconds` in a row, as the waits do, instead of failing after the session's few
 * retries.
 */
export function lookup<R>(run: Run, what: string, read: () => Promise<R>): Promise<R> {
    return readThrough({
        what: `${run.subject} ${what}`,
        read,
        maxOutageMs: run.budget.rebootMs,
        ...run.budget.poll,
        clock: run.env.clock,
        onProgress: waitProgress(run.log, what, { clock: run.env.clock, outageBudgetMs: run.budget.rebootMs, quietStates: true }),
    });
}

/**
 * Outputs for an appliance found at the target. When this resource had prepared (or was
 * completing) this very image, the upgrade is its own that finished while nobody watched (a run
 * killed during the reboot): phase `completed`, and the version before comes from the state —
 * never the version it runs now; "" when the state does not know it.
 */
export function alreadyAtTarget(previous: ApplianceUpgradeOutputs | undefined, run: Run): Partial<ApplianceUpgradeOutputs> {
    const older = (v: string | undefined) => (v && !sameAppgateVersion(parseAppgateVersion(v), run.target) ? v : "");
    const ours =
        previous !== undefined &&
        (previous.phase === "completed" || previous.preparedImage === run.imageName || previous.phase === "installed");
    if (!ours) {
        return { phase: "current" };
    }
    const previousVersion = older(previous.previousVersion) || older(previous.runningVersion);
    const previousVolumeNumber = previous.previousVolumeNumber || (older(previous.runningVersion) ? previous.volumeNumber : 0);
    return { phase: "completed", previousVersion, previousVolumeNumber };
}

/**
 * The failure detail of an upgrade: the appliance's own words (its `details` in status `failed`)
 * first, then the change record's when they add something. When only the change record says it
 * failed (the status was read before the failure, the change after), the status is read once more
 * for the appliance's own words, so the message does not depend on the order of the two reads.
 */
export async function failureOf(run: Run, current: AppgateUpgradeState, changeFailure: string | undefined): Promise<string> {
    if (current.status === "failed") {
        return failureDetail(current.details, changeFailure);
    }
    const again = await run.client.upgrade(run.id).catch(() => undefined);
    return failureDetail(again?.status === "failed" ? again.details : "", changeFailure);
}

/** The appliance's own failure detail first, then the change record's when it adds something. */
export function failureDetail(applianceDetails: string, changeDetails: string | undefined): string {
    if (!changeDetails || applianceDetails.includes(changeDetails)) {
        return applianceDetails || changeDetails || "no details";
    }
    return applianceDetails ? `${applianceDetails} (change: ${changeDetails})` : changeDetails;
}

/** The status entry once the appliance is online (it may still be rebooting from an interrupted run). */
export async function waitOnline(
    run: Run,
    update: (p: Partial<ApplianceUpgradeOutputs>) => void,
): Promise<AppgateApplianceStatus & { version: string }> {
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
        ...run.budget.waitOptions(),
        // Waiting for an appliance to come online is an outage: bounded by the reboot allowance too.
        timeoutMs: Math.min(run.budget.rebootMs, run.budget.remainingMs()),
        onProgress: (e) => {
            if (e.kind === "state" && e.observation.state === "offline") {
                run.log(`appliance is offline (rebooting?); waiting up to ${formatDuration(run.budget.rebootMs)} for it`);
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

/** Does the upgrade `details` text name `image`? */
export function names(details: string, image: string): boolean {
    return details !== "" && details.includes(image);
}

/** Does `details` name some upgrade image? */
export function namesAnImage(details: string): boolean {
    return /\.img\.zip\b/i.test(details);
}

/** Follows a change until it completes; afterwards reports it done without asking again. */
export function changeFollower(run: Run, changeId: string | undefined) {
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

/**
 * The backoff ceiling of a long phase whose end is followed by another visible state before the one
 * the wait ends on or acts on: `downloading` (then `verifying`), `installing` before a reboot (then
 * the appliance goes offline). Three times the usual ceiling (60 s with the default 5 s floor): a
 * late look there delays nothing the operation waits for, unless the next phase is shorter than the
 * delay (then the end, or a failure, is seen at most this late). Appgate reports no progress, so
 * there is nothing better to pace on.
 */
export function longPhaseCeilingMs(run: Run): number {
    return 3 * run.budget.poll.maxDelayMs;
}

/** Progress lines of one wait of the run (core/progress.ts). */
export function progressOf(run: Run, label: string): (e: WaitEvent<unknown>) => void {
    return waitProgress(run.log, label, { clock: run.env.clock, outageBudgetMs: run.budget.rebootMs });
}
