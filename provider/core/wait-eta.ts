/**
 * When a wait expects its end, from what the vendor reports (progress %) or what this process
 * learned (durations of earlier devices): the estimates behind `waitFor`'s ETA stretch.
 */

import type { LearnedHint } from "./learned-durations";

/** The earliest end the learned durations allow, or undefined before one completed. */
export function learnedEndOf(hint: LearnedHint): number | undefined {
    const shortest = hint.durations.shortest(hint.key);
    return shortest === undefined ? undefined : hint.startedAt + shortest;
}

/**
 * Time left, extrapolated from progress %. Vendors report progress in steps (one per task), so:
 * - the rate is averaged from the first poll that saw progress move to the poll that saw its latest
 *   value (a rate between the last two polls is either nothing or a burst); the first move is the
 *   anchor because progress often sits at its start value through a phase of unknown length
 *   (prechecks, a queue), which would make the rate too slow and the estimate too long;
 * - the estimate counts down from the latest step, dated halfway between the poll that saw it and
 *   the one before (a step that does not come brings the end nearer, not further); once the
 *   expected end has passed, `waitFor` starts its backoff again from the floor (neither stretched
 *   nor stuck at the floor);
 * - progress that goes back (a new phase restarting at 0) starts over.
 */
export class ProgressEta {
    private moved: Step | undefined;
    private latest: Step | undefined;

    /**
     * Records one poll's progress; returns the epoch ms the end is expected at, once progress has
     * moved twice (it may lie in the past: overdue). A step is dated halfway between the poll that saw
     * it and the one before (it happened in between).
     */
    observe(percent: number | undefined, now: number, previousPollAt: number | undefined): number | undefined {
        if (percent !== undefined) {
            const at = previousPollAt === undefined ? now : (previousPollAt + now) / 2;
            if (!this.latest || percent < this.latest.percent) {
                this.latest = { percent, at: now };
                this.moved = undefined;
            } else if (percent > this.latest.percent) {
                this.latest = { percent, at };
                this.moved ??= this.latest;
            }
        }
        const { moved, latest } = this;
        if (!moved || !latest || latest.at <= moved.at) {
            return undefined;
        }
        const ratePerMs = (latest.percent - moved.percent) / (latest.at - moved.at);
        return latest.at + (100 - latest.percent) / ratePerMs;
    }
}

interface Step {
    percent: number;
    at: number;
}
