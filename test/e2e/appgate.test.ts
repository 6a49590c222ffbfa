/**
 * `appgate.ApplianceUpgrade` through the real CLI against one simulated collective (a controller and
 * two gateways), as a staged rollout: prepare everything, then complete the controller and one
 * gateway one at a time (dependsOn), then destroy. Along the way: API-version negotiation from a
 * 406 (and again after the controller's own upgrade moves its peer version), token expiry in the
 * middle of a wait, the idle-after-prepare race, the controller's reboot window (502, refused
 * connections) and the gateway's (offline), a readable update diff, no-change previews, refresh,
 * and destroy cancelling the upgrade that was only prepared. The simulator must have seen exactly
 * one prepare and one complete per appliance.
 */
import { join } from "node:path";
import { startAppgateSimulator, type AppgateSimulator } from "../../simulators/appgate";
import { steps, TestStack, type RunResult } from "./harness";

const PASSWORD = "pw-Appgate-e2e-41c7";
const FROM = "6.3.2+36260";
const TARGET = "6.4.1+40123";
let sim: AppgateSimulator;
let stack: TestStack;
const events: string[] = [];
/** Every CLI run of this file goes through keep(): the password must not be in what that run printed. */
const keep = (r: RunResult) => (expect(r.output).not.toContain(PASSWORD), r);

function appliances(stages: Record<string, "prepare" | "complete">) {
    return JSON.stringify([
        { name: "controller-1", id: sim.appliance("controller-1").id, stage: stages["controller-1"] ?? "prepare", site: "Site A" },
        {
            name: "gateway-1",
            id: sim.appliance("gateway-1").id,
            stage: stages["gateway-1"] ?? "prepare",
            site: "Site A",
            after: "controller-1",
        },
        {
            name: "gateway-2",
            id: sim.appliance("gateway-2").id,
            stage: stages["gateway-2"] ?? "prepare",
            site: "Site A",
            after: "gateway-1",
        },
    ]);
}

beforeAll(async () => {
    sim = await startAppgateSimulator({
        password: PASSWORD,
        appliances: [
            { name: "controller-1", role: "controller", site: "Site A" },
            { name: "gateway-1", site: "Site A" },
            { name: "gateway-2", site: "Site A" },
        ],
        tokenTtlMs: 2_500, // shorter than the waits below
        peerVersionsBack: 0, // the controller's upgrade makes every client renegotiate
        timings: {
            idleAfterPrepareMs: 1_500,
            startMs: 100,
            downloadMs: 1_000,
            verifyMs: 300,
            installMs: 1_500,
            rebootMs: 3_000,
            cancelMs: 200,
        },
    });
    sim.on("upgrade-state", (a) => events.push(`${a.name} ${a.online ? a.upgrade.status : "offline"} ${a.version}`));
    stack = await TestStack.create(join(__dirname, "programs/appgate"), {
        config: { "appgate:endpoint": sim.url, "appgate:username": "admin", imageUrl: sim.imageUrl(TARGET), appliances: appliances({}) },
        secrets: { appgatePassword: PASSWORD },
    });
});

afterAll(async () => {
    await stack?.dispose();
    await sim?.stop();
});

const allCalls = () => ["controller-1", "gateway-1", "gateway-2"].map((name) => sim.applianceCalls(name));

test("preview shows three creates and changes nothing on the appliances", async () => {
    const r = keep(await stack.preview());
    expect(r.code).toBe(0);
    expect(steps(r).sort()).toEqual(["create controller-1", "create gateway-1", "create gateway-2"]);
    expect(r.output).toContain("pulumi-nodejs:dynamic/appgate:ApplianceUpgrade");
    expect(r.output).toMatch(/targetVersion\s*:\s*"6\.4\.1\+40123"/); // derived from the image name
    for (const calls of allCalls()) expect(calls).toEqual({ prepare: 0, complete: 0, switchPartition: 0, cancel: 0, upgrade: 0 });
});

