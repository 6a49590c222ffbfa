/**
 * Waiting on a scheduled cluster upgrade without polling all week.
 *
 * Success conditions, exactly:
 * - `SCHEDULED` wait: the upgrade reports `SCHEDULED`, `SCHEDULED_NOTIFIED`, `IN_PROGRESS` or
 *   `SUCCEEDED` (the scheduler has picked the window). Without a public read of upgrades the POST's
 *   answer is all there is: the wait ends at once with what it said.
 * - `SUCCEEDED` wait: the upgrade reports `SUCCEEDED`, or — without a public read — the cluster's
 *   own `version` equals the target.
 *
 * Failure conditions, exactly:
 * - `FAILED`, `MISSED` or `SUPERSEDED` → {@link VendorFailureError} with the vendor's `reason`;
 * - a `SUCCEEDED` wait whose window opens after the wait's deadline → error before sleeping;
 * - without a public read: the window ended over an hour ago and the cluster still runs the old version;
 * - the budget (`waitTimeoutSeconds`, one deadline for the whole operation) runs out.
 *
 * Timing: while the upgrade waits for its window, the waiter's `notBefore` hint is the window start,
 * so the provider sleeps until the window instead of polling; inside the window it polls from
 * `pollIntervalSeconds` backing off to one minute, and, when earlier clusters of this process were
 * upgraded to the same version, thinly (up to 120 s) until the shortest of their durations counted
 * from the window start (learned-durations.ts). The one-minute ceiling is the trade-off: Avisi gives
 * no progress inside the window, so a 30-minute upgrade costs about 50 reads and its end is seen
 * about 20 s late (bench/polling); five minutes cost 20 reads but saw the end about 40 s late.
 */
import { VendorFailureError } from "../core/errors";
import type { Clock } from "../core/clock";
import { waitProgress } from "../core/progress";
import type { LearnedDurations, LearnedHint } from "../core/learned-durations";
import { formatDuration, waitFor, WaitFailedError, type Observation, type WaitResult } from "../core/waiter";
import type { AvisiClient, ScheduledUpgrade } from "./client";
import { sameClusterVersion } from "./versions";
import { nextWindow } from "./windows";

/** Ceiling of the delay between polls inside the window (Avisi reports no progress there; see the module comment). */
const IN_WINDOW_MAX_DELAY_MS = 60_000;

/** Statuses that end an upgrade without success. */
export const FAILURE_STATUSES = ["FAILED", "MISSED", "SUPERSEDED"] as const;
/** Statuses in which the vendor may still reschedule or cancel [inferred]. */
export const OPEN_STATUSES = ["REQUESTED", "SCHEDULED", "SCHEDULED_NOTIFIED"] as const;
/** Statuses that mean "the window is known". */
const WINDOW_KNOWN = ["SCHEDULED", "SCHEDULED_NOTIFIED", "IN_PROGRESS", "SUCCEEDED"];
/** Without a public read, the status the provider reports once the window ended and nothing changed. */
const UNCONFIRMED = "UNCONFIRMED_AFTER_WINDOW";
const GRACE_AFTER_WINDOW_MS = 3_600_000;

/** What a wait needs. */
export interface UpgradeWaitContext {
    client: AvisiClient;
    clusterName: string;
    environment: string;
    clusterSlug: string;
    targetVersion: string;
    clock: Clock;
    log: (line: string) => void;
    /** Epoch ms (of `clock`) at which the whole operation must be done. */
    deadline: number;
    pollIntervalMs: number;
    /** Longest tolerated API outage (5xx, 429, refused) in a row. */
    maxOutageMs: number;
    /**
     * Durations of earlier cluster upgrades to the same version in this process, counted from their
     * window start (Avisi reports no progress inside the window; learned-durations.ts).
     */
    durations?: LearnedDurations;
}

/** The result: the last upgrade object seen, the cluster version if read, and polls made. */
export interface UpgradeWaitResult {
    upgrade: ScheduledUpgrade;
    clusterVersion?: string;
    polls: number;
}

