import {
    TransientBudgetExceededError,
    UnexpectedStateError,
    WaitFailedError,
    WaitTimeoutError,
    DEFAULT_MAX_HINTED_DELAY_MS,
    waitFor,
    type Observation,
} from "../../../provider/core/waiter";
import { VendorApiError } from "../../../provider/core/errors";

/** A clock whose sleep advances time instantly, recording each delay. */
function fakeClock(start = 1_000_000) {
    let now = start;
    const sleeps: number[] = [];
    return {
        sleeps,
        now: () => now,
        sleep: async (ms: number) => {
            sleeps.push(ms);
            now += ms;
        },
        advance: (ms: number) => (now += ms),
    };
}

/** A refresh function replaying a fixed sequence of states (the last repeats). */
function sequence(...states: (string | Error)[]): () => Promise<Observation<unknown>> {
    let i = 0;
    return async () => {
        const s = states[Math.min(i++, states.length - 1)];
        if (s instanceof Error) throw s;
        return { state: s };
    };
}

const refused = () => new VendorApiError({ vendor: "v", method: "GET", path: "/x", code: "ECONNREFUSED", transient: true });

const base = { what: "device d1 upgrade", target: ["DONE"], pending: ["RUNNING"], failure: ["FAILED"], random: () => 0.5 };

test("TestWaitForState_success: reaches the target after pending states", async () => {
    const clock = fakeClock();
    const r = await waitFor({ ...base, clock, refresh: sequence("RUNNING", "RUNNING", "DONE"), timeoutMs: 60_000 });
    expect(r.state).toBe("DONE");
    expect(r.polls).toBe(3);
    expect(r.observed).toEqual({ RUNNING: 2, DONE: 1 });
});

test("TestWaitForState_failureState: a failure state ends the wait with the state and detail", async () => {
    const clock = fakeClock();
    const refresh = async () => ({ state: "FAILED", detail: "disk full" });
    const err = await waitFor({ ...base, clock, refresh, timeoutMs: 60_000 }).catch((e) => e);
    expect(err).toBeInstanceOf(WaitFailedError);
    expect(err.message).toContain("device d1 upgrade failed: state FAILED (disk full)");
});

test("TestWaitForState_unknownState: an unlisted state fails fast, naming the known states", async () => {
    const clock = fakeClock();
    const err = await waitFor({ ...base, clock, refresh: sequence("RUNNING", "PAUSED"), timeoutMs: 60_000 }).catch((e) => e);
    expect(err).toBeInstanceOf(UnexpectedStateError);
    expect(err.message).toContain("unexpected state PAUSED");
    expect(err.message).toContain("known states: DONE, RUNNING, FAILED");
    expect(clock.sleeps.length).toBe(1);
});

test("TestWaitForState_timeout: message names last state, elapsed time and budget; last probe at the deadline", async () => {
    const clock = fakeClock();
    const err = await waitFor({
        ...base,
        clock,
        refresh: sequence("RUNNING"),
        timeoutMs: 300_000,
        minDelayMs: 1_000,
        maxDelayMs: 30_000,
    }).catch((e) => e);
    expect(err).toBeInstanceOf(WaitTimeoutError);
    expect(err.message).toBe("timed out waiting for device d1 upgrade to reach DONE: last state RUNNING after 5m00s (budget 5m00s)");
    expect(clock.sleeps.reduce((a, b) => a + b, 0)).toBe(300_000);
});

test("TestWaitForState_backoff: delays grow from the floor, stay within the ceiling, with jitter", async () => {
    const clock = fakeClock();
    await waitFor({
        ...base,
        clock,
        random: () => 1,
        refresh: sequence("RUNNING"),
        timeoutMs: 200_000,
        minDelayMs: 1_000,
        maxDelayMs: 16_000,
    }).catch(() => undefined);
    expect(clock.sleeps.slice(0, 7)).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 16_000, 16_000]);
    const low = fakeClock();
    await waitFor({
        ...base,
        clock: low,
        random: () => 0,
        refresh: sequence("RUNNING"),
        timeoutMs: 10_000,
        minDelayMs: 1_000,
        maxDelayMs: 16_000,
    }).catch(() => undefined);
    expect(new Set(low.sleeps)).toEqual(new Set([1_000]));
});

