/**
 * One generic wait primitive for every long-running vendor operation.
 *
 * Success conditions, exactly:
 * - a refresh returns a state listed in `target`, `consecutiveTargets` times in a row (default 1).
 *
 * Failure conditions, exactly:
 * - a refresh returns a state listed in `failure` → {@link WaitFailedError} (carries the object);
 * - a refresh returns a state in none of the three lists → {@link UnexpectedStateError} at once
 *   (fail fast: an unknown state means our model of the vendor is wrong, and waiting would hide it);
 * - a refresh throws an error that `isTransient` rejects → that error, unchanged;
 * - transient errors (connection refused/reset during a reboot, 5xx, 429) keep happening for longer
 *   than `transient.maxOutageMs`, or more than `transient.maxConsecutive` times in a row
 *   → {@link TransientBudgetExceededError};
 * - the overall budget `timeoutMs` runs out → {@link WaitTimeoutError}, whose message always states
 *   the last state seen, the expected states, the elapsed time and the budget.
 *
 * Timing: the first refresh happens at once (after `initialDelayMs`); then the delay grows
 * exponentially from `minDelayMs` to `maxDelayMs` with full jitter, as in smithy's waiter. Vendor hints
 * may change the next delay: an ETA (given, or derived from the rate progress % moves at) shortens
 * it, or lengthens it up to `maxHintedDelayMs` (120 s) while the end is far; a scheduled start
 * (`notBefore`) lengthens it; a state that is a long phase before another visible one may raise the
 * backoff ceiling while it lasts (`Observation.maxDelayMs`). The last sleep is cut so a final refresh happens
 * right at the deadline. Requests made by `refresh` are retried at most once by the HTTP session
 * (the waiter's next poll is the retry; see wait-poll.ts). Clock, sleep and randomness are injected so unit tests run in milliseconds.
 */

import { systemClock, type Clock } from "./clock";
import { isTransientError } from "./errors";
import type { LearnedHint } from "./learned-durations";
import { learnedEndOf, ProgressEta } from "./wait-eta";
import { asWaitPoll } from "./wait-poll";

/**
 * Default of {@link WaitOptions.maxHintedDelayMs}: the longest a vendor's estimate may stretch one
 * delay, and so the longest a failure state or a too-long estimate can go unseen.
 */
export const DEFAULT_MAX_HINTED_DELAY_MS = 120_000;

/** What one refresh observed. */
export interface Observation<T> {
    /** The vendor state, exactly as the vendor spells it. */
    state: string;
    /** The vendor object (kept in errors so the caller can persist what it knows). */
    object?: T;
    /** Completion in percent (0–100), when the vendor reports it. */
    progressPercent?: number;
    /** The vendor's own estimate of the time left, in ms. */
    etaMs?: number;
    /** Epoch ms before which nothing will happen (e.g. a scheduled maintenance window start). */
    notBefore?: number;
    /** A short human-readable detail for progress lines (e.g. the vendor's state description). */
    detail?: string;
    /**
     * A longer backoff ceiling while in this state: a long phase whose end is not yet the one waited
     * for (another visible state comes first), so a late look costs little. Between `maxDelayMs` and
     * `maxHintedDelayMs`; outages keep `maxDelayMs`.
     */
    maxDelayMs?: number;
}

export type { Clock } from "./clock";
export { systemClock } from "./clock";

/** An event reported to {@link WaitOptions.onProgress}. */
export type WaitEvent<T> =
    | { kind: "state"; previous: string | undefined; observation: Observation<T>; elapsedMs: number }
    | { kind: "poll"; observation: Observation<T>; elapsedMs: number; nextDelayMs: number }
    | { kind: "transient"; error: unknown; consecutive: number; outageMs: number; elapsedMs: number }
    | { kind: "recovered"; outageMs: number; elapsedMs: number };