function windowEndOf(u: ScheduledUpgrade, estimated: { endMs: number } | undefined): number | undefined {
    return u.windowEnd ? Date.parse(u.windowEnd) : estimated?.endMs;
}

function windowText(u: ScheduledUpgrade): string {
    return u.windowStart ? `${u.windowStart} – ${u.windowEnd ?? "?"}` : "(window not known yet)";
}

/** Wait until the scheduler has picked the window (see the module comment). */
export async function waitForWindow(ctx: UpgradeWaitContext, posted: ScheduledUpgrade): Promise<UpgradeWaitResult> {
    if (WINDOW_KNOWN.includes(posted.status) && posted.windowStart) return { upgrade: posted, polls: 0 };
    if (ctx.client.publicRead === false) {
        ctx.log(
            `Avisi Cloud offers no public read of scheduled upgrades: upgrade ${posted.identity} is ${posted.status} ${windowText(posted)}; the window cannot be confirmed`,
        );
        return { upgrade: posted, polls: 0 };
    }
    const result = await run(
        ctx,
        posted,
        "waiting for the scheduler to pick a maintenance window",
        WINDOW_KNOWN,
        ["REQUESTED"],
        Math.min(ctx.pollIntervalMs, 5_000),
        ctx.pollIntervalMs,
        false,
    );
    return { upgrade: result.object ?? posted, polls: result.polls };
}

/** Wait through the window until `SUCCEEDED` (see the module comment). */
export async function waitForSuccess(ctx: UpgradeWaitContext, scheduled: ScheduledUpgrade): Promise<UpgradeWaitResult> {
    const windowStart = scheduled.windowStart ? Date.parse(scheduled.windowStart) : undefined;
    if (windowStart !== undefined && windowStart > ctx.deadline) {
        throw new Error(
            `the maintenance window of ${ctx.clusterName} opens at ${scheduled.windowStart}, after this operation's deadline ` +
                `${new Date(ctx.deadline).toISOString()}: raise waitTimeoutSeconds, or use waitFor: "SCHEDULED" and let a later run observe the upgrade`,
        );
    }
    let lastCluster: string | undefined;
    const result = await run(
        ctx,
        scheduled,
        "upgrading",
        ["SUCCEEDED"],
        ["REQUESTED", "SCHEDULED", "SCHEDULED_NOTIFIED", "IN_PROGRESS"],
        ctx.pollIntervalMs,
        Math.max(ctx.pollIntervalMs, IN_WINDOW_MAX_DELAY_MS),
        true,
        (version) => (lastCluster = version),
        ctx.durations && windowStart !== undefined
            ? { durations: ctx.durations, key: `avisi:ScheduledClusterUpgrade to ${ctx.targetVersion}`, startedAt: windowStart }
            : undefined,
    );
    return { upgrade: result.object ?? scheduled, clusterVersion: lastCluster, polls: result.polls };
}

