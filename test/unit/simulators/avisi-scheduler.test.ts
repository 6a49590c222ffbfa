/**
 * The Avisi Cloud simulator: Token auth, the schedule/reschedule POST and its validation, the
 * scheduler on simulated time (REQUESTED → … → SUCCEEDED, the cluster's version moving), injected
 * MISSED/FAILED/SUPERSEDED, cancel, paging, the knobs for the undocumented reads, and the scaled clock.
 */
import { ScaledClock } from "../../../simulators/avisi/simulated-time";
import { nextWindow } from "../../../simulators/avisi/windows";
import { compareKubeVersions, parseKubeVersion } from "../../../simulators/avisi/versions";
import type { AvisiSimulator } from "../../../simulators/avisi";
import { simulatorVendors } from "../../../simulators/vendors";
import type { ManualClock } from "../../../simulators/core/clock";
import { api, eventually, HOUR, NEXT_TUESDAY_WINDOW, requestUpgrade, startManualAvisi, WEDNESDAY } from "../avisi/helpers";

let sim: AvisiSimulator;
let clock: ManualClock;
let cluster: string;

beforeEach(async () => {
    ({ sim, clock } = await startManualAvisi());
    cluster = sim.cluster("k8s-prod").identity;
});
afterEach(() => sim.stop());

const upgradesPath = () => `/api/v1/orgs/${sim.organisation}/scheduled-cluster-upgrades`;

describe("auth and errors", () => {
    it("accepts only the Token scheme and answers {message, details}", async () => {
        const bearer = await api(sim, "/api/v1/cluster-versions", { auth: "Bearer pat-Secret-4711-avisi" });
        expect(bearer.status).toBe(401);
        expect(bearer.body).toEqual({ message: expect.stringContaining("Token"), details: [] });
        expect((await api(sim, "/api/v1/cluster-versions", { auth: "Token wrong" })).status).toBe(401);
        const ok = await api(sim, "/api/v1/cluster-versions");
        expect(ok.status).toBe(200);
        expect(ok.body).toContainEqual({ version: "1.31.10" });
    });

    it("keeps the admin API for admin tokens", async () => {
        expect((await api(sim, "/admin/v1/scheduled-cluster-upgrades")).status).toBe(403);
        expect((await api(sim, "/admin/v1/scheduled-cluster-upgrades", { auth: `Token ${sim.adminToken}` })).status).toBe(200);
    });

    it("validates the POST and refuses a jump of more than one minor", async () => {
        const bad = await requestUpgrade(sim, { clusterIdentity: "nope", version: "" });
        expect(bad.status).toBe(400);
        expect(bad.body.details).toEqual(["clusterIdentity: must be a uuid", "version: must not be empty"]);
        const jump = await requestUpgrade(sim, { clusterIdentity: cluster, version: "1.32.2" });
        expect(jump.status).toBe(400);
        expect(jump.body.message).toContain("one minor version at a time");
        expect((await requestUpgrade(sim, { clusterIdentity: cluster, version: "1.31.99" })).status).toBe(400);
        expect(sim.upgrades.upgrades).toHaveLength(0);
    });
});

