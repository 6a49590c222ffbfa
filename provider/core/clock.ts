/**
 * The one time source of the provider. The runtime creates handlers with {@link systemClock}; every
 * deadline, backoff sleep, token expiry and progress heartbeat below it reads this clock instead of
 * `Date.now()` or `setTimeout`, so a unit test can hand a handler a {@link FakeClock} and walk through
 * a 90-minute upgrade in milliseconds.
 */

/** Time source and sleep. */
export interface Clock {
    /** Current time in epoch milliseconds. */
    now(): number;
    /** Resolves after `ms` milliseconds of this clock's time. */
    sleep(ms: number): Promise<void>;
}

/** The real clock: `Date.now` and `setTimeout`. */
export const systemClock: Clock = {
    now: () => Date.now(),
    sleep: (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms))),
};

/**
 * A clock for tests whose `sleep` advances time at once. Whatever else must move with it (a
 * simulator's own manual clock, so the simulated device progresses while the handler "sleeps") is
 * told through `onAdvance`. Each sleep also yields to the event loop, so socket I/O still happens.
 *
 * @example
 * ```ts
 * const simClock = new ManualClock();                       // simulators/core/clock
 * const clock = new FakeClock(simClock.now(), (ms) => simClock.advance(ms));
 * const handler = settingHandler({ clock, clients: new ClientCache() });
 * ```
 */
export class FakeClock implements Clock {
    /** Every delay slept, in order (for assertions on backoff). */
    readonly sleeps: number[] = [];

    constructor(
        private current: number = Date.UTC(2026, 0, 1),
        private readonly onAdvance?: (ms: number) => void,
    ) {}

    now(): number {
        return this.current;
    }

    async sleep(ms: number): Promise<void> {
        const delay = Math.max(0, ms);
        this.sleeps.push(delay);
        this.advance(delay);
        await new Promise((resolve) => setImmediate(resolve));
    }

    /** Moves time forward without sleeping. */
    advance(ms: number): void {
        this.current += ms;
        this.onAdvance?.(ms);
    }
}

/**
 * Returns a function that is true at most once per `intervalMs` of `clock` time, the first time
 * `intervalMs` after its creation (heartbeat progress lines).
 */
export function every(intervalMs: number, clock: Clock = systemClock): () => boolean {
    let last = clock.now();
    return () => {
        const t = clock.now();
        if (t - last >= intervalMs) {
            last = t;
            return true;
        }
        return false;
    };
}