test("up prepares every appliance at once, each exactly once, through the idle race and a token expiry, negotiating the API version", async () => {
    let expired = false;
    const expireOnce = (a: { name: string; upgrade: { status: string } }) => {
        if (!expired && a.name === "gateway-2" && a.upgrade.status === "downloading") {
            expired = true;
            sim.expireTokens({ untilRefused: true }); // in the middle of the provider's wait
        }
    };
    sim.on("upgrade-state", expireOnce);
    const r = keep(await stack.up());
    sim.off("upgrade-state", expireOnce);
    expect(r.code).toBe(0);
    expect(expired).toBe(true);
    for (const name of ["controller-1", "gateway-1", "gateway-2"]) {
        expect(sim.appliance(name)).toMatchObject({
            upgrade: { status: "ready", details: "appgate-6.4.1-40123-release.img.zip" },
            version: FROM,
            volumeNumber: 1,
        });
        expect(sim.appliance(name).raceReads).toBeGreaterThan(0); // the provider did read idle after its prepare
    }
    for (const calls of allCalls()) expect(calls).toMatchObject({ prepare: 1, complete: 0 });
    const calls = sim.calls.snapshot();
    expect(calls["login"]!.byStatus["406"]).toBe(1); // negotiated once, then v20 for everyone
    const unauthorized = Object.values(calls).reduce((n, c) => n + (c.byStatus["401"] ?? 0), 0);
    expect(unauthorized).toBeGreaterThanOrEqual(1); // the expired token was refused (once per request in flight) ...
    expect(sim.logins).toBeGreaterThanOrEqual(2); // ... and the provider logged in again
    expect(r.output).toContain("[gateway-1] prepare: start → queued (prepare accepted, not started yet)");
    expect(r.output).toContain("[gateway-1] appgate-6.4.1-40123-release.img.zip is prepared (ready)");
    const resources = (await stack.resources()).filter((x) => x.type === "pulumi-nodejs:dynamic/appgate:ApplianceUpgrade");
    const byName = Object.fromEntries(resources.map((x) => [x.urn.split("::").pop(), [x.id, x.outputs!.phase, x.outputs!.peerApiVersion]]));
    expect(byName).toEqual({
        "controller-1": [sim.appliance("controller-1").id, "prepared", 20],
        "gateway-1": [sim.appliance("gateway-1").id, "prepared", 20],
        "gateway-2": [sim.appliance("gateway-2").id, "prepared", 20],
    });
});

test("a second preview shows no changes", async () => {
    const r = keep(await stack.preview(["--expect-no-changes"]));
    expect(r.code).toBe(0);
    expect(steps(r)).toEqual([]);
});

test("switching the controller and one gateway to complete is a readable update diff", async () => {
    await stack.setConfig("appliances", appliances({ "controller-1": "complete", "gateway-1": "complete" }));
    const r = keep(await stack.preview());
    expect(r.code).toBe(0);
    expect(steps(r)).toEqual(["update controller-1", "update gateway-1"]);
    expect(r.output).toMatch(/~ stage\s*:\s*"prepare" => "complete"/);
    for (const calls of allCalls()) expect(calls.complete).toBe(0);
});

