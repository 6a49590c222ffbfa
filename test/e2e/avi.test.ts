/**
 * Avi through the real CLI, one stack and one simulated controller (two SE groups) for the whole
 * lifecycle: preview → up stopped by a precheck warning (nothing upgraded) → up with skipWarnings
 * (upload, prechecks, upgrade through the controller reboot, every record COMPLETED, exactly one
 * start) → no-op preview → the password never in plaintext → a second image whose SE group suspends
 * (resource kept, how to resume) → up with resumeSuspended finishes it → a third image whose
 * controller upgrade fails and rolls back (a clear error, nothing half-done) → the next up, with
 * sessions expiring (419) and the CSRF token rotating, upgrades.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { makeAviPackage, startAviSimulator, type AviSimulator } from "../../simulators/avi";
import { sha256File } from "../../provider/core/upload";
import { steps, TestStack, type RunResult } from "./harness";

const PASSWORD = "pw-Avi-77c1e0";
let sim: AviSimulator;
let stack: TestStack;
let dir: string;
const pkgA = { path: "", tag: "", sha256: "" };
const pkgB = { path: "", tag: "", sha256: "" };
const pkgC = { path: "", tag: "", sha256: "" };
const outputs: string[] = [];
const keep = (r: RunResult) => (outputs.push(r.output), r);

beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "avi-e2e-"));
    for (const [pkg, version] of [
        [pkgA, "22.1.7"],
        [pkgB, "22.1.8"],
        [pkgC, "22.1.9"],
    ] as const) {
        pkg.path = join(dir, `controller-${version}.pkg`);
        pkg.tag = (await makeAviPackage(pkg.path, { version, payloadBytes: 2 * 1024 * 1024 })).tag;
        pkg.sha256 = await sha256File(pkg.path);
    }
    sim = await startAviSimulator({
        username: "operator",
        password: PASSWORD,
        settings: { precheckWarnings: [{ check_code: "SYSERR_BACKUP_OLD", description: "No configuration backup in the last 7 days." }] },
        timings: {
            imageProcessMs: 200,
            precheckMs: 200,
            controllerTaskMs: 100,
            rebootMs: 1_000,
            warmupMs: 300,
            seGroupTaskMs: 100,
            rollbackMs: 200,
        },
    });
    stack = await TestStack.create(join(__dirname, "programs/avi"), {
        config: { "avi:endpoint": sim.url, "avi:username": "operator", imageFile: pkgA.path, imageSha256: pkgA.sha256 },
        secrets: { "avi:password": PASSWORD },
    });
});

afterAll(async () => {
    await stack?.dispose();
    await sim?.stop();
    rmSync(dir, { recursive: true, force: true });
});

test("preview plans both resources and touches nothing", async () => {
    const r = keep(await stack.preview());
    expect(r.code).toBe(0);
    expect(steps(r)).toEqual(["create alb-image", "create alb"]);
    expect(sim.calls.received("images.upload")).toBe(0);
    expect(sim.calls.received("upgrade.start")).toBe(0);
});

test("a precheck warning stops the upgrade without skipWarnings: nothing upgraded, the image kept", async () => {
    const r = keep(await stack.up());
    expect(r.code).not.toBe(0);
    expect(r.output).toMatch(/prechecks failed.*SYSERR_BACKUP_OLD.*skipWarnings: true/s);
    expect(sim.version).toBe("22.1.6");
    expect(sim.calls.received("images.upload")).toBe(1);
    const image = (await stack.resources()).find((res) => res.type === "pulumi-nodejs:dynamic/avi:ControllerImage");
    expect(image?.outputs).toMatchObject({ state: "IMAGE_FSM_COMPLETED", tag: pkgA.tag, sha256: pkgA.sha256 });
});

test("with skipWarnings the upgrade runs through the reboot until every record is COMPLETED: exactly one start", async () => {
    await stack.setConfig("skipWarnings", "true");
    const r = keep(await stack.up());
    expect(r.code).toBe(0);
    expect(r.output).toContain(`[alb] upgrade complete: 22.1.6-9191-20231004.120000 → ${pkgA.tag}`);
    expect(sim.version).toBe("22.1.7");
    expect(sim.records().map((rec) => [rec["state"], rec["version"]])).toEqual([
        [expect.objectContaining({ state: "UPGRADE_FSM_COMPLETED" }), pkgA.tag],
        [expect.objectContaining({ state: "UPGRADE_FSM_COMPLETED" }), pkgA.tag],
        [expect.objectContaining({ state: "UPGRADE_FSM_COMPLETED" }), pkgA.tag],
    ]);
    expect(sim.calls.succeeded("upgrade.start")).toBe(3); // prechecks (warning), prechecks (accepted), the upgrade
    expect(sim.calls.received("images.upload")).toBe(1);
    const upgrade = (await stack.resources()).find((res) => res.type === "pulumi-nodejs:dynamic/avi:ControllerUpgrade");
    expect(upgrade).toMatchObject({ id: sim.clusterUuid, outputs: { state: "COMPLETED", version: pkgA.tag } });
    expect(upgrade!.outputs!.precheckResults).toContainEqual({
        checkCode: "SYSERR_BACKUP_OLD",
        state: "WARNING",
        description: "No configuration backup in the last 7 days.",
    });
});

test("a second preview shows no changes", async () => {
    const r = keep(await stack.preview(["--expect-no-changes"]));
    expect(r.code).toBe(0);
    expect(steps(r)).toEqual([]);
});

test("the password is never in the state or the output in plaintext", async () => {
    const exported = await stack.exportText();
    expect(exported).not.toContain(PASSWORD);
    for (const output of outputs) expect(output).not.toContain(PASSWORD);
});

test("a suspended SE group keeps the upgrade in state with how to resume; resumeSuspended finishes it", async () => {
    await stack.setConfig("imageFile", pkgB.path);
    await stack.setConfig("imageSha256", pkgB.sha256);
    sim.inject({ target: "segroup", seGroup: "sg-east", reason: "SE se-2 did not come back after the reboot." });
    const failed = keep(await stack.up());
    expect(failed.code).not.toBe(0);
    expect(failed.output).toMatch(/sg-east: UPGRADE_FSM_SUSPENDED: SE group sg-east: SE se-2 did not come back.*resumeSuspended: true/s);
    const kept = (await stack.resources()).find((res) => res.type === "pulumi-nodejs:dynamic/avi:ControllerUpgrade");
    expect(kept?.initErrors?.length ?? 0).toBeGreaterThan(0);

    await stack.setConfig("resumeSuspended", "true");
    const r = keep(await stack.up());
    expect(r.code).toBe(0);
    expect(r.output).toContain("resuming suspended SE group(s)");
    expect(sim.version).toBe("22.1.8");
    expect(
        sim.records().every((rec) => (rec["state"] as { state: string }).state === "UPGRADE_FSM_COMPLETED" && rec["version"] === pkgB.tag),
    ).toBe(true);
    expect(sim.calls.succeeded("segroup.resume")).toBe(1);
    expect(sim.calls.succeeded("upgrade.start")).toBe(5); // + prechecks and the upgrade to 22.1.8, once each
});

test("a controller error with its automatic rollback fails clearly; the next up (sessions expiring, CSRF rotating) upgrades", async () => {
    await stack.setConfig("imageFile", pkgC.path);
    await stack.setConfig("imageSha256", pkgC.sha256);
    sim.inject({
        target: "controller",
        outcome: "ERROR",
        task: "MIGRATE_CONFIG",
        reason: "Config migration failed: duplicate virtual service name.",
    });
    const failed = keep(await stack.up());
    expect(failed.code).not.toBe(0);
    expect(failed.output).toMatch(
        /avi controller http:\/\/127\.0\.0\.1:\d+: upgrade failed .*Config migration failed: duplicate virtual service name/,
    );
    for (let i = 0; i < 200 && sim.upgradeBusy; i++) await sleep(50); // bounded: the rollback takes 200 ms
    expect(sim.upgradeBusy).toBe(false);
    expect(sim.version).toBe("22.1.8");

    sim.configure({ expiredSessionStatus: 419, rotateCsrfEvery: 3, sessionIdleMs: 1_500 });
    const r = keep(await stack.up());
    expect(r.code).toBe(0);
    expect(sim.version).toBe("22.1.9");
    expect(
        sim.records().every((rec) => (rec["state"] as { state: string }).state === "UPGRADE_FSM_COMPLETED" && rec["version"] === pkgC.tag),
    ).toBe(true);
    expect(sim.calls.succeeded("upgrade.start")).toBe(9); // + prechecks and upgrade (failed), prechecks and upgrade (done)
});
