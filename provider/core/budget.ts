/**
 * Wait budgets: the three inputs every resource that waits takes, with ONE meaning everywhere.
 *
 * - `waitTimeoutSeconds` — **one deadline for the whole create or update operation**, counted from
 *   the moment the provider starts it: transfers, every wait, the reboot and the device coming back
 *   all come out of this one budget. It is not per phase and not per wait. (Pulumi's
 *   `customTimeouts` never reach dynamic providers, so the budget is an input.)
 * - `rebootTimeoutSeconds` — the longest stretch, inside that deadline, that the device may stay
 *   unreachable (its reboot, a controller restart) before the operation fails. Not added to the
 *   deadline: it is an allowance within it.
 * - `pollIntervalSeconds` — the floor of the delay between two polls; the waiter backs off up to
 *   four times that, at most 30 s unless the floor is longer. A vendor estimate (or progress, or a
 *   duration learned from earlier devices) that puts the end far away stretches a delay up to 120 s
 *   (waiter.ts `maxHintedDelayMs`).
 *
 * When the deadline passes, the operation fails with the last state seen, the elapsed time and the
 * budget; a vendor object that exists stays in state and the next `up` resumes with a fresh deadline.
 */

import { z } from "zod";
import type { Clock } from "./clock";

/** Zod fields of the wait budget inputs; spread them into a kind's input schema. */
export const waitBudgetFields = {
    waitTimeoutSeconds: z
        .number()
        .int("must be a whole number of seconds")
        .positive("must be a positive number of seconds")
        .max(86_400, "must be at most 86400 (24 hours)")
        .optional(),
    pollIntervalSeconds: z.number().positive("must be a positive number of seconds").max(300, "must be at most 300").optional(),
    rebootTimeoutSeconds: z
        .number()
        .int("must be a whole number of seconds")
        .positive("must be a positive number of seconds")
        .max(86_400, "must be at most 86400 (24 hours)")
        .optional(),
};

/** The wait budget inputs as a handler receives them. */
export interface WaitBudgetInputs {
    waitTimeoutSeconds?: number;
    pollIntervalSeconds?: number;
    rebootTimeoutSeconds?: number;
}

/** A kind's defaults for the wait budget, in seconds. */
export interface WaitBudgetDefaults {
    waitTimeoutSeconds: number;
    pollIntervalSeconds: number;
    rebootTimeoutSeconds: number;
}

/**
 * Poll bounds from `pollIntervalSeconds`: the floor is the input; the waiter backs off up to four
 * times that, but not beyond 30 s unless the floor itself is longer.
 */
export function pollBounds(pollIntervalSeconds: number): { minDelayMs: number; maxDelayMs: number } {
    const minDelayMs = pollIntervalSeconds * 1_000;
    return { minDelayMs, maxDelayMs: Math.max(minDelayMs, Math.min(30_000, 4 * minDelayMs)) };
}

/** The running budget of one create/update operation (see the module comment). */
export class WaitBudget {
    /** Epoch ms when the operation's deadline passes. */
    readonly deadline: number;
    /** The whole budget, in ms. */
    readonly timeoutMs: number;
    /** Longest tolerated outage, in ms (never longer than the whole budget). */
    readonly rebootMs: number;
    /** Delay bounds between polls. */
    readonly poll: { minDelayMs: number; maxDelayMs: number };

    constructor(
        readonly clock: Clock,
        inputs: WaitBudgetInputs,
        defaults: WaitBudgetDefaults,
    ) {
        this.timeoutMs = (inputs.waitTimeoutSeconds ?? defaults.waitTimeoutSeconds) * 1_000;
        this.deadline = clock.now() + this.timeoutMs;
        this.rebootMs = Math.min(this.timeoutMs, (inputs.rebootTimeoutSeconds ?? defaults.rebootTimeoutSeconds) * 1_000);
        this.poll = pollBounds(inputs.pollIntervalSeconds ?? defaults.pollIntervalSeconds);
    }

    /** Milliseconds left until the deadline (0 once it passed). */
    remainingMs(): number {
        return Math.max(0, this.deadline - this.clock.now());
    }

    /**
     * The `waitFor` options that put one wait under this budget: its timeout is what is left of the
     * deadline, its poll bounds and outage tolerance are the budget's.
     */
    waitOptions(): { timeoutMs: number; minDelayMs: number; maxDelayMs: number; clock: Clock; transient: { maxOutageMs: number } } {
        return { timeoutMs: this.remainingMs(), ...this.poll, clock: this.clock, transient: { maxOutageMs: this.rebootMs } };
    }
}
