/**
 * `appgate.ApplianceUpgrade` failure paths through the real CLI: a bad image ends `failed` and the
 * resource stays in state with the appliance's details, then resumes; a site mismatch, a pinned API
 * version the controller does not speak and a downgrade are refused before anything changes; destroy
 * cancels what was prepared. Credentials come from stack config (`appgate:*`) here.
 */
import { join } from "node:path";
import { startAppgateSimulator, type AppgateSimulator } from "../../simulators/appgate";
import { steps, TestStack, type RunResult } from "./harness";

const PASSWORD = "pw-Appgate-failures-9d2e";
let sim: AppgateSimulator;
let stack: TestStack;
/** Every CLI run of this file goes through keep(): the password must not be in what that run printed. */
const keep = (r: RunResult) => (expect(r.output).not.toContain(PASSWORD), r);

interface Entry {
    name: string;
    imageUrl?: string;
    site?: string;
    stage?: "prepare" | "complete";
}
const setAppliances = (entries: Entry[]) =>
    stack.setConfig("appliances", JSON.stringify(entries.map((e) => ({ ...e, id: sim.appliance(e.name).id }))));
const upgrades = async () => (await stack.resources()).filter((x) => x.type === "pulumi-nodejs:dynamic/appgate:ApplianceUpgrade");

beforeAll(async () => {
    sim = await startAppgateSimulator({
        password: PASSWORD,
        appliances: [
            { name: "controller-1", role: "controller", site: "Site A" },
            { name: "gateway-1", site: "Site A" },
            { name: "gateway-2", site: "Site A" },
        ],
        timings: { idleAfterPrepareMs: 200, startMs: 50, downloadMs: 300, verifyMs: 200, installMs: 300, rebootMs: 1_000, cancelMs: 200 },
    });
    stack = await TestStack.create(join(__dirname, "programs/appgate"), {
        config: { "appgate:endpoint": `${sim.url}/admin`, "appgate:username": "admin", imageUrl: sim.imageUrl("6.4.1+40123") },
        secrets: { "appgate:password": PASSWORD },
    });
});

afterAll(async () => {
    await stack?.dispose();
    await sim?.stop();
});

test("a bad image fails with the appliance, controller, phase and details; a site mismatch fails before touching the appliance", async () => {
    await setAppliances([
        { name: "gateway-1", imageUrl: sim.imageUrl("appgate-6.4.1-40123-release-corrupt.img.zip") },
        { name: "gateway-2", site: "Site B" },
    ]);
    const r = keep(await stack.up());
    expect(r.code).not.toBe(0);
    const g1 = sim.appliance("gateway-1");
    const g2 = sim.appliance("gateway-2");
    expect(r.output).toContain(
        `appgate appliance gateway-1 (${g1.id}) on controller ${sim.adminUrl}: preparing appgate-6.4.1-40123-release-corrupt.img.zip failed in state failed: ` +
            "appgate-6.4.1-40123-release-corrupt.img.zip: image signature verification failed (checksum mismatch)",
    );
    expect(r.output).toContain(
        `appgate appliance gateway-2 (${g2.id}) on controller ${sim.adminUrl}: [site] appliance gateway-2 belongs to site "Site A" (${g2.siteId}), not "Site B"`,
    );
    expect(g1.upgrade.status).toBe("failed");
    expect(sim.applianceCalls("gateway-2").prepare).toBe(0);
    // The failed upgrade stays in state (partial failure); the refused one was never created.
    const [res] = await upgrades();
    expect(res!.urn).toMatch(/::gateway-1$/);
    expect(res!.outputs).toMatchObject({ phase: "failed", applianceName: "gateway-1" });
    expect(res!.initErrors?.length).toBeGreaterThan(0);
});

test("fixing the inputs resumes: the failed appliance is prepared again, the other one for the first time", async () => {
    await setAppliances([{ name: "gateway-1" }, { name: "gateway-2", site: "Site A" }]);
    const p = keep(await stack.preview());
    expect(p.code).toBe(0);
    expect(steps(p).sort()).toEqual(["create gateway-2", "update gateway-1"]); // independent resources: any order
    expect(p.output).toMatch(/~ imageUrl\s*:\s*".*release-corrupt\.img\.zip" => ".*release\.img\.zip"/);
    const r = keep(await stack.up());
    expect(r.code).toBe(0);
    expect(r.output).toContain(
        "[gateway-1] the last upgrade attempt failed (appgate-6.4.1-40123-release-corrupt.img.zip: image signature verification failed (checksum mismatch))",
    );
    expect(sim.appliance("gateway-1").upgrade).toEqual({ status: "ready", details: "appgate-6.4.1-40123-release.img.zip" });
    expect(sim.appliance("gateway-2").upgrade.status).toBe("ready");
    expect(sim.applianceCalls("gateway-1").prepare).toBe(2);
    expect(sim.applianceCalls("gateway-2").prepare).toBe(1);
    expect((await upgrades()).map((x) => x.outputs!.phase)).toEqual(["prepared", "prepared"]);
});

test("a pinned API version the controller does not speak is a clear error, and nothing changes", async () => {
    await stack.setConfig("appgate:apiVersion", "23");
    await setAppliances([
        { name: "gateway-1", stage: "complete" },
        { name: "gateway-2", site: "Site A" },
    ]);
    const r = keep(await stack.up());
    expect(r.code).not.toBe(0);
    expect(r.output).toContain("connection.apiVersion pins peer API v23, but the controller supports v18–v20");
    expect(sim.calls.snapshot()["login"]!.byStatus["406"]).toBeGreaterThan(0);
    expect(sim.applianceCalls("gateway-1").complete).toBe(0);
    await stack.must(["config", "rm", "appgate:apiVersion"]);
});

test("a downgrade is refused unless allowed", async () => {
    await setAppliances([{ name: "gateway-1" }, { name: "gateway-2", site: "Site A", imageUrl: sim.imageUrl("6.3.0+35000") }]);
    const r = keep(await stack.up());
    expect(r.code).not.toBe(0);
    expect(r.output).toContain(
        "[targetVersion] 6.3.0+35000 is older than the running 6.3.2+36260; set allowDowngrade: true to downgrade on purpose",
    );
    expect(sim.appliance("gateway-2").upgrade).toEqual({ status: "ready", details: "appgate-6.4.1-40123-release.img.zip" });
    await setAppliances([{ name: "gateway-1" }, { name: "gateway-2", site: "Site A" }]);
});

test("destroy cancels both prepared upgrades", async () => {
    const r = keep(await stack.destroy());
    expect(r.code).toBe(0);
    expect(sim.appliance("gateway-1").upgrade.status).toBe("idle");
    expect(sim.appliance("gateway-2").upgrade.status).toBe("idle");
    expect(sim.applianceCalls("gateway-1")).toMatchObject({ prepare: 2, complete: 0, cancel: 1 });
    expect(sim.applianceCalls("gateway-2")).toMatchObject({ prepare: 1, complete: 0, cancel: 1 });
    expect(await stack.resources()).toEqual([]);
});