describe("scheduler on simulated time", () => {
    it("runs REQUESTED → SCHEDULED → SCHEDULED_NOTIFIED → IN_PROGRESS → SUCCEEDED and moves the cluster", async () => {
        const posted = await requestUpgrade(sim, { clusterIdentity: cluster, version: "1.31.10" });
        expect(posted.status).toBe(200);
        expect(posted.body).toMatchObject({
            status: "REQUESTED",
            windowStart: null,
            fromClusterVersion: "1.30.6",
            toClusterVersion: "1.31.10",
            clusterSlug: "k8s-prod",
        });
        const id = posted.body.identity;
        const status = async () => (await api(sim, `${upgradesPath()}/${id}`)).body;

        clock.advance(60_000);
        expect(await status()).toMatchObject({
            status: "SCHEDULED",
            windowStart: NEXT_TUESDAY_WINDOW.start,
            windowEnd: NEXT_TUESDAY_WINDOW.end,
        });
        clock.advance(Date.parse(NEXT_TUESDAY_WINDOW.start) - 23 * HOUR - clock.now());
        expect((await status()).status).toBe("SCHEDULED_NOTIFIED");
        clock.advance(Date.parse(NEXT_TUESDAY_WINDOW.start) - clock.now());
        expect((await status()).status).toBe("IN_PROGRESS");
        expect(sim.cluster("k8s-prod").version).toBe("1.30.6");
        clock.advance(HOUR);
        expect((await status()).status).toBe("SUCCEEDED");
        expect(sim.cluster("k8s-prod").version).toBe("1.31.10");
    });

    it("reschedules the open upgrade in place instead of creating a second", async () => {
        const first = await requestUpgrade(sim, { clusterIdentity: cluster, version: "1.31.4" });
        clock.advance(60_000);
        const later = "2026-12-10T00:00:00Z";
        const second = await requestUpgrade(sim, { clusterIdentity: cluster, version: "1.31.10", scheduleRequestDate: later });
        expect(second.body.identity).toBe(first.body.identity);
        expect(second.body).toMatchObject({ status: "REQUESTED", toClusterVersion: "1.31.10" });
        clock.advance(60_000);
        // The Tuesday after the request date.
        expect(sim.upgrades.get(first.body.identity).windowStart).toBe(Date.parse("2026-12-15T02:00:00Z"));
        expect(sim.state().accepted).toEqual({ scheduled: 1, rescheduled: 1, cancelled: 0 });
    });

    it("uses the request date itself with ignoreMaintenanceSchedule", async () => {
        const at = "2026-12-03T15:30:00.000Z";
        const posted = await requestUpgrade(sim, {
            clusterIdentity: cluster,
            version: "1.31.10",
            scheduleRequestDate: at,
            ignoreMaintenanceSchedule: true,
        });
        clock.advance(60_000);
        expect(sim.upgrades.json(sim.upgrades.get(posted.body.identity))).toMatchObject({
            windowStart: at,
            status: "SCHEDULED",
            ignoreMaintenanceSchedule: true,
        });
    });

    it.each([
        ["MISSED", "1.30.6", "did not start"],
        ["FAILED", "1.30.6", "success criteria"],
        ["SUPERSEDED", "1.30.6", "superseded"],
    ] as const)("ends an upgrade %s when injected", async (outcome, versionAfter, reasonPart) => {
        await api(sim, "/__sim/inject", { method: "POST", json: { status: outcome, cluster: "k8s-prod" } });
        const posted = await requestUpgrade(sim, { clusterIdentity: cluster, version: "1.31.10" });
        clock.advance(7 * 24 * HOUR);
        const upgrade = sim.upgrades.json(sim.upgrades.get(posted.body.identity));
        expect(upgrade.status).toBe(outcome);
        expect(String(upgrade.reason)).toContain(reasonPart);
        expect(sim.cluster("k8s-prod").version).toBe(versionAfter);
        expect(sim.upgrades.injected).toHaveLength(0);
    });

    it("cancels an open upgrade (as SUPERSEDED, or removed) and refuses to reschedule one in progress", async () => {
        const posted = await requestUpgrade(sim, { clusterIdentity: cluster, version: "1.31.10" });
        const cancelled = await api(sim, `${upgradesPath()}/${posted.body.identity}`, { method: "DELETE" });
        expect(cancelled.body).toMatchObject({ status: "SUPERSEDED", reason: "cancelled" });

        sim.configure({ cancelledAs: "removed" });
        const again = await requestUpgrade(sim, { clusterIdentity: cluster, version: "1.31.10" });
        expect(again.body.identity).not.toBe(posted.body.identity);
        expect((await api(sim, `${upgradesPath()}/${again.body.identity}`, { method: "DELETE" })).status).toBe(204);
        expect((await api(sim, `${upgradesPath()}/${again.body.identity}`)).status).toBe(404);

        const third = await requestUpgrade(sim, { clusterIdentity: cluster, version: "1.31.10" });
        clock.advance(Date.parse(NEXT_TUESDAY_WINDOW.start) - clock.now());
        expect(sim.upgrades.get(third.body.identity).status).toBe("IN_PROGRESS");
        const during = await requestUpgrade(sim, { clusterIdentity: cluster, version: "1.31.4" });
        expect(during.status).toBe(400);
        expect(during.body.message).toContain("in progress");
    });

    it("cancels through the admin API with the object in the answer, and supersedes open upgrades on a direct version change", async () => {
        const admin = `Token ${sim.adminToken}`;
        const first = await requestUpgrade(sim, { clusterIdentity: cluster, version: "1.31.10" });
        const cancelled = await api(sim, `/admin/v1/scheduled-cluster-upgrades/${first.body.identity}`, { method: "DELETE", auth: admin });
        expect(cancelled.status).toBe(200);
        expect(cancelled.body).toMatchObject({ identity: first.body.identity, status: "SUPERSEDED" });

        const second = await requestUpgrade(sim, { clusterIdentity: cluster, version: "1.31.10" });
        const patched = await api(sim, `/api/v1/orgs/${sim.organisation}/clusters/production/k8s-prod`, {
            method: "PATCH",
            json: { version: "1.30.4" },
        });
        expect(patched.body.version).toBe("1.30.4");
        expect(sim.upgrades.get(second.body.identity)).toMatchObject({
            status: "SUPERSEDED",
            reason: expect.stringContaining("changed to 1.30.4"),
        });
    });

    it("answers 404 for the undocumented public reads and cancel when switched off", async () => {
        const posted = await requestUpgrade(sim, { clusterIdentity: cluster, version: "1.31.10" });
        sim.configure({ publicRead: false, publicCancel: false });
        expect((await api(sim, upgradesPath())).status).toBe(404);
        expect((await api(sim, `${upgradesPath()}/${posted.body.identity}`)).status).toBe(404);
        expect((await api(sim, `${upgradesPath()}/${posted.body.identity}`, { method: "DELETE" })).status).toBe(404);
        // The documented POST still works and still reschedules.
        expect((await requestUpgrade(sim, { clusterIdentity: cluster, version: "1.31.4" })).body.identity).toBe(posted.body.identity);
    });

    it("filters and pages the list zero-based with `last`", async () => {
        await sim.stop();
        ({ sim, clock } = await startManualAvisi({ clusters: [{ slug: "a" }, { slug: "b" }], settings: { pageSize: 1 } }));
        const page0 = await api(sim, `/api/v1/orgs/${sim.organisation}/clusters?page=0`);
        expect(page0.body).toMatchObject({ number: 0, first: true, last: false, totalElements: 2, totalPages: 2 });
        const page1 = await api(sim, `/api/v1/orgs/${sim.organisation}/clusters?page=1`);
        expect(page1.body).toMatchObject({ number: 1, last: true });
        expect(page1.body.content[0].slug).toBe("b");
        await requestUpgrade(sim, { clusterIdentity: sim.cluster("a").identity, version: "1.31.10" });
        const filtered = await api(
            sim,
            `${`/api/v1/orgs/${sim.organisation}/scheduled-cluster-upgrades`}?clusterIdentities=${sim.cluster("b").identity}&statuses=REQUESTED`,
        );
        expect(filtered.body.totalElements).toBe(0);
    });

    it("serves maintenance schedules under /organisations/{org}/maintenance-schedule", async () => {
        const path = `/api/v1/organisations/${sim.organisation}/maintenance-schedule`;
        const created = await api(sim, path, {
            method: "POST",
            json: { name: "nightly", windows: [{ day: "MONDAY", startTime: "23:00", duration: 60 }] },
        });
        expect(created.status).toBe(200);
        expect((await api(sim, path)).body.map((s: { name: string }) => s.name)).toEqual(["weekly", "nightly"]);
        const invalid = await api(sim, path, {
            method: "POST",
            json: { name: "x", windows: [{ day: "Monday", startTime: "2am", duration: 1 }] },
        });
        expect(invalid.status).toBe(400);
        expect((await api(sim, `${path}/${created.body.identity}`, { method: "DELETE" })).status).toBe(204);
    });
});

