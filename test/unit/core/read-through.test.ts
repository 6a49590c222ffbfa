/**
 * readThrough: one read that rides out transient errors (a reboot, a burst of 5xx) within an outage
 * budget, on a fake clock.
 */
import { readThrough } from "../../../provider/core/read";
import { TransientBudgetExceededError } from "../../../provider/core/waiter";
import { VendorApiError } from "../../../provider/core/errors";

function fakeClock(start = 5_000_000) {
    let now = start;
    return {
        now: () => now,
        sleep: async (ms: number) => {
            now += ms;
        },
    };
}

const unavailable = () => new VendorApiError({ vendor: "v", method: "GET", path: "/images/items/1", status: 503, transient: true });

/** A read failing `failures` times with a 503, then answering `value`. */
function flaky<T>(failures: number, value: T) {
    let calls = 0;
    return {
        get calls() {
            return calls;
        },
        read: async () => {
            calls++;
            if (calls <= failures) throw unavailable();
            return value;
        },
    };
}

it("rides out a burst of consecutive 5xx and returns the value", async () => {
    const source = flaky(7, { id: 1 });
    const value = await readThrough({
        what: "image 1",
        read: source.read,
        maxOutageMs: 60_000,
        minDelayMs: 1_000,
        maxDelayMs: 4_000,
        clock: fakeClock(),
        random: () => 0.5,
    });
    expect(value).toEqual({ id: 1 });
    expect(source.calls).toBe(8);
});

it("returns undefined answers as they are (a 404 read as absent is not an error)", async () => {
    const value = await readThrough({ what: "image 2", read: async () => undefined, maxOutageMs: 1_000, clock: fakeClock() });
    expect(value).toBeUndefined();
});

it("is bounded: an outage longer than the budget ends with the last error", async () => {
    const source = flaky(Number.POSITIVE_INFINITY, "never");
    const err = await readThrough({
        what: "image 3",
        read: source.read,
        maxOutageMs: 10_000,
        minDelayMs: 1_000,
        maxDelayMs: 2_000,
        clock: fakeClock(),
        random: () => 0,
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TransientBudgetExceededError);
    expect((err as Error).message).toMatch(/^image 3 stayed unreachable for 1\d\.\ds .*last error: v GET \/images\/items\/1: 503/);
    expect(source.calls).toBeGreaterThan(5);
});

it("throws a non-transient error at once", async () => {
    let calls = 0;
    const denied = new VendorApiError({ vendor: "v", method: "GET", path: "/x", status: 403, transient: false });
    const err = await readThrough({
        what: "x",
        read: async () => {
            calls++;
            throw denied;
        },
        maxOutageMs: 60_000,
        clock: fakeClock(),
    }).catch((e: unknown) => e);
    expect(err).toBe(denied);
    expect(calls).toBe(1);
});
