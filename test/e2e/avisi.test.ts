/**
 * `avisi.ScheduledClusterUpgrade` and `avisi.MaintenanceSchedule` through the real CLI against the
 * Avisi Cloud simulator on compressed time (×20 000: a day passes in 4.3 s, a week in 30 s), with
 * the provider process following the same clock (AVISI_SIMULATED_TIME_*): a two-minor jump refused
 * at preview; scheduling into a window two months out; a no-change preview; the policy pack's
 * maintenance-window rule (refused, then waived); rescheduling by moving
 * the date (an update of one upgrade object); a MISSED window as an error that keeps the resource;
 * refresh showing it as drift; the next `up` waiting through a compressed window until SUCCEEDED (sleeping until it opens);
 * no plaintext token in the state; destroy cancelling an upgrade that has not started.
 */
import { join, resolve } from "node:path";
import { startAvisiSimulator, type AvisiSimulator } from "../../simulators/avisi";
import { steps, TestStack, type RunResult } from "./harness";

const TOKEN = "pat-e2e-Avisi-93b1f";
const policies = resolve(__dirname, "../../policies");
const SCALE = 20_000;
const DAY = 86_400_000;
let sim: AvisiSimulator;
let stack: TestStack;

/** An ISO date `days` simulated days from now, at noon UTC (between two nightly windows). */
const daysAhead = (days: number) => new Date(Math.floor((sim.time.now + days * DAY) / DAY) * DAY + DAY / 2).toISOString();
const posts = () => sim.calls.snapshot()["upgrades.request"]?.received ?? 0;
const outputsOf = async () => (await stack.resources()).find((r) => r.type.endsWith("avisi:ScheduledClusterUpgrade"))?.outputs ?? {};

beforeAll(async () => {
    sim = await startAvisiSimulator({ token: TOKEN, timeScale: SCALE });
    stack = await TestStack.create(join(__dirname, "programs/avisi"), {
        config: { "avisi:endpoint": sim.url, "avisi:organisation": sim.organisation, version: "1.32.2" },
        secrets: { "avisi:token": TOKEN },
        env: { AVISI_SIMULATED_TIME_SCALE: String(SCALE), AVISI_SIMULATED_TIME_ORIGIN: String(sim.time.originMs) },
    });
});

afterAll(async () => {
    await stack?.dispose();
    await sim?.stop();
});

test("a jump of two minor versions is refused at preview, before any request", async () => {
    const r = await stack.preview();
    expect(r.code).not.toBe(0);
    expect(r.output).toMatch(/production\/k8s-prod runs 1\.30\.6: 1\.30\.6 → 1\.32\.2 skips 1 minor version\(s\).*schedule 1\.31\.x first/);
    expect(posts()).toBe(0);
});

test("up schedules into the first window after the requested date, with one request", async () => {
    const requested = daysAhead(60);
    await stack.setConfig("version", "1.31.10");
    await stack.setConfig("scheduleRequestDate", requested);
    const r = await stack.up();
    expect(r.code).toBe(0);
    expect(steps(r).sort()).toEqual(["create k8s-prod", "create nightly"]);
    const outs = await outputsOf();
    expect(outs.status).toBe("SCHEDULED");
    // Noon on the requested day → the next night's window, 02:00 UTC.
    expect(outs.windowStart).toBe(new Date(Date.parse(requested) + 14 * 3_600_000).toISOString());
    expect(posts()).toBe(1);
    expect(sim.upgrades.upgrades).toHaveLength(1);
});

test("a second preview changes nothing", async () => {
    const r = await stack.preview();
    expect(r.code).toBe(0);
    expect(steps(r)).toEqual([]);
    expect(posts()).toBe(1);
});

test("the policy pack refuses an upgrade outside the maintenance windows unless waived", async () => {
    await stack.setConfig("ignoreMaintenanceSchedule", "true");
    const refused = await stack.preview(["--policy-pack", policies]);
    expect(refused.code).not.toBe(0);
    expect(refused.output).toMatch(/\[mandatory\].*maintenance-window/);
    expect(refused.output).toMatch(
        /'k8s-prod' may run outside a maintenance window: .*outside every maintenance window declared in this stack/,
    );
    await stack.setConfig("outsideWindowReason", "CVE hotfix, approved in CHG-1234");
    expect((await stack.preview(["--policy-pack", policies])).code).toBe(0);
    await stack.must(["config", "rm", "ignoreMaintenanceSchedule", "--stack", stack.stackName]);
    await stack.must(["config", "rm", "outsideWindowReason", "--stack", stack.stackName]);
    expect(posts()).toBe(1);
});

