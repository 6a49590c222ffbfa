import {
    TransientBudgetExceededError,
    UnexpectedStateError,
    WaitFailedError,
    WaitTimeoutError,
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

test("TestWaitForState_etaStretch: off by default; with maxHintedDelayMs a far ETA lengthens polls, also through an outage", async () => {
    const states = (): (() => Promise<Observation<unknown>>) => {
        let i = 0;
        return async () => {
            i++;
            if (i === 1) return { state: "RUNNING", etaMs: 600_000 };
            if (i === 2) throw refused();
            return { state: "DONE" };
        };
    };
    const off = fakeClock();
    await waitFor({ ...base, clock: off, random: () => 1, refresh: states(), timeoutMs: 3_600_000, minDelayMs: 1_000, maxDelayMs: 30_000 });
    expect(off.sleeps).toEqual([1_000, 2_000]); // the backoff; a far ETA does not lengthen it

    const on = fakeClock();
    const opts = { minDelayMs: 1_000, maxDelayMs: 30_000, maxHintedDelayMs: 120_000 };
    await waitFor({ ...base, clock: on, random: () => 1, refresh: states(), timeoutMs: 3_600_000, ...opts });
    // 10 minutes left: capped at 120 s; after the refused poll, (600 − 120) s left from the last ETA: capped again.
    expect(on.sleeps).toEqual([120_000, 120_000]);

    const near = fakeClock();
    let j = 0;
    const nearEnd = async (): Promise<Observation<unknown>> => (j++ === 0 ? { state: "RUNNING", etaMs: 50_000 } : { state: "DONE" });
    await waitFor({ ...base, clock: near, random: () => 1, refresh: nearEnd, timeoutMs: 3_600_000, ...opts });
    expect(near.sleeps).toEqual([1_000]); // half the ETA is within the usual ceiling: the backoff stands
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