test("TestWaitForState_transientBudget: refused connections during a reboot are tolerated, then recovered", async () => {
    const clock = fakeClock();
    const events: string[] = [];
    const r = await waitFor({
        ...base,
        clock,
        refresh: sequence("RUNNING", refused(), refused(), refused(), "DONE"),
        timeoutMs: 600_000,
        transient: { maxOutageMs: 120_000 },
        onProgress: (e) => events.push(e.kind),
    });
    expect(r.state).toBe("DONE");
    expect(r.observed["error: ECONNREFUSED"]).toBe(3);
    expect(events.filter((k) => k === "transient").length).toBe(3);
    expect(events).toContain("recovered");
});

test("TestWaitForState_transientBudgetExceeded: an outage longer than its budget fails with the last error", async () => {
    const clock = fakeClock();
    const err = await waitFor({
        ...base,
        clock,
        refresh: sequence("RUNNING", refused()),
        timeoutMs: 3_600_000,
        minDelayMs: 10_000,
        maxDelayMs: 10_000,
        transient: { maxOutageMs: 60_000 },
    }).catch((e) => e);
    expect(err).toBeInstanceOf(TransientBudgetExceededError);
    expect(err.message).toMatch(/stayed unreachable for 1m\d\ds .*last state before that RUNNING.*ECONNREFUSED/);
});

test("TestWaitForState_retryAfter: a throttled poll's Retry-After lengthens the next delay (the HTTP session leaves it to the waiter)", async () => {
    const clock = fakeClock();
    const throttled = new VendorApiError({ vendor: "v", method: "GET", path: "/x", status: 429, transient: true, retryAfterMs: 45_000 });
    await waitFor({ ...base, clock, refresh: sequence("RUNNING", throttled, "DONE"), timeoutMs: 600_000 });
    expect(clock.sleeps).toEqual([1_000, 45_000]);
});

test("TestWaitForState_nonTransientError: other refresh errors propagate at once", async () => {
    const clock = fakeClock();
    const boom = new Error("schema mismatch");
    await expect(waitFor({ ...base, clock, refresh: sequence(boom), timeoutMs: 60_000 })).rejects.toBe(boom);
});

test("TestWaitForState_etaHint: an ETA shortens the next delay; progress % is extrapolated", async () => {
    const clock = fakeClock();
    let i = 0;
    const refresh = async (): Promise<Observation<unknown>> => {
        i++;
        if (i === 1) return { state: "RUNNING", etaMs: 1_500 };
        return { state: "DONE" };
    };
    await waitFor({ ...base, clock, random: () => 1, refresh, timeoutMs: 600_000, minDelayMs: 1_000, maxDelayMs: 60_000 });
    expect(clock.sleeps[0]).toBe(1_000); // min(backoff 1000, eta 1500)

    const c2 = fakeClock();
    const percents = [10, 20, 95, 100];
    let j = 0;
    const r2 = async (): Promise<Observation<unknown>> => {
        const p = percents[Math.min(j++, percents.length - 1)];
        return { state: p === 100 ? "DONE" : "RUNNING", progressPercent: p };
    };
    await waitFor({ ...base, clock: c2, random: () => 1, refresh: r2, timeoutMs: 600_000, minDelayMs: 1_000, maxDelayMs: 60_000 });
    // 10% → 20% in 1 s: ETA 8 s is longer than the 2 s backoff, so the backoff stands;
    // 20% → 95% in 2 s: ETA ≈ 133 ms shortens the 4 s backoff down to the 1 s floor.
    expect(c2.sleeps).toEqual([1_000, 2_000, 1_000]);
});

/** A refresh that answers each step in turn: an observation, or an error to throw (the last repeats). */
function steps(...answers: (Observation<unknown> | Error)[]): () => Promise<Observation<unknown>> {
    let i = 0;
    return async () => {
        const a = answers[Math.min(i++, answers.length - 1)];
        if (a instanceof Error) throw a;
        return a;
    };
}

