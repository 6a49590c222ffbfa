/**
 * How long `idle` stays ambiguous after an upgrade call of ours was accepted (or refused because
 * the appliance is already busy with it).
 *
 * Right after `POST …/upgrade/prepare` (or `…/complete`) an appliance may keep reporting `idle` for
 * a while (sdpctl#319), and the change record of the call may already read `completed` by then:
 * neither the status nor the order in which the status and the change were read tells "not started
 * yet" from "dropped". So the decision does not use them: after our call was accepted, `idle` is
 * *pending* until the grace period is over, and only then final ("dropped"). The grace ends when
 * **both** bounds are exceeded — {@link IDLE_GRACE_READS} idle status reads and
 * {@link IDLE_GRACE_MS} (at most half the wait budget) since the call — or at once when the
 * appliance has shown any other status since the call (the work visibly started, so a later
 * `idle` is not the race).
 */

/** Idle status reads tolerated after our call before `idle` can be final. */
export const IDLE_GRACE_READS = 10;
/** Time tolerated after our call before `idle` can be final (capped at half the wait budget). */
export const IDLE_GRACE_MS = 60_000;

/** The bounds of one grace period. */
export interface IdleGraceLimits {
    reads: number;
    ms: number;
}

/** The grace bounds for a wait with budget `timeoutMs`. */
export function idleGraceFor(timeoutMs: number): IdleGraceLimits {
    return { reads: IDLE_GRACE_READS, ms: Math.min(IDLE_GRACE_MS, timeoutMs / 2) };
}

/** Tracks one grace period, started when our call was accepted. */
export class IdleGrace {
    private idleReads = 0;
    private progressed = false;
    private readonly start: number;

    constructor(
        private readonly limits: IdleGraceLimits,
        private readonly now: () => number = Date.now,
    ) {
        this.start = now();
    }

    /** Records a status read other than `idle`: the appliance took the job, so `idle` is no longer ambiguous. */
    sawProgress(): void {
        this.progressed = true;
    }

    /**
     * Records one ambiguous status read (`idle`, or the status we started from); true while it still
     * counts as "accepted, not started yet".
     */
    idleIsPending(): boolean {
        this.idleReads++;
        if (this.progressed) {
            return false;
        }
        return this.idleReads <= this.limits.reads || this.now() - this.start < this.limits.ms;
    }

    /** `12 idle reads over 61.0s`, for messages. */
    describe(): string {
        return `${this.idleReads} idle status read${this.idleReads === 1 ? "" : "s"} over ${((this.now() - this.start) / 1_000).toFixed(1)}s`;
    }
}
