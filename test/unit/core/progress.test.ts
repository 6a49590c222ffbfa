import { FakeClock } from "../../../provider/core/clock";
import { VendorApiError } from "../../../provider/core/errors";
import { progressLogger, waitProgress } from "../../../provider/core/progress";

test("wait events become the same progress lines for every vendor", async () => {
    const clock = new FakeClock();
    const lines: string[] = [];
    const on = waitProgress((l) => lines.push(l), "prepare", { clock, heartbeatMs: 60_000, outageBudgetMs: 900_000 });
    on({ kind: "state", previous: undefined, observation: { state: "downloading", detail: "img.zip" }, elapsedMs: 0 });
    on({ kind: "poll", observation: { state: "downloading", progressPercent: 42 }, elapsedMs: 5_000, nextDelayMs: 5_000 });
    await clock.sleep(60_000);
    on({ kind: "poll", observation: { state: "downloading", progressPercent: 42 }, elapsedMs: 65_000, nextDelayMs: 5_000 });
    const refused = new VendorApiError({ vendor: "acme", method: "GET", path: "/s", code: "ECONNREFUSED", transient: true });
    on({ kind: "transient", error: refused, consecutive: 1, outageMs: 0, elapsedMs: 70_000 });
    on({ kind: "transient", error: refused, consecutive: 2, outageMs: 5_000, elapsedMs: 75_000 });
    on({ kind: "recovered", outageMs: 4_600, elapsedMs: 80_000 });
    expect(lines).toEqual([
        "prepare: start → downloading (img.zip)",
        "prepare: still downloading 42.0% after 1m05s",
        "prepare: unreachable (acme GET /s: no response (ECONNREFUSED)); treating it as a reboot, waiting up to 15m00s",
        "prepare: reachable again after 4.6s",
    ]);
});

test("progress lines carry the resource name and pass through redaction", () => {
    const spy = jest.spyOn(console, "log").mockImplementation(() => undefined);
    try {
        progressLogger("gw-1", (s) => s.replace("s3cret", "[redacted]"))("logged in with s3cret");
        expect(spy).toHaveBeenCalledWith("[gw-1] logged in with [redacted]");
    } finally {
        spy.mockRestore();
    }
});
