/**
 * Errors that say which device failed, in which phase, and why — the one shape every vendor's
 * handler errors take: `<subject>: <phase> failed: <cause>`, where the subject names the vendor and
 * the device (`riverbed device https://10.0.0.5`, `appgate appliance gw-1 (…) on controller …`) and
 * the cause carries the vendor's own words.
 */

import { InputError, VendorFailureError } from "./errors";
import { WaitError, WaitFailedError } from "./waiter";

/** The message of any thrown value. */
export function messageOf(err: unknown): string {
    return err instanceof Error ? err.message : String(err);
}

/** A failure in one phase of a resource operation: `<subject>: <phase> failed: <detail>`. */
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

/**
 * Turns any error raised during `phase` into one that names the subject, the phase and the vendor's
 * words:
 * - a failure state seen by a wait ({@link WaitFailedError}) → {@link VendorFailureError} with the
 *   state and the vendor's description;
 * - an {@link InputError} → prefixed with the subject (the property name stays in brackets);
 * - errors that already name the device and phase (PhaseError, VendorFailureError, other wait
 *   errors, whose messages carry the subject) → unchanged;
 * - anything else → {@link PhaseError}.
 */
export function phaseFailure(subject: string, phase: string, err: unknown): Error {
    if (err instanceof WaitFailedError) {
        return new VendorFailureError(subject, phase, err.lastState ?? "?", err.lastObservation?.detail);
    }
    if (err instanceof PhaseError || err instanceof VendorFailureError || err instanceof WaitError) {
        return err;
    }
    if (err instanceof InputError) {
        return new Error(`${subject}: ${err.message}`, { cause: err });
    }
    return new PhaseError(subject, phase, messageOf(err), err);
}

/** Runs `fn`; an error is turned into one naming the subject and `phase` ({@link phaseFailure}). */
export async function inPhase<T>(subject: string, phase: string, fn: () => Promise<T>): Promise<T> {
    try {
        return await fn();
    } catch (err) {
        throw err instanceof InputError ? err : phaseFailure(subject, phase, err);
    }
}
