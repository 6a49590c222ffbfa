import { LearnedDurations } from "../../../provider/core/learned-durations";
import { waitFor, WaitFailedError, type Observation } from "../../../provider/core/waiter";

/** A clock whose sleep advances time instantly, recording each delay. */
function fakeClock(start = 1_000_000) {
    let now = start;
    const sleeps: number[] = [];
    return { sleeps, now: () => now, sleep: async (ms: number) => void (sleeps.push(ms), (now += ms)) };
}

/** An operation without any hint that ends `durationMs` after `start`. */
function operation(clock: { now(): number }, start: number, durationMs: number, end = "DONE") {
    return async (): Promise<Observation<unknown>> => ({ state: clock.now() - start >= durationMs ? end : "RUNNING" });
}

const base = { what: "device d1 update", target: ["DONE"], pending: ["RUNNING"], failure: ["FAILED"], random: () => 1 };
const opts = { ...base, timeoutMs: 7_200_000, minDelayMs: 10_000, maxDelayMs: 30_000 };

describe("LearnedDurations", () => {
    test("remembers the shortest of the recent durations per key; ignores nonsense", () => {
        const d = new LearnedDurations();
        expect(d.shortest("k")).toBeUndefined();
        d.record("k", 1_800_000);
        d.record("k", 1_500_000);
        d.record("k", Number.NaN);
        d.record("k", -5);
        d.record("other", 60_000);
        expect(d.shortest("k")).toBe(1_500_000);
        for (let i = 0; i < 16; i++) d.record("k", 2_000_000); // the old short one ages out
        expect(d.shortest("k")).toBe(2_000_000);
    });
});

describe("waitFor with learned durations", () => {
    test("the first device polls as without hints and teaches the next; the next polls thinly until the shortest duration", async () => {
        const durations = new LearnedDurations();
        const first = fakeClock();
        const r1 = await waitFor({
            ...opts,
            clock: first,
            refresh: operation(first, first.now(), 1_800_000),
            learned: { durations, key: "k", startedAt: first.now() },
        });
        expect(Math.max(...first.sleeps)).toBe(30_000); // nothing learned yet: the usual cadence
        expect(durations.shortest("k")).toBe(r1.elapsedMs);

        const second = fakeClock();
        const r2 = await waitFor({
            ...opts,
            clock: second,
            refresh: operation(second, second.now(), 1_900_000),
            learned: { durations, key: "k", startedAt: second.now() },
        });
        expect(Math.max(...second.sleeps)).toBe(120_000); // far from the learned end: stretched to the cap
        expect(r2.polls).toBeLessThan(r1.polls / 2);
        // Slower than the first: from the learned end on, the backoff starts again at the floor, so the end is seen within the ceiling.
        expect(r2.elapsedMs - 1_900_000).toBeLessThanOrEqual(30_000);
        expect(durations.shortest("k")).toBe(r1.elapsedMs);
    });

    test("a device faster than every earlier one is seen at most the stretch cap late", async () => {
        const durations = new LearnedDurations();
        durations.record("k", 1_800_000);
        const clock = fakeClock();
        const r = await waitFor({
            ...opts,
            clock,
            refresh: operation(clock, clock.now(), 600_000),
            learned: { durations, key: "k", startedAt: clock.now() },
        });
        expect(r.elapsedMs - 600_000).toBeLessThanOrEqual(120_000);
        expect(durations.shortest("k")).toBe(r.elapsedMs); // it is the new shortest
    });

    test("a failure is seen at most the stretch cap late and teaches nothing", async () => {
        const durations = new LearnedDurations();
        durations.record("k", 1_800_000);
        const clock = fakeClock();
        const err = await waitFor({
            ...opts,
            clock,
            refresh: operation(clock, clock.now(), 300_000, "FAILED"),
            learned: { durations, key: "k", startedAt: clock.now() },
        }).catch((e) => e);
        expect(err).toBeInstanceOf(WaitFailedError);
        expect(err.elapsedMs - 300_000).toBeLessThanOrEqual(120_000);
        expect(durations.shortest("k")).toBe(1_800_000);
    });

    test("a vendor ETA or moving progress wins over the learned duration", async () => {
        const durations = new LearnedDurations();
        durations.record("k", 3_600_000);
        const clock = fakeClock();
        const start = clock.now();
        const refresh = async (): Promise<Observation<unknown>> =>
            clock.now() - start >= 200_000 ? { state: "DONE" } : { state: "RUNNING", etaMs: 200_000 - (clock.now() - start) };
        await waitFor({ ...opts, clock, refresh, learned: { durations, key: "k", startedAt: start } });
        expect(clock.sleeps[0]).toBe(100_000); // half the vendor's 200 s, not the learned hour
    });
});