test("moving the date reschedules the same upgrade object (an update, not a replace)", async () => {
    const before = await outputsOf();
    const requested = daysAhead(90);
    await stack.setConfig("scheduleRequestDate", requested);
    const r = await stack.up();
    expect(r.code).toBe(0);
    expect(steps(r)).toEqual(["update k8s-prod"]);
    const after = await outputsOf();
    expect(after.upgradeIdentity).toBe(before.upgradeIdentity);
    expect(after.windowStart).toBe(new Date(Date.parse(requested) + 14 * 3_600_000).toISOString());
    expect(sim.upgrades.upgrades).toHaveLength(1);
    expect(sim.state().accepted).toMatchObject({ scheduled: 1, rescheduled: 1 });
});

test("a MISSED window is an error naming the cluster and the reason; the resource stays in state", async () => {
    sim.inject("MISSED", { cluster: "k8s-prod" });
    await stack.setConfig("scheduleRequestDate", daysAhead(0));
    await stack.setConfig("waitFor", "SUCCEEDED");
    const r = await stack.up();
    expect(r.code).not.toBe(0);
    expect(r.output).toMatch(
        /avisi cluster production\/k8s-prod upgrade .* to 1\.31\.10: upgrading failed in state MISSED: The upgrade did not start within its maintenance window/,
    );
    expect((await outputsOf()).status).toBe("MISSED");
    expect(sim.cluster("k8s-prod").version).toBe("1.30.6");
});

test("refresh shows the missed upgrade as drift, so the next preview wants the version again", async () => {
    expect((await stack.refresh()).code).toBe(0);
    const state = (await stack.resources()).find((r) => r.type.endsWith("avisi:ScheduledClusterUpgrade"))!;
    expect(state.inputs?.version).toBe("1.30.6");
    expect(state.outputs?.status).toBe("MISSED");
    const r = await stack.preview();
    expect(steps(r)).toEqual(["update k8s-prod"]);
});

let upResult: RunResult;
test("the next up schedules again and waits through the compressed window until SUCCEEDED", async () => {
    await stack.setConfig("scheduleRequestDate", daysAhead(1));
    upResult = await stack.up();
    expect(upResult.code).toBe(0);
    expect(upResult.output).toMatch(/sleeping .* until the window opens at/);
    const outs = await outputsOf();
    expect(outs).toMatchObject({ status: "SUCCEEDED", clusterVersion: "1.31.10" });
    expect(sim.cluster("k8s-prod").version).toBe("1.31.10");
    // One request per scheduling: the first, its reschedule, the MISSED one's reschedule, and this one.
    expect(posts()).toBe(4);
    const reads = upResult.output.match(/\((\d+) status reads\)/);
    expect(Number(reads?.[1])).toBeLessThan(30);
});

test("the state holds no plaintext token", async () => {
    expect(await stack.exportText()).not.toContain(TOKEN);
    expect(upResult.output).not.toContain(TOKEN);
});

test("destroy cancels an upgrade that has not started, and deletes the schedule", async () => {
    await stack.setConfig("version", "1.32.2");
    await stack.setConfig("waitFor", "SCHEDULED");
    await stack.setConfig("scheduleRequestDate", daysAhead(60));
    expect((await stack.up()).code).toBe(0);
    const open = sim.upgrades.upgrades.at(-1)!;
    expect(open).toMatchObject({ status: "SCHEDULED", toClusterVersion: "1.32.2" });
    const r = await stack.destroy();
    expect(r.code).toBe(0);
    expect(r.output).toContain(`cancelled upgrade ${open.identity}`);
    expect(open).toMatchObject({ status: "SUPERSEDED", reason: "cancelled" });
    expect(sim.cloud.schedules.map((s) => s.name)).toEqual(["weekly"]);
});
