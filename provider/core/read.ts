/**
 * How every `read` (refresh) behaves while the device is unreachable — the same for every vendor:
 *
 * A refresh rides out transient errors (connection refused, resets, 5xx, 429: a device rebooting)
 * for at most {@link READ_OUTAGE_BUDGET_MS} (or the resource's `rebootTimeoutSeconds`, if shorter).
 * If the device answers within that, the read reports what it says. If it does not, the read
 * **returns the last known properties unchanged and prints a warning line**, so one rebooting
 * appliance does not fail the refresh of a whole fleet and nothing is dropped from the state; the
 * next refresh reads it again. Errors that are not transient (a 403, a malformed answer) fail the
 * read as usual.
 */

import type { HandlerEnv } from "./env";
import type { Progress } from "./progress";
import { firstLine, waitProgress } from "./progress";
import type { Clock } from "./clock";
import { TransientBudgetExceededError, WaitTimeoutError, formatDuration, waitFor, type WaitOptions } from "./waiter";

/** Longest outage a read rides out: 2 minutes. */
export const READ_OUTAGE_BUDGET_MS = 120_000;

/** What {@link readThroughOutage} found. */
export type OutageRead<T> = { reachable: true; value: T } | { reachable: false; reason: string };

/**
 * Calls `read`, riding out an outage (see the module comment). Logs the warning line itself when
 * the device stays unreachable; the caller then returns its last known properties.
 */
export async function readThroughOutage<T>(
    env: HandlerEnv,
    options: { what: string; log: Progress; maxOutageMs?: number },
    read: () => Promise<T>,
): Promise<OutageRead<T>> {
    const budget = Math.min(options.maxOutageMs ?? READ_OUTAGE_BUDGET_MS, READ_OUTAGE_BUDGET_MS);
    try {
        const value = await readThrough<T>({
            what: options.what,
            read,
            maxOutageMs: budget,
            minDelayMs: Math.min(2_000, budget),
            maxDelayMs: Math.min(15_000, Math.max(2_000, budget)),
            clock: env.clock,
            onProgress: waitProgress(options.log, "refresh", { clock: env.clock, quietStates: true, outageBudgetMs: budget }),
        });
        return { reachable: true, value };
    } catch (err) {
        if (err instanceof TransientBudgetExceededError || err instanceof WaitTimeoutError) {
            const reason = `${options.what} stayed unreachable for ${formatDuration(budget)} (${firstLine(err.lastError ?? err)})`;
            options.log(`warning: ${reason}; keeping the last known state, the next refresh reads it again`);
            return { reachable: false, reason };
        }
        throw err;
    }
}

/** Options of {@link readThrough}. */
export interface ReadThroughOptions<R> {
    /** Names what is read in messages, e.g. `appgate appliance gw-1 … lookup`. */
    what: string;
    /** The read (a lookup, a refresh). Transient errors are retried; anything else is thrown unchanged. */
    read: () => Promise<R>;
    /** Longest tolerated run of transient errors (a reboot, a burst of 5xx). */
    maxOutageMs: number;
    /** Floor of the delay between attempts. Default 1 000. */
    minDelayMs?: number;
    /** Ceiling of the delay between attempts. Default 30 000. */
    maxDelayMs?: number;
    onProgress?: WaitOptions<R>["onProgress"];
    clock?: Clock;
    random?: () => number;
}

/**
 * One read that rides out transient errors the way {@link waitFor} does: a device that reboots or
 * answers a burst of 5xx/429 is retried (backing off) for up to `maxOutageMs` of consecutive
 * failures, then {@link TransientBudgetExceededError}. Lookups and refreshes that can happen while
 * a device is down (a resumed run, `pulumi refresh`) use it instead of a bare call, whose HTTP
 * retries last only seconds.
 */
export async function readThrough<R>(options: ReadThroughOptions<R>): Promise<R> {
    const maxDelayMs = options.maxDelayMs ?? 30_000;
    const done = await waitFor<R>({
        what: options.what,
        refresh: async () => ({ state: "read", object: await options.read() }),
        target: ["read"],
        pending: [],
        // Only the outage budget bounds a read: it succeeds, fails for good, or its failures outlast
        // maxOutageMs (counted from the first failed answer, so a slow failing request cannot end it
        // early). The overall budget is a backstop well beyond that.
        timeoutMs: 2 * options.maxOutageMs + 10 * 60_000,
        minDelayMs: Math.min(options.minDelayMs ?? 1_000, maxDelayMs),
        maxDelayMs,
        transient: { maxOutageMs: options.maxOutageMs },
        onProgress: options.onProgress,
        clock: options.clock,
        random: options.random,
    });
    return done.object as R;
}
