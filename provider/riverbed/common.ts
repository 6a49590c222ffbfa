/**
 * Small helpers shared by the Riverbed handlers: phase-tagged errors, poll bounds, log formatting.
 */

import { InputError, VendorFailureError } from "../core/errors";
import { WaitError } from "../core/waiter";

/**
 * A failure in one phase of a resource operation. The message always reads
 * `riverbed device <endpoint>: <phase> failed: <cause>`, where the cause carries the vendor's own
 * description (error text or state description).
 */
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

/** Errors whose message already names the device and what failed. */
function isDescriptive(err: unknown): boolean {
    return err instanceof PhaseError || err instanceof VendorFailureError || err instanceof InputError || err instanceof WaitError;
}

/** Runs `fn`; an error that does not yet say which device and phase is wrapped in a {@link PhaseError}. */
export async function inPhase<T>(subject: string, phase: string, fn: () => Promise<T>): Promise<T> {
    try {
        return await fn();
    } catch (err) {
        if (isDescriptive(err)) {
            throw err;
        }
        throw new PhaseError(subject, phase, err instanceof Error ? err.message : String(err), err);
    }
}

/**
 * Poll bounds from `pollIntervalSeconds`: the floor is the input; the waiter backs off up to four
 * times that, but not beyond 30 s unless the floor itself is longer.
 */
export function pollBounds(pollIntervalSeconds: number): { minDelayMs: number; maxDelayMs: number } {
    const minDelayMs = pollIntervalSeconds * 1_000;
    return { minDelayMs, maxDelayMs: Math.max(minDelayMs, Math.min(30_000, 4 * minDelayMs)) };
}

/** Bytes as MiB with one decimal. */
export function mib(bytes: number): string {
    return (bytes / 2 ** 20).toFixed(1);
}

/** Returns a function that is true at most once per `intervalMs`, the first time `intervalMs` after its creation. */
export function every(intervalMs: number, now: () => number = Date.now): () => boolean {
    let last = now();
    return () => {
        const t = now();
        if (t - last >= intervalMs) {
            last = t;
            return true;
        }
        return false;
    };
}

/** The message of any thrown value. */
export function messageOf(err: unknown): string {
    return err instanceof Error ? err.message : String(err);
}