/** Configuration of one wait. Durations are in milliseconds. */
export interface WaitOptions<T> {
    /** Names what we wait for in messages, e.g. `riverbed device https://… system update`. */
    what: string;
    /** Reads the vendor object once. Throw to signal an error; transient errors are tolerated. */
    refresh: () => Promise<Observation<T>>;
    /** States that end the wait successfully. */
    target: readonly string[];
    /** States that mean "keep waiting". */
    pending: readonly string[];
    /** States that end the wait with {@link WaitFailedError}. */
    failure?: readonly string[];
    /** Overall budget for the whole wait. */
    timeoutMs: number;
    /** Delay before the first refresh. Default 0. */
    initialDelayMs?: number;
    /** Floor of the delay between refreshes. Default 1 000. */
    minDelayMs?: number;
    /** Ceiling of the delay between refreshes. Default 30 000. */
    maxDelayMs?: number;
    /**
     * Longest delay an ETA may stretch a poll to while the end is far: when half the time left is
     * above `maxDelayMs`, the next delay is that half, at most this long; through an outage it is
     * counted from the last ETA seen, and never reaches past the outage budget. Polls thin out far
     * from the end and thicken towards it. Default {@link DEFAULT_MAX_HINTED_DELAY_MS} (120 s);
     * set it to `maxDelayMs` to let an ETA only shorten delays.
     *
     * Safety on real appliances: only a vendor estimate (or progress that moves) stretches a delay,
     * so a failure state or a wrong, too-long estimate is seen at most this late, and an outage
     * budget is never overshot by more than `maxDelayMs` (as without hints); an estimate that is too
     * short only shortens delays. bench/polling measures what it buys.
     */
    maxHintedDelayMs?: number;
    /**
     * Durations learned in this process for the same operation (see learned-durations.ts): when
     * neither an ETA nor moving progress is observed, the end is expected no sooner than
     * `startedAt` + the shortest duration seen for `key`, and polls stretch until then (at most
     * `maxHintedDelayMs` each). When the wait reaches a target, its duration is recorded. Pass it only
     * for an operation this call started (an adopted one has no known start).
     */
    learned?: LearnedHint;
    /** How many consecutive target observations are needed. Default 1. */
    consecutiveTargets?: number;
    /** How transient refresh errors are tolerated. */
    transient?: {
        /** Classifies an error as transient. Default: {@link isTransientError}. */
        isTransient?: (err: unknown) => boolean;
        /** Longest tolerated run of transient errors, measured from the first one. Default 10 minutes. */
        maxOutageMs?: number;
        /** Most transient errors tolerated in a row. Default: unlimited (the outage time bounds it). */
        maxConsecutive?: number;
    };
    /** Called on state changes, on every poll and on transient errors (progress lines). */
    onProgress?: (event: WaitEvent<T>) => void;
    /** Injected time source; default {@link systemClock}. */
    clock?: Clock;
    /** Injected randomness in [0, 1); default Math.random. */
    random?: () => number;
}

/** The result of a successful wait. */
export interface WaitResult<T> {
    state: string;
    object?: T;
    elapsedMs: number;
    /** Number of refresh calls made. */
    polls: number;
    /** How often each state (or error) was observed, e.g. `{RUNNING: 12, "error: ECONNREFUSED": 4}`. */
    observed: Record<string, number>;
}

/** Base class of every waiter error: carries the last observation. */
export class WaitError<T = unknown> extends Error {
    constructor(
        message: string,
        readonly what: string,
        readonly lastObservation: Observation<T> | undefined,
        readonly elapsedMs: number,
        readonly observed: Record<string, number>,
    ) {
        super(message);
        this.name = "WaitError";
    }
    /** The last vendor state seen, if any. */
    get lastState(): string | undefined {
        return this.lastObservation?.state;
    }
}

/** The budget ran out before a target state was seen. */
export class WaitTimeoutError<T = unknown> extends WaitError<T> {
    constructor(
        what: string,
        last: Observation<T> | undefined,
        elapsedMs: number,
        observed: Record<string, number>,
        readonly timeoutMs: number,
        readonly expected: readonly string[],
        readonly lastError: unknown,
    ) {
        const lastErr = lastError ? `; last error: ${errorText(lastError)}` : "";
        super(
            `timed out waiting for ${what} to reach ${expected.join(" or ")}: last state ${describe(last)} after ` +
                `${formatDuration(elapsedMs)} (budget ${formatDuration(timeoutMs)})${lastErr}`,
            what,
            last,
            elapsedMs,
            observed,
        );
        this.name = "WaitTimeoutError";
    }
}

