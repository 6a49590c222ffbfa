/**
 * How long operations of one kind took in this provider process, so a wait without any vendor hint
 * can still poll thinly while its end cannot be near.
 *
 * Why: a fleet upgrade runs the same operation (same kind, same target version, same image) on
 * many devices of one provider process (`pulumi up` serves every resource of the stack from one
 * process). Riverbed's image validation and system update, Appgate's upgrade, Avi's image processing
 * and an Avisi cluster upgrade report no progress and no estimate, so blind polling must stay tight
 * from start to end to notice the end soon. Once one device has finished, none of the next ones is
 * likely to finish much sooner than the fastest one so far.
 *
 * The hint is the **shortest** duration seen for the key (not a mean): the waiter polls thinly (up
 * to its `maxHintedDelayMs`, 120 s) until that moment and at its usual cadence after it. When the
 * hint is wrong:
 * - a device slower than every earlier one (the usual case of a spread) is polled at the usual cadence
 *   from the shortest duration on: its end is seen as soon as without the hint;
 * - a device faster than every earlier one is seen up to `maxHintedDelayMs` late (the stretch cap),
 *   and its own duration becomes the new shortest.
 * Nothing is learned from failed, timed-out or adopted waits (an operation started by an earlier
 * run has no known start), and nothing survives the process: the first device of each run polls
 * as without the hint.
 */

/** Durations remembered per key (the most recent ones; an old outlier ages out). */
const KEEP = 16;

/** Durations of completed operations in this process, by key (see the module comment). */
export class LearnedDurations {
    private readonly byKey = new Map<string, number[]>();

    /** Remembers that an operation with this key took `ms` from its start to its observed end. */
    record(key: string, ms: number): void {
        if (!(Number.isFinite(ms) && ms > 0)) {
            return;
        }
        const list = this.byKey.get(key) ?? [];
        list.push(ms);
        this.byKey.set(key, list.slice(-KEEP));
    }

    /** The shortest duration remembered for the key, or undefined before the first one completed. */
    shortest(key: string): number | undefined {
        const list = this.byKey.get(key);
        return list?.length ? Math.min(...list) : undefined;
    }
}

/**
 * What a handler passes to `waitFor` (option `learned`) for an operation it started itself: the
 * key names the operation the way a fleet shares it, e.g. `riverbed:SystemUpdate to 9.14.2`.
 */
export interface LearnedHint {
    durations: LearnedDurations;
    key: string;
    /** Epoch ms the operation started (the handler's clock). */
    startedAt: number;
}
