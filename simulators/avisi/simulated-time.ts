/**
 * Simulated time that runs faster than the wall clock, so a maintenance window a week away arrives
 * within seconds while every date the API shows still looks real (next Tuesday 02:00 UTC).
 *
 * Simulated now = `originMs + (Date.now() - originMs) × scale + skippedMs`: at start the simulated
 * and the real clock agree, then simulated time runs `scale` times faster, and `skip()` jumps ahead.
 * A client that must sleep until a window (the provider) can follow the same formula from the
 * `originMs`/`scale` pair the simulator publishes, see `GET /__sim/state` → `time`.
 */
import type { Clock, TimerHandle } from "../core/clock";

interface ScaledTimer {
    readonly dueAtMs: number;
    readonly sequence: number;
    readonly callback: () => void;
}

/** A {@link Clock} whose time runs `scale` times faster than the wall clock. */
export class ScaledClock implements Clock {
    private skippedMs = 0;
    private sequence = 0;
    private readonly timers = new Set<ScaledTimer>();
    private realTimer: NodeJS.Timeout | undefined;

    /**
     * @param scale simulated milliseconds per real millisecond (1 = real time, 10 000 = a week in a minute).
     * @param originMs the epoch instant at which simulated and real time agree (default: now).
     */
    constructor(
        readonly scale: number,
        readonly originMs: number = Date.now(),
    ) {
        if (!(scale > 0) || !Number.isFinite(scale)) throw new Error(`ScaledClock [scale] must be a positive number, got ${scale}.`);
    }

    now(): number {
        return Math.round(this.originMs + (Date.now() - this.originMs) * this.scale + this.skippedMs);
    }

    /** Total simulated time skipped with {@link ScaledClock.skip}. */
    get skipped(): number {
        return this.skippedMs;
    }

    setTimer(delayMs: number, callback: () => void): TimerHandle {
        const timer: ScaledTimer = { dueAtMs: this.now() + Math.max(0, delayMs), sequence: this.sequence++, callback };
        this.timers.add(timer);
        this.arm();
        return {
            cancel: () => {
                if (this.timers.delete(timer)) this.arm();
            },
        };
    }

    sleep(delayMs: number): Promise<void> {
        return new Promise((resolve) => this.setTimer(delayMs, resolve));
    }

    /** Jump simulated time forward by `deltaMs`, firing every timer that falls due. */
    skip(deltaMs: number): void {
        if (!(deltaMs >= 0) || !Number.isFinite(deltaMs)) throw new Error(`skip: [deltaMs] must be a non-negative number, got ${deltaMs}.`);
        this.skippedMs += deltaMs;
        this.fireDue();
    }

    /** Cancel every pending timer (the simulator stops). */
    cancelAll(): void {
        this.timers.clear();
        this.arm();
    }

    private fireDue(): void {
        for (;;) {
            const now = this.now();
            const due = [...this.timers]
                .filter((t) => t.dueAtMs <= now)
                .sort((a, b) => a.dueAtMs - b.dueAtMs || a.sequence - b.sequence)[0];
            if (due === undefined) break;
            this.timers.delete(due);
            due.callback();
        }
        this.arm();
    }

    /** Keep exactly one real timeout, for the earliest simulated timer. */
    private arm(): void {
        if (this.realTimer !== undefined) clearTimeout(this.realTimer);
        this.realTimer = undefined;
        let earliest: number | undefined;
        for (const timer of this.timers) if (earliest === undefined || timer.dueAtMs < earliest) earliest = timer.dueAtMs;
        if (earliest === undefined) return;
        const realDelay = Math.max(0, Math.ceil((earliest - this.now()) / this.scale));
        // Capped so a far-away timer never overflows setTimeout's 32-bit delay.
        this.realTimer = setTimeout(() => this.fireDue(), Math.min(realDelay, 2 ** 31 - 1));
    }
}
