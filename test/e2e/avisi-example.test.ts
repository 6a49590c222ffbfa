/**
 * `examples/avisi-scheduled-upgrade` as shipped: it typechecks against the packed package, declares
 * its windows (Tuesday and Thursday nights) and schedules the cluster's upgrade into the first one,
 * then destroy cancels the upgrade and deletes the schedule.
 */
import { execFileSync } from "node:child_process";
import { join, resolve } from "node:path";
import { startAvisiSimulator, type AvisiSimulator } from "../../simulators/avisi";
import { steps, TestStack } from "./harness";

const repo = resolve(__dirname, "../..");
const TOKEN = "pat-Example-avisi-5d2e";
let sim: AvisiSimulator;
let stack: TestStack;

beforeAll(async () => {
    sim = await startAvisiSimulator({ token: TOKEN, timings: { scheduleMs: 500 } }); // real time: the scheduler answers within a second
    stack = await TestStack.create(join(repo, "examples/avisi-scheduled-upgrade"), {
        config: {
            "avisi:endpoint": sim.url,
            "avisi:organisation": sim.organisation,
            "avisi-scheduled-upgrade:environment": "production",
            "avisi-scheduled-upgrade:cluster": "k8s-prod",
            "avisi-scheduled-upgrade:version": "1.31.10",
        },
        secrets: { "avisi:token": TOKEN },
    });
});

afterAll(async () => {
    await stack?.dispose();
    await sim?.stop();
});

test("the example typechecks against the packed package", () => {
    execFileSync(join(repo, "node_modules/.bin/tsc"), ["-p", join(stack.dir, "tsconfig.json"), "--noEmit"], { stdio: "pipe" });
});

test("up schedules the upgrade into the next Tuesday or Thursday night window", async () => {
    const r = await stack.up();
    expect(r.code).toBe(0);
    expect(steps(r).sort()).toEqual(["create k8s-prod", "create maintenance"]);
    const upgrade = sim.upgrades.upgrades[0]!;
    expect(upgrade.status).toBe("SCHEDULED");
    const start = new Date(upgrade.windowStart!);
    expect([2, 4]).toContain(start.getUTCDay());
    expect(start.toISOString()).toMatch(/T02:00:00.000Z$/);
    expect(sim.cluster("k8s-prod").maintenanceScheduleIdentity).toBe(
        sim.cloud.schedules.find((s) => s.name === "tue-thu-nights")!.identity,
    );
});

test("destroy cancels the upgrade and deletes the schedule", async () => {
    const r = await stack.destroy();
    expect(r.code).toBe(0);
    expect(sim.upgrades.upgrades[0]).toMatchObject({ status: "SUPERSEDED", reason: "cancelled" });
    expect(sim.cloud.schedules.map((s) => s.name)).toEqual(["weekly"]);
});
