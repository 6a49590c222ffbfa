/**
 * SharedRead (core/shared-read.ts): reads that ask together share one fetch, an answer is reused only
 * for its short window on the handler clock, errors are never reused, and invalidate() (sent after
 * every action) makes the next read fetch anew, even when a fetch was in flight.
 */
import { FakeClock } from "../../../provider/core/clock";
import { SHARED_READ_TTL_MS, SharedRead } from "../../../provider/core/shared-read";

/** A fetch whose answers the test releases by hand, counting calls. */
function controlledFetch() {
    const pending: { resolve: (v: string) => void; reject: (e: Error) => void }[] = [];
    let calls = 0;
    const fetch = () =>
        new Promise<string>((resolve, reject) => {
            calls++;
            pending.push({ resolve, reject });
        });
    return { fetch, pending, calls: () => calls };
}

describe("SharedRead", () => {
    it("makes one fetch for 50 concurrent reads, and all of them get its answer", async () => {
        const clock = new FakeClock();
        const f = controlledFetch();
        const shared = new SharedRead(f.fetch, clock);
        const reads = Array.from({ length: 50 }, () => shared.get());
        expect(f.calls()).toBe(1);
        f.pending[0]!.resolve("list-1");
        expect(await Promise.all(reads)).toEqual(Array(50).fill("list-1"));
        expect(shared.fetches).toBe(1);
    });

    it("reuses an answer within the window and fetches again once it has passed", async () => {
        const clock = new FakeClock();
        let n = 0;
        const shared = new SharedRead(async () => `list-${++n}`, clock);
        expect(await shared.get()).toBe("list-1");
        clock.advance(SHARED_READ_TTL_MS - 1);
        expect(await shared.get()).toBe("list-1");
        clock.advance(1);
        expect(await shared.get()).toBe("list-2");
        expect(shared.fetches).toBe(2);
    });

    it("ages an answer from when its request was sent, not from when it arrived", async () => {
        const clock = new FakeClock();
        const f = controlledFetch();
        const shared = new SharedRead(f.fetch, clock, 1_000);
        const first = shared.get();
        clock.advance(900); // a slow answer
        f.pending[0]!.resolve("slow");
        await first;
        clock.advance(100);
        const next = shared.get();
        expect(f.calls()).toBe(2);
        f.pending[1]!.resolve("fresh");
        expect(await next).toBe("fresh");
    });

    it("does not keep an error: every joiner gets it, the next read fetches again", async () => {
        const clock = new FakeClock();
        const f = controlledFetch();
        const shared = new SharedRead(f.fetch, clock);
        const a = shared.get();
        const b = shared.get();
        f.pending[0]!.reject(new Error("502 bad gateway"));
        await expect(a).rejects.toThrow("502 bad gateway");
        await expect(b).rejects.toThrow("502 bad gateway");
        const c = shared.get();
        expect(f.calls()).toBe(2);
        f.pending[1]!.resolve("list");
        expect(await c).toBe("list");
    });

    it("after invalidate(), fetches again and never caches the answer of a fetch that started before", async () => {
        const clock = new FakeClock();
        const f = controlledFetch();
        const shared = new SharedRead(f.fetch, clock);
        const before = shared.get();
        shared.invalidate(); // an action was sent while the list was being fetched
        const after = shared.get();
        expect(f.calls()).toBe(2);
        f.pending[0]!.resolve("before the action");
        f.pending[1]!.resolve("after the action");
        expect(await before).toBe("before the action");
        expect(await after).toBe("after the action");
        expect(await shared.get()).toBe("after the action");
        expect(f.calls()).toBe(2);

        shared.invalidate();
        const again = shared.get();
        expect(f.calls()).toBe(3);
        f.pending[2]!.resolve("later");
        expect(await again).toBe("later");
    });
});
