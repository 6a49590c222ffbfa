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
import { TransientBudgetExceededError, WaitTimeoutError, formatDuration, waitFor } from "./waiter";

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
        const done = await waitFor<T>({
            what: options.what,
            refresh: async () => ({ state: "READ", object: await read() }),
            target: ["READ"],
            pending: [],
            timeoutMs: budget,
            minDelayMs: Math.min(2_000, budget),
            maxDelayMs: Math.min(15_000, Math.max(2_000, budget)),
            transient: { maxOutageMs: budget },
            clock: env.clock,
            onProgress: waitProgress(options.log, "refresh", { clock: env.clock, quietStates: true, outageBudgetMs: budget }),
        });
        return { reachable: true, value: done.object as T };
    } catch (err) {
        if (err instanceof TransientBudgetExceededError || err instanceof WaitTimeoutError) {
            const reason = `${options.what} stayed unreachable for ${formatDuration(budget)} (${firstLine(err.lastError ?? err)})`;
            options.log(`warning: ${reason}; keeping the last known state, the next refresh reads it again`);
            return { reachable: false, reason };
        }
        throw err;
    }
}