/** A failure state was observed. */
export class WaitFailedError<T = unknown> extends WaitError<T> {
    constructor(what: string, last: Observation<T>, elapsedMs: number, observed: Record<string, number>) {
        super(`${what} failed: state ${describe(last)} after ${formatDuration(elapsedMs)}`, what, last, elapsedMs, observed);
        this.name = "WaitFailedError";
    }
}

/** A state in none of the target, pending and failure lists was observed. */
export class UnexpectedStateError<T = unknown> extends WaitError<T> {
    constructor(
        what: string,
        last: Observation<T>,
        elapsedMs: number,
        observed: Record<string, number>,
        readonly known: readonly string[],
    ) {
        super(`${what} is in unexpected state ${describe(last)}; known states: ${known.join(", ")}`, what, last, elapsedMs, observed);
        this.name = "UnexpectedStateError";
    }
}

/** Transient errors lasted longer than their budget. */
export class TransientBudgetExceededError<T = unknown> extends WaitError<T> {
    constructor(
        what: string,
        last: Observation<T> | undefined,
        elapsedMs: number,
        observed: Record<string, number>,
        readonly outageMs: number,
        readonly consecutive: number,
        readonly lastError: unknown,
    ) {
        super(
            `${what} stayed unreachable for ${formatDuration(outageMs)} (${consecutive} failed polls in a row; ` +
                `last state before that ${describe(last)}); last error: ${errorText(lastError)}`,
            what,
            last,
            elapsedMs,
            observed,
        );
        this.name = "TransientBudgetExceededError";
    }
}

/**
 * Polls `refresh` until a target state, a failure state, an unknown state, or the budget.
 *
 * @example
 * ```ts
 * const done = await waitFor({
 *     what: `image ${id} on ${endpoint}`,
 *     refresh: async () => { const img = await client.getImage(id); return { state: img.state, object: img, progressPercent: img.progress }; },
 *     target: ["VALID"], pending: ["UPLOADING", "VALIDATING"], failure: ["INVALID", "UPLOAD_ERROR"],
 *     timeoutMs: 30 * 60_000,
 * });
 * ```
 */