describe("CLI registry", () => {
    it("starts an organisation with the vendor's options", async () => {
        const lines: string[] = [];
        const [device] = await simulatorVendors.get("avisi")!.startDevices({
            count: 1,
            host: "127.0.0.1",
            port: 0,
            log: (line) => lines.push(line),
            extra: { token: "cli-token-123", "time-scale": "1000", "public-read": "false", "cluster-version": "1.31.4" },
        });
        const cli = device as AvisiSimulator;
        try {
            expect(cli.time.scale).toBe(1000);
            expect(cli.currentSettings.publicRead).toBe(false);
            expect(cli.cluster("k8s-prod").version).toBe("1.31.4");
            expect((await api(cli, "/api/v1/cluster-versions", { auth: "Token cli-token-123" })).status).toBe(200);
            expect(lines.join("\n")).toMatch(/AVISI_SIMULATED_TIME_SCALE=1000 AVISI_SIMULATED_TIME_ORIGIN=\d+/);
        } finally {
            await cli.stop();
        }
        await expect(
            simulatorVendors
                .get("avisi")!
                .startDevices({ count: 1, host: "127.0.0.1", port: 0, log: () => undefined, extra: { "time-scale": "0" } }),
        ).rejects.toThrow(/--time-scale must be a positive number/);
    });
});

describe("time and versions", () => {
    it("finds the next weekly window at or after an instant (UTC)", () => {
        const tuesday = [{ day: "TUESDAY", startTime: "02:00", duration: 240 }];
        expect(new Date(nextWindow(tuesday, WEDNESDAY)!.startMs).toISOString()).toBe(NEXT_TUESDAY_WINDOW.start);
        const atStart = Date.parse(NEXT_TUESDAY_WINDOW.start);
        expect(nextWindow(tuesday, atStart)!.startMs).toBe(atStart);
        expect(nextWindow(tuesday, atStart + 1)!.startMs).toBe(atStart + 7 * 24 * HOUR);
        expect(nextWindow([], WEDNESDAY)).toBeUndefined();
    });

    it("orders versions numerically", () => {
        expect(compareKubeVersions(parseKubeVersion("1.31.10")!, parseKubeVersion("1.31.4")!)).toBeGreaterThan(0);
        expect(parseKubeVersion("1.31")).toBeUndefined();
    });

    it("lets a week of scaled time pass in real milliseconds, and skips ahead", async () => {
        const scaled = new ScaledClock(1e7); // a week ≈ 60 ms
        const start = scaled.now();
        let fired = false;
        scaled.setTimer(7 * 24 * HOUR, () => (fired = true));
        await eventually(() => fired || undefined);
        expect(scaled.now() - start).toBeGreaterThanOrEqual(7 * 24 * HOUR);

        const slow = new ScaledClock(1);
        let skipped = false;
        slow.setTimer(24 * HOUR, () => (skipped = true));
        slow.skip(24 * HOUR);
        expect(skipped).toBe(true);
        slow.cancelAll();
    });
});