async function run(
    ctx: UpgradeWaitContext,
    start: ScheduledUpgrade,
    phase: string,
    target: string[],
    pending: string[],
    minDelayMs: number,
    maxDelayMs: number,
    sleepUntilWindow: boolean,
    onClusterVersion?: (version: string) => void,
    learned?: LearnedHint,
): Promise<WaitResult<ScheduledUpgrade>> {
    let last = start;
    let announcedSleep = false;
    const label = `upgrade ${start.identity}`;
    const progress = waitProgress<ScheduledUpgrade>(ctx.log, label, {
        clock: ctx.clock,
        outageBudgetMs: ctx.maxOutageMs,
        heartbeatMs: 6 * 3_600_000,
    });
    let estimated: { startMs: number; endMs: number } | undefined;
    const refresh = async (): Promise<Observation<ScheduledUpgrade>> => {
        const read = await ctx.client.upgrade(start.identity);
        if (read === null) throw new Error(`upgrade ${start.identity} of ${ctx.clusterName} is gone: someone cancelled it`);
        if (read !== undefined) {
            last = read;
        } else {
            // No public read: the cluster's own version is the only evidence.
            const cluster = await ctx.client.cluster(ctx.environment, ctx.clusterSlug);
            onClusterVersion?.(cluster.version);
            if (!last.windowStart && !last.ignoreMaintenanceSchedule && estimated === undefined) {
                // The scheduler's choice is not readable: the cluster's own schedule tells when to
                // look (computed once: after this window the next one would be next week's).
                const from = Math.max(ctx.clock.now(), last.scheduleRequestDate ? Date.parse(last.scheduleRequestDate) : 0);
                estimated = nextWindow(cluster.maintenanceSchedule?.windows ?? [], from);
            }
            if (sameClusterVersion(cluster.version, ctx.targetVersion)) last = { ...last, status: "SUCCEEDED" };
            else if (
                windowEndOf(last, estimated) !== undefined &&
                ctx.clock.now() > windowEndOf(last, estimated)! + GRACE_AFTER_WINDOW_MS
            ) {
                last = {
                    ...last,
                    status: UNCONFIRMED,
                    reason: `the window ended and the cluster still runs ${cluster.version}; the vendor offers no public read of the upgrade's status`,
                };
            }
        }
        const inWindowWait =
            last.status === "SCHEDULED" || last.status === "SCHEDULED_NOTIFIED" || (read === undefined && last.status === "REQUESTED");
        const windowStart = last.windowStart ? Date.parse(last.windowStart) : estimated?.startMs;
        const notBefore = sleepUntilWindow && inWindowWait && windowStart !== undefined ? windowStart : undefined;
        return {
            state: last.status,
            object: last,
            notBefore,
            detail: last.reason || (last.windowStart ? `window ${windowText(last)}` : undefined),
        };
    };
    try {
        return await waitFor({
            what: `upgrade ${start.identity} of ${ctx.clusterName} to ${ctx.targetVersion}`,
            refresh,
            target,
            pending,
            failure: [...FAILURE_STATUSES, UNCONFIRMED],
            timeoutMs: Math.max(0, ctx.deadline - ctx.clock.now()),
            // The caller just read `start`: the first read can wait one interval.
            initialDelayMs: Math.min(minDelayMs, Math.max(0, ctx.deadline - ctx.clock.now())),
            minDelayMs,
            maxDelayMs,
            learned,
            clock: ctx.clock,
            transient: { maxOutageMs: ctx.maxOutageMs },
            onProgress: (event) => {
                if (event.kind === "state" && event.previous === undefined && event.observation.state === start.status) {
                    return; // the state we started from: the caller reported it
                }
                if (
                    event.kind === "poll" &&
                    !announcedSleep &&
                    event.observation.notBefore !== undefined &&
                    event.nextDelayMs > maxDelayMs
                ) {
                    ctx.log(
                        `${label}: sleeping ${formatDuration(event.nextDelayMs)} until the window opens at ${new Date(event.observation.notBefore).toISOString()}`,
                    );
                    announcedSleep = true;
                    return;
                }
                if (event.kind === "state") {
                    announcedSleep = false;
                    progress({ ...event, previous: event.previous ?? start.status });
                    return;
                }
                progress(event);
            },
        });
    } catch (err) {
        if (err instanceof WaitFailedError) {
            const o = (err.lastObservation?.object ?? last) as ScheduledUpgrade;
            const hint =
                o.status === "MISSED"
                    ? "; run `pulumi up` again to schedule it into the next window"
                    : o.status === "SUPERSEDED"
                      ? "; check the cluster's version and update channel, then run `pulumi up` again"
                      : "";
            throw new VendorFailureError(
                `avisi cluster ${ctx.clusterName} upgrade ${o.identity} to ${ctx.targetVersion}`,
                phase,
                o.status,
                `${o.reason || `window ${windowText(o)}`}${hint}`,
            );
        }
        throw err;
    }
}