export async function waitFor<T>(options: WaitOptions<T>): Promise<WaitResult<T>> {
    validateWaitOptions(options);
    const clock = options.clock ?? systemClock;
    const random = options.random ?? Math.random;
    const minDelay = options.minDelayMs ?? 1_000;
    const maxDelay = options.maxDelayMs ?? 30_000;
    const maxHintedDelay = Math.max(maxDelay, options.maxHintedDelayMs ?? DEFAULT_MAX_HINTED_DELAY_MS);
    const failure = options.failure ?? [];
    const isTransient = options.transient?.isTransient ?? isTransientError;
    const maxOutageMs = options.transient?.maxOutageMs ?? 10 * 60_000;
    const maxConsecutive = options.transient?.maxConsecutive ?? Number.POSITIVE_INFINITY;
    const needTargets = options.consecutiveTargets ?? 1;

    const start = clock.now();
    const deadline = start + options.timeoutMs;
    const observed: Record<string, number> = {};
    let last: Observation<T> | undefined;
    const progress = new ProgressEta();
    let lastEta: { ms: number; at: number } | undefined;
    let lastExpectedEnd: number | undefined; // epoch ms the last estimate expected the end at
    let restartedFor: number | undefined; // the expected end the backoff last started again for
    let backoffFrom = 0;
    let previousPollAt: number | undefined;
    let lastError: unknown;
    let outageStart: number | undefined;
    let consecutiveErrors = 0;
    let targetsInARow = 0;
    let attempt = 0;
    let polls = 0;

    if (options.initialDelayMs) {
        await clock.sleep(Math.min(options.initialDelayMs, options.timeoutMs));
    }

    for (;;) {
        attempt++;
        polls++;
        let observation: Observation<T> | undefined;
        try {
            observation = await asWaitPoll(options.refresh);
        } catch (err) {
            if (!isTransient(err)) {
                throw err;
            }
            lastError = err;
            const now = clock.now();
            outageStart ??= now;
            consecutiveErrors++;
            count(observed, `error: ${errorCode(err)}`);
            const outageMs = now - outageStart;
            options.onProgress?.({ kind: "transient", error: err, consecutive: consecutiveErrors, outageMs, elapsedMs: now - start });
            if (outageMs > maxOutageMs || consecutiveErrors > maxConsecutive) {
                throw new TransientBudgetExceededError(options.what, last, now - start, observed, outageMs, consecutiveErrors, err);
            }
        }

        const now = clock.now();
        if (observation) {
            if (outageStart !== undefined) {
                options.onProgress?.({ kind: "recovered", outageMs: now - outageStart, elapsedMs: now - start });
            }
            outageStart = undefined;
            consecutiveErrors = 0;
            lastError = undefined;
            count(observed, observation.state);
            if (observation.state !== last?.state) {
                options.onProgress?.({ kind: "state", previous: last?.state, observation, elapsedMs: now - start });
                targetsInARow = 0;
            }
            last = observation;

            if (options.target.includes(observation.state)) {
                targetsInARow++;
                if (targetsInARow >= needTargets) {
                    options.learned?.durations.record(options.learned.key, now - options.learned.startedAt);
                    return { state: observation.state, object: observation.object, elapsedMs: now - start, polls, observed };
                }
            } else if (failure.includes(observation.state)) {
                throw new WaitFailedError(options.what, observation, now - start, observed);
            } else if (!options.pending.includes(observation.state)) {
                const known = [...options.target, ...options.pending, ...failure];
                throw new UnexpectedStateError(options.what, observation, now - start, observed, known);
            }
        }

        if (now >= deadline) {
            throw new WaitTimeoutError(options.what, last, now - start, observed, options.timeoutMs, options.target, lastError);
        }

        // Next delay: full-jitter exponential backoff between floor and ceiling (starting again from the
        // floor when an estimate has run out: the end was expected by now, so look again soon) ...
        const vendorEta = observation?.etaMs !== undefined && observation.etaMs >= 0 ? observation.etaMs : undefined;
        const progressEnd = observation ? progress.observe(observation.progressPercent, now, previousPollAt) : undefined;
        const learnedEnd = options.learned ? learnedEndOf(options.learned) : undefined;
        const expectedEnd = vendorEta !== undefined ? now + vendorEta : (progressEnd ?? learnedEnd);
        const eta = expectedEnd !== undefined && expectedEnd > now ? expectedEnd - now : undefined;
        if (expectedEnd !== undefined) {
            lastExpectedEnd = expectedEnd;
        }
        if (eta === undefined && lastExpectedEnd !== undefined && now >= lastExpectedEnd && lastExpectedEnd !== restartedFor) {
            backoffFrom = attempt - 1;
            restartedFor = lastExpectedEnd;
        }
        previousPollAt = now;
        const stateCeiling = Math.min(maxHintedDelay, Math.max(maxDelay, observation?.maxDelayMs ?? maxDelay));
        const ceiling = Math.min(stateCeiling, minDelay * 2 ** Math.min(attempt - 1 - backoffFrom, 30));
        let delay = minDelay + random() * (ceiling - minDelay);
        if (targetsInARow > 0) {
            delay = minDelay; // re-confirming a target: do not back off
        }
        // ... shortened by an ETA (the vendor's, or one extrapolated from progress %) ...
        if (eta !== undefined) {
            delay = Math.max(minDelay, Math.min(delay, eta));
            lastEta = { ms: eta, at: now };
        }
        // ... or lengthened while the end is far (also through an outage, from the last ETA seen):
        // half the time left, at most `maxHintedDelayMs`, so polls thin out far from the end and
        // thicken towards it; in an outage, never past the moment its budget runs out.
        const etaLeft = eta ?? (observation || !lastEta ? undefined : lastEta.ms - (now - lastEta.at));
        if (maxHintedDelay > stateCeiling && etaLeft !== undefined && etaLeft / 2 > stateCeiling) {
            let stretched = Math.min(etaLeft / 2, maxHintedDelay);
            if (outageStart !== undefined) {
                stretched = Math.min(stretched, outageStart + maxOutageMs - now);
            }
            delay = Math.max(delay, stretched);
        }
        // ... lengthened to a throttled device's Retry-After (the HTTP session leaves a wait poll's
        // retries to the waiter, see wait-poll.ts, so the waiter honours it) ...
        const retryAfterMs = observation ? undefined : (lastError as { retryAfterMs?: unknown } | undefined)?.retryAfterMs;
        if (typeof retryAfterMs === "number" && retryAfterMs > delay) {
            delay = retryAfterMs;
        }
        // ... lengthened up to a scheduled start that lies in the future ...
        if (observation?.notBefore !== undefined && observation.notBefore > now + delay) {
            delay = observation.notBefore - now;
        }
        // ... and cut so the last refresh happens right at the deadline.
        delay = Math.max(0, Math.min(delay, deadline - now));
        if (observation) {
            options.onProgress?.({ kind: "poll", observation, elapsedMs: now - start, nextDelayMs: delay });
        }
        await clock.sleep(delay);
    }
}

