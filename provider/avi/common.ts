/**
 * Small helpers shared by the Avi handlers: phase-tagged errors, poll bounds, progress cadence.
 */

import { InputError, VendorApiError, VendorFailureError, isTransientError } from "../core/errors";
import { WaitError } from "../core/waiter";

/** A failure in one phase: `avi controller <endpoint>: <phase> failed: <cause>`. */
export class PhaseError extends Error {
    constructor(
        readonly subject: string,
        readonly phase: string,
        readonly detail: string,
        cause?: unknown,
    ) {
        super(`${subject}: ${phase} failed: ${detail}`, { cause });
        this.name = "PhaseError";
    }
}

/** Runs `fn`; an error that does not yet say which controller and phase is wrapped in a {@link PhaseError}. */
export async function inPhase<T>(subject: string, phase: string, fn: () => Promise<T>): Promise<T> {
    try {
        return await fn();
    } catch (err) {
        if (err instanceof PhaseError || err instanceof VendorFailureError || err instanceof InputError || err instanceof WaitError) throw err;
        throw new PhaseError(subject, phase, messageOf(err), err);
    }
}

/** Poll bounds from `pollIntervalSeconds`: the floor is the input, backing off to 4× (at most 30 s unless the floor is longer). */
export function pollBounds(pollIntervalSeconds: number): { minDelayMs: number; maxDelayMs: number } {
    const minDelayMs = pollIntervalSeconds * 1_000;
    return { minDelayMs, maxDelayMs: Math.max(minDelayMs, Math.min(30_000, 4 * minDelayMs)) };
}

/**
 * Errors worth waiting out while an upgrade runs: network failures and 5xx/429 (the reboot window),
 * and 403 (AKO maps it to "controller upgrade in progress", avi.md §2).
 */
export function isUpgradeTransient(err: unknown): boolean {
    return isTransientError(err) || (err instanceof VendorApiError && err.status === 403);
}

/** The message of any thrown value. */
export function messageOf(err: unknown): string {
    return err instanceof Error ? err.message : String(err);
}
