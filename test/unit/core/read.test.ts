import { FakeClock } from "../../../provider/core/clock";
import { handlerEnv } from "../../../provider/core/env";
import { VendorApiError } from "../../../provider/core/errors";
import { READ_OUTAGE_BUDGET_MS, readThroughOutage } from "../../../provider/core/read";

const refused = () => new VendorApiError({ vendor: "acme", method: "GET", path: "/status", code: "ECONNREFUSED", transient: true });

test("a read rides out a short outage and reports what the device says once it answers", async () => {
    const clock = new FakeClock();
    const lines: string[] = [];
    const back = clock.now() + 30_000;
    const result = await readThroughOutage(handlerEnv(clock), { what: "acme device d1", log: (l) => lines.push(l) }, async () => {
        if (clock.now() < back) throw refused();
        return "11.7.0";
    });
    expect(result).toEqual({ reachable: true, value: "11.7.0" });
    expect(lines[0]).toMatch(/^refresh: unreachable .*waiting up to 2m00s$/);
    expect(lines.at(-1)).toMatch(/^refresh: reachable again after/);
});

test("a device still unreachable after the bounded budget leaves the last known state, with a warning line", async () => {
    const clock = new FakeClock();
    const lines: string[] = [];
    const start = clock.now();
    const result = await readThroughOutage(
        handlerEnv(clock),
        { what: "acme device d1", log: (l) => lines.push(l), maxOutageMs: 10 * 60_000 },
        async () => {
            throw refused();
        },
    );
    expect(result.reachable).toBe(false);
    expect(clock.now() - start).toBeLessThanOrEqual(READ_OUTAGE_BUDGET_MS + 15_000);
    expect(lines.at(-1)).toBe(
        "warning: acme device d1 stayed unreachable for 2m00s (acme GET /status: no response (ECONNREFUSED)); keeping the last known state, the next refresh reads it again",
    );
});

test("errors that are not an outage fail the read", async () => {
    const forbidden = new VendorApiError({ vendor: "acme", method: "GET", path: "/status", status: 403, transient: false });
    await expect(
        readThroughOutage(handlerEnv(new FakeClock()), { what: "d1", log: () => undefined }, async () => Promise.reject(forbidden)),
    ).rejects.toBe(forbidden);
});
