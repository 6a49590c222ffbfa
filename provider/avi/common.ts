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
 * 403 (AKO maps it to "controller upgrade in progress", avi.md §2), and a session that expired again
 * right after the session's one re-login (401/419 on an API call; the next poll logs in afresh). A
 * refused login itself (bad credentials) is not transient.
 */
export function isUpgradeTransient(err: unknown): boolean {
    if (isTransientError(err)) return true;
    if (!(err instanceof VendorApiError) || err.path === "/login") return false;
    return err.status === 403 || err.status === 401 || err.status === 419;
}

/** The message of any thrown value. */
export function messageOf(err: unknown): string {
    return err instanceof Error ? err.message : String(err);
}
