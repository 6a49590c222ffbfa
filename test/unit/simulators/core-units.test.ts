import { CallCounter } from "../../../simulators/core/call-counter";
import { ManualClock, TimerGroup } from "../../../simulators/core/clock";
import { FaultInjector, parseFaultSpec, UNLIMITED } from "../../../simulators/core/faults";
import { SimulatorHttpError } from "../../../simulators/core/http-error";
import { Router } from "../../../simulators/core/router";
import { TokenStore } from "../../../simulators/core/tokens";

describe("Router", () => {
    const noop = () => undefined;
    const router = new Router()
        .on("GET", "/images", "images.list", noop)
        .on("GET", "/images/items/:id", "images.get", noop)
        .on("DELETE", "/images/items/:id", "images.delete", noop);

    it("matches static and parameterised paths, ignoring trailing slashes", () => {
        expect(router.match("GET", "/images/")).toMatchObject({ kind: "found", route: { operation: "images.list" } });
        expect(router.match("get", "/images/items/a%20b")).toMatchObject({ kind: "found", params: { id: "a b" } });
    });

    it("reports allowed methods and unknown paths", () => {
        expect(router.match("POST", "/images/items/1")).toEqual({ kind: "method-not-allowed", allowedMethods: ["GET", "DELETE"] });
        expect(router.match("GET", "/nope")).toEqual({ kind: "not-found" });
        expect(router.match("GET", "/images/items/%E0%A4%A")).toEqual({ kind: "not-found" });
    });
});

describe("FaultInjector", () => {
    it("applies a burst to exactly `count` requests, then stops", () => {
        const faults = new FaultInjector();
        faults.failNext(2, 502);
        expect(faults.take("a").action).toMatchObject({ kind: "error", status: 502 });
        expect(faults.take("b").action).toMatchObject({ kind: "error", status: 502 });
        expect(faults.take("c").action).toBeUndefined();
        expect(faults.list()).toEqual([]);
    });

    it("targets operations exactly or by prefix and composes a delay with a blocking fault", () => {
        const faults = new FaultInjector();
        faults.throttleNext(1, 7, "update.start");
        faults.resetNext(1, "images.*");
        faults.slowDown(25, UNLIMITED);
        expect(faults.take("update.get")).toEqual({ delayMs: 25 });
        expect(faults.take("images.upload")).toMatchObject({ delayMs: 25, action: { kind: "reset" } });
        expect(faults.take("update.start")).toMatchObject({ delayMs: 25, action: { kind: "throttle", retryAfterSeconds: 7 } });
        expect(faults.list()).toHaveLength(1); // the unlimited delay stays until cleared
        faults.clear();
        expect(faults.take("update.start")).toEqual({ delayMs: 0 });
    });

    it("validates specs and names the offending field", () => {
        expect(() => new FaultInjector().add({ kind: "error", status: 404 })).toThrow("[status]");
        expect(() => parseFaultSpec({ kind: "delay" })).toThrow(SimulatorHttpError);
        expect(() => parseFaultSpec({ kind: "error", count: 0 })).toThrow("[count]");
        expect(() => parseFaultSpec("x")).toThrow("[kind]");
        expect(parseFaultSpec({ kind: "reset", count: "unlimited", operation: "update.*", extra: 1 })).toEqual({
            kind: "reset",
            count: "unlimited",
            operation: "update.*",
        });
    });
});

describe("CallCounter", () => {
    it("counts received, faulted and per-status outcomes", () => {
        const calls = new CallCounter();
        calls.recordReceived("update.start");
        calls.recordFault("update.start");
        calls.recordOutcome("update.start", 503);
        calls.recordReceived("update.start");
        calls.recordOutcome("update.start", 204);
        expect(calls.received("update.start")).toBe(2);
        expect(calls.succeeded("update.start")).toBe(1);
        expect(calls.faulted("update.start")).toBe(1);
        expect(calls.snapshot()).toEqual({ "update.start": { received: 2, faulted: 1, byStatus: { "503": 1, "204": 1 } } });
        calls.reset();
        expect(calls.received("update.start")).toBe(0);
    });
});

describe("ManualClock and TimerGroup", () => {
    it("fires timers in due order, including ones scheduled while advancing", () => {
        const clock = new ManualClock(0);
        const fired: string[] = [];
        clock.setTimer(20, () => fired.push("b"));
        clock.setTimer(10, () => {
            fired.push("a");
            clock.setTimer(5, () => fired.push("a2"));
        });
        clock.advance(15);
        expect(fired).toEqual(["a", "a2"]);
        clock.advance(10);
        expect(fired).toEqual(["a", "a2", "b"]);
        expect(clock.now()).toBe(25);
    });

    it("cancels every pending timer of a group", () => {
        const clock = new ManualClock(0);
        const group = new TimerGroup(clock);
        const fired: number[] = [];
        group.after(10, () => fired.push(1));
        group.after(20, () => fired.push(2));
        clock.advance(10);
        expect(group.size).toBe(1);
        group.cancelAll();
        clock.advance(100);
        expect(fired).toEqual([1]);
        expect(clock.pendingTimers).toBe(0);
    });
});

describe("TokenStore", () => {
    it("distinguishes valid, expired and unknown tokens, with absolute and idle expiry", () => {
        const clock = new ManualClock(0);
        const store = new TokenStore(clock);
        const access = store.issue({ kind: "access", subject: "admin", ttlMs: 1000 });
        const refresh = store.issue({ kind: "refresh", subject: "admin", idleTimeoutMs: 500 });
        expect(store.lookup(access.value, "access").status).toBe("valid");
        expect(store.lookup(access.value, "refresh").status).toBe("unknown");
        clock.advance(400);
        expect(store.use(refresh.value).status).toBe("valid"); // restarts the idle timer
        clock.advance(400);
        expect(store.lookup(refresh.value).status).toBe("valid");
        clock.advance(300);
        expect(store.lookup(access.value).status).toBe("expired");
        expect(store.lookup(refresh.value).status).toBe("expired");
        expect(store.lookup("nope").status).toBe("unknown");
        store.revokeAll();
        expect(store.lookup(access.value).status).toBe("unknown");
    });
});