describe("TestWaitForState_etaStretch (on by default, at most DEFAULT_MAX_HINTED_DELAY_MS)", () => {
    const opts = { ...base, random: () => 1, timeoutMs: 3_600_000, minDelayMs: 1_000, maxDelayMs: 30_000 };

    test("a far ETA lengthens the delay to half the time left, capped at 120 s; polls thicken as the end nears", async () => {
        const clock = fakeClock();
        const refresh = steps(
            { state: "RUNNING", etaMs: 600_000 }, // 10 min left: half is 300 s, capped
            { state: "RUNNING", etaMs: 160_000 }, // half is 80 s
            { state: "RUNNING", etaMs: 70_000 }, // half is 35 s
            { state: "RUNNING", etaMs: 20_000 }, // near: the ETA shortens the backoff
            { state: "DONE" },
        );
        await waitFor({ ...opts, clock, refresh });
        expect(DEFAULT_MAX_HINTED_DELAY_MS).toBe(120_000);
        expect(clock.sleeps).toEqual([120_000, 80_000, 35_000, 8_000]);
    });

    test("a near ETA keeps the usual backoff (half the ETA within the ceiling), shortened by the ETA", async () => {
        const clock = fakeClock();
        await waitFor({ ...opts, clock, refresh: steps({ state: "RUNNING", etaMs: 50_000 }, { state: "DONE" }) });
        expect(clock.sleeps).toEqual([1_000]);
        const late = fakeClock();
        const refresh = steps(
            ...Array.from({ length: 6 }, () => ({ state: "RUNNING" })),
            { state: "RUNNING", etaMs: 5_000 },
            { state: "DONE" },
        );
        await waitFor({ ...opts, clock: late, refresh });
        expect(late.sleeps.slice(-2)).toEqual([30_000, 5_000]); // backed off to 30 s, then the ETA cuts it
    });

    test("a too-short ETA only shortens delays: polls stay at or above the floor until the end is seen", async () => {
        const clock = fakeClock();
        const refresh = steps(...Array.from({ length: 5 }, () => ({ state: "RUNNING", etaMs: 0 })), { state: "DONE" });
        const r = await waitFor({ ...opts, clock, refresh });
        expect(r.polls).toBe(6);
        expect(clock.sleeps).toEqual([1_000, 1_000, 1_000, 1_000, 1_000]);
    });

    test("a too-long ETA delays a failure state by at most the cap", async () => {
        const clock = fakeClock();
        const start = clock.now();
        const refresh = steps({ state: "RUNNING", etaMs: 3_000_000 }, { state: "FAILED", detail: "disk full" });
        const err = await waitFor({ ...opts, clock, refresh }).catch((e) => e);
        expect(err).toBeInstanceOf(WaitFailedError);
        expect(clock.now() - start).toBe(DEFAULT_MAX_HINTED_DELAY_MS);
    });

    test("through an outage the last ETA keeps stretching polls, but never past the outage budget", async () => {
        const clock = fakeClock();
        const refresh = steps({ state: "RUNNING", etaMs: 1_200_000 }, refused(), refused(), refused(), { state: "DONE" });
        const r = await waitFor({ ...opts, clock, refresh, transient: { maxOutageMs: 300_000 } });
        expect(r.state).toBe("DONE");
        // 120 s to the first refused poll (at 120 s; ETA left 1 080 s), 120 s twice more, then only up to the end of
        // the outage budget (120 s + 300 s): 60 s.
        expect(clock.sleeps).toEqual([120_000, 120_000, 120_000, 60_000]);

        const over = fakeClock();
        const start = over.now();
        const down = steps({ state: "RUNNING", etaMs: 1_200_000 }, refused());
        const err = await waitFor({ ...opts, clock: over, refresh: down, transient: { maxOutageMs: 300_000 } }).catch((e) => e);
        expect(err).toBeInstanceOf(TransientBudgetExceededError);
        // The outage began at 120 s; the budget ran out at 420 s; the next poll after that ends it (≤ maxDelayMs late).
        expect(over.now() - start).toBeLessThanOrEqual(120_000 + 300_000 + 30_000);
    });

    test("an estimate that runs out starts the backoff again from the floor: the end was expected by now", async () => {
        const clock = fakeClock();
        const running = Array.from({ length: 6 }, () => ({ state: "RUNNING" }));
        const refresh = steps(
            ...running,
            { state: "RUNNING", etaMs: 5_000 },
            { state: "RUNNING" },
            { state: "RUNNING" },
            { state: "DONE" },
        );
        await waitFor({ ...opts, clock, refresh });
        expect(clock.sleeps).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 5_000, 1_000, 2_000]);
    });

    test("progress % that moves in steps gives an ETA: thin polls far from the end, the finish seen within the usual ceiling", async () => {
        const clock = fakeClock();
        const start = clock.now();
        const stepMs = 180_000; // 10 steps of 10 %: a 30-minute operation
        const refresh = async (): Promise<Observation<unknown>> => {
            const t = clock.now() - start;
            return t >= 10 * stepMs ? { state: "DONE" } : { state: "RUNNING", progressPercent: 10 * Math.floor(t / stepMs) };
        };
        const r = await waitFor({ ...opts, random: () => 0.5, clock, refresh, minDelayMs: 10_000 });
        expect(Math.max(...clock.sleeps)).toBe(DEFAULT_MAX_HINTED_DELAY_MS); // stretched once the rate is known
        expect(r.polls).toBeLessThanOrEqual(40); // a 10–30 s cadence alone makes ~90
        expect(clock.now() - start - 10 * stepMs).toBeLessThanOrEqual(30_000);
    });

    test("maxHintedDelayMs = maxDelayMs turns the stretch off: a far ETA does not lengthen the backoff", async () => {
        const clock = fakeClock();
        const refresh = steps({ state: "RUNNING", etaMs: 600_000 }, refused(), { state: "DONE" });
        await waitFor({ ...opts, clock, refresh, maxHintedDelayMs: 30_000 });
        expect(clock.sleeps).toEqual([1_000, 2_000]);
    });
});

