/**
 * `examples/appgate-upgrade` as shipped: it typechecks against the packed package, prepares every
 * appliance of the site in parallel, and on `stage: complete` completes the controller first and
 * then the gateways one at a time.
 */
import { spawnSync } from "node:child_process";
import { join, resolve } from "node:path";
import { startAppgateSimulator, type AppgateSimulator } from "../../simulators/appgate";
import { steps, TestStack } from "./harness";

const repo = resolve(__dirname, "../..");
const TARGET = "6.4.1+40123";
let sim: AppgateSimulator;
let stack: TestStack;
const order: string[] = [];

beforeAll(async () => {
    sim = await startAppgateSimulator({
        password: "pw-Example-7a1b",
        timings: { idleAfterPrepareMs: 200, startMs: 50, downloadMs: 500, verifyMs: 100, installMs: 300, rebootMs: 1_000, cancelMs: 100 },
    });
    sim.on("upgrade-state", (a) => {
        if (!a.online) return; // the same status again, announcing the reboot window
        if (a.upgrade.status === "downloading" || a.upgrade.status === "installing") order.push(`${a.name} ${a.upgrade.status}`);
        if (a.upgrade.status === "ready") order.push(`${a.name} ready`);
        if (a.upgrade.status === "idle" && a.version === TARGET) order.push(`${a.name} back`);
    });
    stack = await TestStack.create(join(repo, "examples/appgate-upgrade"), {
        config: {
            "appgate:endpoint": sim.adminUrl,
            "appgate:username": "admin",
            "appgate-upgrade:imageUrl": sim.imageUrl(TARGET),
            "appgate-upgrade:site": "Default Site",
            "appgate-upgrade:pollIntervalSeconds": "0.2",
            "appgate-upgrade:controller": JSON.stringify({ name: "controller-1", id: sim.appliance("controller-1").id }),
            "appgate-upgrade:gateways": JSON.stringify(["gateway-1", "gateway-2"].map((name) => ({ name, id: sim.appliance(name).id }))),
        },
        secrets: { "appgate:password": "pw-Example-7a1b" },
    });
});

afterAll(async () => {
    await stack?.dispose();
    await sim?.stop();
});

test("the example typechecks against the packed package", () => {
    const tsc = spawnSync(join(repo, "node_modules/.bin/tsc"), ["-p", join(stack.dir, "tsconfig.json"), "--noEmit"], { encoding: "utf8" });
    expect(tsc.stdout + tsc.stderr).toBe(""); // the diagnostics, when there are any
    expect(tsc.status).toBe(0);
});

test("stage prepare (the default) prepares the whole site at once", async () => {
    const r = await stack.up();
    expect(r.code).toBe(0);
    for (const name of ["controller-1", "gateway-1", "gateway-2"]) expect(sim.appliance(name).upgrade.status).toBe("ready");
    // In parallel: every appliance was downloading before the first one was ready.
    const firstReady = order.findIndex((e) => e.endsWith(" ready"));
    expect(order.slice(0, firstReady).filter((e) => e.endsWith("downloading")).length).toBe(3);
});

test("stage complete: controller first, then one gateway at a time", async () => {
    await stack.setConfig("appgate-upgrade:stage", "complete");
    const p = await stack.preview();
    expect(steps(p)).toEqual(["update controller-1", "update gateway-1", "update gateway-2"]);
    expect(p.output).toMatch(/~ stage\s*:\s*"prepare" => "complete"/);
    order.length = 0;
    const r = await stack.up();
    expect(r.code).toBe(0);
    expect(order).toEqual([
        "controller-1 installing",
        "controller-1 back",
        "gateway-1 installing",
        "gateway-1 back",
        "gateway-2 installing",
        "gateway-2 back",
    ]);
    expect(r.output).toContain('"controller-1: 6.4.1+40123 on volume 2 (completed)"');
    for (const name of ["controller-1", "gateway-1", "gateway-2"]) {
        expect(sim.applianceCalls(name)).toEqual({ prepare: 1, complete: 1, switchPartition: 0, cancel: 0, upgrade: 0 });
    }
    expect((await stack.destroy()).code).toBe(0);
});
