/**
 * Time for simulators.
 *
 * Every simulated duration (image validation, update phases, reboot windows, token lifetimes) goes
 * through a {@link Clock}, so tests can swap the wall clock for a {@link ManualClock} and step
 * through a 15-minute token lifetime without waiting for it.
 */

/** A scheduled callback that can be cancelled. */
export interface TimerHandle {
    /** Stop the callback from running. Safe to call more than once or after it ran. */
    cancel(): void;
}

/** The time source and timer facility a simulator uses for everything it simulates. */
export interface Clock {
    /** Current time in milliseconds since the Unix epoch. */
    now(): number;
    /** Run `callback` once after `delayMs` milliseconds of this clock's time. */
    setTimer(delayMs: number, callback: () => void): TimerHandle;
    /** Resolve after `delayMs` milliseconds of this clock's time. */
    sleep(delayMs: number): Promise<void>;
}

/** The real wall clock, backed by `Date.now` and `setTimeout`. */
export class SystemClock implements Clock {
    now(): number {
        return Date.now();
    }

    setTimer(delayMs: number, callback: () => void): TimerHandle {
        // Not unref'd on purpose: while a simulated device reboots its server is closed, and this
        // timer is what keeps a CLI process alive until the device comes back.
        const timer = setTimeout(callback, Math.max(0, delayMs));
        return { cancel: () => clearTimeout(timer) };
    }

    sleep(delayMs: number): Promise<void> {
        return new Promise((resolve) => setTimeout(resolve, Math.max(0, delayMs)));
    }
}

interface ManualTimer {
    dueAtMs: number;
    sequence: number;
    callback: () => void;
}

/**
 * A clock that only moves when told to. Timers fire synchronously inside {@link ManualClock.advance},
 * in due-time order, which makes token expiry and phase transitions deterministic in tests.
 *
 * @example
 * ```ts
 * const clock = new ManualClock();
 * const sim = await startRiverbedSimulator({ clock });
 * clock.advance(16 * 60_000); // every 15-minute access token is now expired
 * ```
 */
export class ManualClock implements Clock {
    private currentMs: number;
    private sequence = 0;
    private readonly timers = new Set<ManualTimer>();

    /** @param startMs the initial time in epoch milliseconds (defaults to the real current time). */
    constructor(startMs: number = Date.now()) {
        this.currentMs = startMs;
    }

    now(): number {
        return this.currentMs;
    }

    setTimer(delayMs: number, callback: () => void): TimerHandle {
        const timer: ManualTimer = {
            dueAtMs: this.currentMs + Math.max(0, delayMs),
            sequence: this.sequence++,
            callback,
        };
        this.timers.add(timer);
        return { cancel: () => this.timers.delete(timer) };
    }

    sleep(delayMs: number): Promise<void> {
        return new Promise((resolve) => this.setTimer(delayMs, resolve));
    }

    /** Number of timers waiting to fire. */
    get pendingTimers(): number {
        return this.timers.size;
    }

    /**
     * Move time forward by `deltaMs`, firing every timer that falls due on the way (including timers
     * scheduled by those callbacks, if they fall inside the window).
     */
    advance(deltaMs: number): void {
        const targetMs = this.currentMs + Math.max(0, deltaMs);
        for (;;) {
            const next = this.nextDueTimer(targetMs);
            if (next === undefined) break;
            this.timers.delete(next);
            this.currentMs = next.dueAtMs;
            next.callback();
        }
        this.currentMs = targetMs;
    }

    private nextDueTimer(notAfterMs: number): ManualTimer | undefined {
        let best: ManualTimer | undefined;
        for (const timer of this.timers) {
            if (timer.dueAtMs > notAfterMs) continue;
            if (best === undefined || timer.dueAtMs < best.dueAtMs || (timer.dueAtMs === best.dueAtMs && timer.sequence < best.sequence)) {
                best = timer;
            }
        }
        return best;
    }
}

/**
 * A set of timers that can be cancelled together, so a simulator's `stop()` leaves nothing behind.
 */
export class TimerGroup {
    private readonly handles = new Set<TimerHandle>();

    constructor(private readonly clock: Clock) {}

    /** Schedule `callback` after `delayMs`; the returned handle also removes it from the group. */
    after(delayMs: number, callback: () => void): TimerHandle {
        const handle: TimerHandle = this.clock.setTimer(delayMs, () => {
            this.handles.delete(wrapped);
            callback();
        });
        const wrapped: TimerHandle = {
            cancel: () => {
                handle.cancel();
                this.handles.delete(wrapped);
            },
        };
        this.handles.add(wrapped);
        return wrapped;
    }

    /** Cancel every timer still pending in this group. */
    cancelAll(): void {
        for (const handle of [...this.handles]) handle.cancel();
    }

    /** Number of timers still pending. */
    get size(): number {
        return this.handles.size;
    }
}