test("TestWaitForState_notBefore: a scheduled window start lengthens the wait up to the window", async () => {
    const clock = fakeClock();
    const windowStart = clock.now() + 3_600_000;
    let i = 0;
    const refresh = async (): Promise<Observation<unknown>> =>
        i++ === 0 ? { state: "SCHEDULED", notBefore: windowStart } : { state: "DONE" };
    await waitFor({ ...base, pending: ["SCHEDULED"], clock, refresh, timeoutMs: 7_200_000, maxDelayMs: 30_000 });
    expect(clock.sleeps).toEqual([3_600_000]);
});

test("TestWaitForState_stateCeiling: a long phase backs off to its own ceiling, the next state to the wait's, an outage keeps the wait's", async () => {
    const clock = fakeClock();
    const long = { state: "LONG", maxDelayMs: 60_000 };
    const refresh = steps(long, long, long, long, long, long, { state: "RUNNING" }, { state: "RUNNING" }, long, refused(), {
        state: "DONE",
    });
    await waitFor({
        ...base,
        pending: ["RUNNING", "LONG"],
        clock,
        refresh,
        timeoutMs: 3_600_000,
        minDelayMs: 5_000,
        maxDelayMs: 20_000,
        random: () => 1,
    });
    // 5 → 10 → 20 (the wait's ceiling) → 40 → 60 (the state's) → 60; RUNNING: 20; LONG again: 60; the outage: 20.
    expect(clock.sleeps).toEqual([5_000, 10_000, 20_000, 40_000, 60_000, 60_000, 20_000, 20_000, 60_000, 20_000]);
});

test("TestWaitForState_stateCeiling: a state's ceiling never passes maxHintedDelayMs", async () => {
    const clock = fakeClock();
    const refresh = steps({ state: "RUNNING", maxDelayMs: 600_000 }, { state: "RUNNING", maxDelayMs: 600_000 }, { state: "DONE" });
    await waitFor({
        ...base,
        clock,
        refresh,
        timeoutMs: 3_600_000,
        minDelayMs: 100_000,
        maxDelayMs: 100_000,
        maxHintedDelayMs: 150_000,
        random: () => 1,
    });
    expect(clock.sleeps).toEqual([100_000, 150_000]);
});

test("TestWaitForState_consecutiveTargets: flapping targets must repeat", async () => {
    const clock = fakeClock();
    const r = await waitFor({
        ...base,
        clock,
        consecutiveTargets: 2,
        refresh: sequence("DONE", "RUNNING", "DONE", "DONE"),
        timeoutMs: 60_000,
    });
    expect(r.polls).toBe(4);
});

test("validation names the field and value", async () => {
    await expect(waitFor({ ...base, refresh: sequence("DONE"), timeoutMs: -1 })).rejects.toThrow(
        "timeoutMs must be a non-negative number of ms, got -1",
    );
    await expect(waitFor({ ...base, refresh: sequence("DONE"), timeoutMs: 10, minDelayMs: 5, maxDelayMs: 1 })).rejects.toThrow(
        "maxDelayMs (1) is below minDelayMs (5)",
    );
});
