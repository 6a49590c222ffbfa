/**
 * Phase-tagged errors for the Unity handlers: every failure reads
 * `unity array <endpoint>: <phase> failed: <cause>`, the cause carrying the array's own messages.
 */

import { InputError, VendorFailureError } from "../core/errors";
import { WaitError } from "../core/waiter";

/** A failure in one phase of a resource operation. */
export class UnityPhaseError extends Error {
    constructor(
        readonly subject: string,
        readonly phase: string,
        readonly detail: string,
        cause?: unknown,
    ) {
        super(`${subject}: ${phase} failed: ${detail}`, { cause });
        this.name = "UnityPhaseError";
    }
}

/** Runs `fn`; an error that does not yet say which array and phase is wrapped in a {@link UnityPhaseError}. */
export async function inPhase<T>(subject: string, phase: string, fn: () => Promise<T>): Promise<T> {
    try {
        return await fn();
    } catch (err) {
        if (err instanceof UnityPhaseError || err instanceof VendorFailureError || err instanceof InputError || err instanceof WaitError) {
            throw err;
        }
        throw new UnityPhaseError(subject, phase, err instanceof Error ? err.message : String(err), err);
    }
}

/** Bytes as MiB with one decimal. */
export function mib(bytes: number): string {
    return (bytes / 2 ** 20).toFixed(1);
}