function validateWaitOptions<T>(o: WaitOptions<T>): void {
    const positive = (name: string, v: number | undefined) => {
        if (v !== undefined && !(Number.isFinite(v) && v >= 0)) {
            throw new RangeError(`waitFor ${o.what}: ${name} must be a non-negative number of ms, got ${v}`);
        }
    };
    positive("timeoutMs", o.timeoutMs);
    positive("initialDelayMs", o.initialDelayMs);
    positive("minDelayMs", o.minDelayMs);
    positive("maxDelayMs", o.maxDelayMs);
    positive("maxHintedDelayMs", o.maxHintedDelayMs);
    if ((o.maxDelayMs ?? 30_000) < (o.minDelayMs ?? 1_000)) {
        throw new RangeError(`waitFor ${o.what}: maxDelayMs (${o.maxDelayMs}) is below minDelayMs (${o.minDelayMs})`);
    }
    if (o.target.length === 0) {
        throw new RangeError(`waitFor ${o.what}: target states must not be empty`);
    }
}

function count(histogram: Record<string, number>, key: string): void {
    histogram[key] = (histogram[key] ?? 0) + 1;
}

function describe<T>(o: Observation<T> | undefined): string {
    if (!o) {
        return "(none observed)";
    }
    return o.detail ? `${o.state} (${o.detail})` : o.state;
}

function errorCode(err: unknown): string {
    const e = err as { code?: unknown; status?: unknown; name?: unknown };
    if (typeof e?.status === "number") {
        return String(e.status);
    }
    if (typeof e?.code === "string") {
        return e.code;
    }
    return typeof e?.name === "string" ? e.name : "unknown";
}

function errorText(err: unknown): string {
    return err instanceof Error ? err.message : String(err);
}

/** Formats a duration as `1h02m`, `4m05s`, `12.3s` or `250ms`. */
export function formatDuration(ms: number): string {
    if (ms < 1_000) {
        return `${Math.round(ms)}ms`;
    }
    if (ms < 60_000) {
        return `${(ms / 1_000).toFixed(1)}s`;
    }
    const totalSeconds = Math.round(ms / 1_000);
    const h = Math.floor(totalSeconds / 3_600);
    const m = Math.floor((totalSeconds % 3_600) / 60);
    const s = totalSeconds % 60;
    return h > 0 ? `${h}h${String(m).padStart(2, "0")}m` : `${m}m${String(s).padStart(2, "0")}s`;
}