test("up completes the controller first (its API goes down and the peer version moves), then the gateway, each on the new version and the other volume", async () => {
    const notAcceptableBefore = sim.calls.snapshot()["login"]!.byStatus["406"]!;
    const loginsBefore = sim.logins;
    const r = keep(await stack.up());
    expect(r.code).toBe(0);
    expect(sim.appliance("controller-1")).toMatchObject({ version: TARGET, volumeNumber: 2, upgrade: { status: "idle" } });
    expect(sim.appliance("gateway-1")).toMatchObject({ version: TARGET, volumeNumber: 2, upgrade: { status: "idle" } });
    expect(sim.appliance("gateway-2")).toMatchObject({ version: FROM, volumeNumber: 1, upgrade: { status: "ready" } });
    // One at a time, controller first: the gateway started installing only once the controller was back.
    const controllerBack = events.indexOf(`controller-1 idle ${TARGET}`);
    const gatewayInstalling = events.indexOf(`gateway-1 installing ${FROM}`);
    expect(controllerBack).toBeGreaterThan(-1);
    expect(gatewayInstalling).toBeGreaterThan(controllerBack);
    expect(events).toContain("gateway-1 offline 6.3.2+36260"); // the gateway's own reboot window
    // The controller's outage was waited out, and the client renegotiated v20 → v21 from a 406.
    expect(r.output).toMatch(
        /\[controller-1\] complete: unreachable \(appgate (GET \/appliances\/status|POST \/login) .*(ECONNREFUSED|502)/,
    ); // the first call to meet the outage may be a re-login
    expect(r.output).toMatch(/\[controller-1\] complete: reachable again after/);
    // A new provider process negotiates once (v5 → v20); after the controller's upgrade it renegotiates (v20 → v21).
    expect(sim.calls.snapshot()["login"]!.byStatus["406"]! - notAcceptableBefore).toBe(2);
    // First login, a new one after the controller's reboot dropped the tokens, and renewals of the
    // 2.5 s tokens during the waits in between.
    expect(sim.logins - loginsBefore).toBeGreaterThanOrEqual(3);
    const byName = Object.fromEntries(
        (await stack.resources())
            .filter((x) => x.type.endsWith("appgate:ApplianceUpgrade"))
            .map((x) => [x.urn.split("::").pop(), x.outputs!]),
    );
    expect(byName["controller-1"]).toMatchObject({
        phase: "completed",
        runningVersion: TARGET,
        volumeNumber: 2,
        previousVersion: FROM,
        previousVolumeNumber: 1,
        peerApiVersion: 21,
    });
    expect(byName["gateway-1"]).toMatchObject({ phase: "completed", runningVersion: TARGET, volumeNumber: 2, previousVolumeNumber: 1 });
    expect(byName["gateway-2"]).toMatchObject({ phase: "prepared" });
});

test("afterwards a preview and a refresh find nothing to change", async () => {
    const p = keep(await stack.preview(["--expect-no-changes"]));
    expect(p.code).toBe(0);
    expect(steps(p)).toEqual([]);
    const r = keep(await stack.refresh());
    expect(r.code).toBe(0);
    const again = keep(await stack.preview(["--expect-no-changes"]));
    expect(again.code).toBe(0);
    expect(steps(again)).toEqual([]);
    const exported = await stack.exportText();
    expect(exported).not.toContain(PASSWORD);
    expect(exported).toContain("4dabf18193072939515e22adb298388d"); // stored as a secret
});

test("destroy cancels the upgrade that was only prepared and forgets the completed ones", async () => {
    const r = keep(await stack.destroy());
    expect(r.code).toBe(0);
    expect(sim.appliance("gateway-2")).toMatchObject({ upgrade: { status: "idle" }, preparedImage: undefined, version: FROM });
    expect(sim.appliance("controller-1").version).toBe(TARGET);
    expect(sim.appliance("gateway-1").version).toBe(TARGET);
    expect(r.output).toContain("destroy only forgets this resource");
    expect(await stack.resources()).toEqual([]);
});

test("the simulator saw exactly one prepare and one complete per appliance", () => {
    expect(sim.applianceCalls("controller-1")).toEqual({ prepare: 1, complete: 1, switchPartition: 0, cancel: 0, upgrade: 0 });
    expect(sim.applianceCalls("gateway-1")).toEqual({ prepare: 1, complete: 1, switchPartition: 0, cancel: 0, upgrade: 0 });
    expect(sim.applianceCalls("gateway-2")).toEqual({ prepare: 1, complete: 0, switchPartition: 0, cancel: 1, upgrade: 0 });
});

test("a preview that shows every input, the secret one included, does not print the password", async () => {
    const p = keep(await stack.preview());
    expect(p.code).toBe(0);
    expect(steps(p).sort()).toEqual(["create controller-1", "create gateway-1", "create gateway-2"]);
    expect(p.output).toContain("[secret]");
});
