/**
 * Riverbed long waits through the real CLI, one stack and one simulated appliance whose access tokens
 * live 2 seconds: a failure state during the update fails the run with the device's words and keeps
 * the resource in state; the rerun resumes (reset, init, one new start) through a RUNNING phase that
 * outlives several tokens and a reboot window that drops every token; the device consumes the image,
 * which refresh keeps as CONSUMED; destroy copes with it. The password comes from stack config here.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { makeRiverbedImage, startRiverbedSimulator, type RiverbedImageFile, type RiverbedSimulator } from "../../simulators/riverbed";
import { steps, TestStack, type RunResult } from "./harness";

const PASSWORD = "pw-Riverbed-waits-77c4e0";
let sim: RiverbedSimulator;
let stack: TestStack;
let dir: string;
let image: RiverbedImageFile;
/** Every CLI run of this file goes through keep(): the password must not be in what that run printed. */
const keep = (r: RunResult) => (expect(r.output).not.toContain(PASSWORD), r);
const resource = async (kind: string) => (await stack.resources()).find((r) => r.type === `pulumi-nodejs:dynamic/riverbed:${kind}`);
const tokenAnswers = (status: "200" | "201") => sim.calls.snapshot()["auth.token"]?.byStatus[status] ?? 0;

beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "rvbd-e2e-waits-"));
    image = await makeRiverbedImage({ version: "11.7.0 #24010", sizeBytes: 1024 * 1024, path: join(dir, "appresponse-11.7.0.img") });
    sim = await startRiverbedSimulator({
        username: "operator",
        password: PASSWORD,
        accessTokenTtlMs: 2_000,
        timings: { validateMs: 200, initMs: 300, runningMs: 500, rebootMs: 4_000, resetMs: 300 },
    });
    stack = await TestStack.create(join(__dirname, "programs/riverbed"), {
        config: {
            "riverbed:endpoint": sim.url,
            "riverbed:username": "operator",
            imageFile: image.path,
            imageSha256: image.sha256,
            pollIntervalSeconds: "0.5",
        },
        secrets: { "riverbed:password": PASSWORD },
    });
});

afterAll(async () => {
    await stack?.dispose();
    await sim?.stop();
    rmSync(dir, { recursive: true, force: true });
});

test("a failure state fails the run naming the device, the phase and the device's description; the resource stays in state", async () => {
    sim.injectUpdateFailure("start", "FAILED_GRACEFUL");
    const r = keep(await stack.up());
    expect(r.code).not.toBe(0);
    expect(r.output).toContain(
        `riverbed device ${sim.url}: updating to 11.7.0 #24010 failed in state FAILED_GRACEFUL: Update failed during installation; the system is unchanged (reset to recover)`,
    );
    const update = await resource("SystemUpdate");
    expect(update).toMatchObject({ id: sim.url, outputs: { state: "FAILED_GRACEFUL", installedVersion: "11.6.0 #23947" } });
    expect(update!.initErrors?.length).toBeGreaterThan(0);
    expect(sim.calls.received("update.start")).toBe(1);
    expect(sim.version).toBe("11.6.0 #23947");
});

test("the rerun resumes: reset, init, one new start, through token expiry and the reboot window", async () => {
    sim.configure({ timings: { runningMs: 6_000 } }); // three token lifetimes
    const seen: string[] = [];
    sim.on("offline", () => seen.push("offline"));
    sim.on("online", () => seen.push("online"));
    const logins = tokenAnswers("201");
    const refreshes = tokenAnswers("200");

    const p = keep(await stack.preview());
    expect(steps(p)).toEqual(["update appresponse"]); // the partial failure forces an update

    const r = keep(await stack.up());
    expect(r.code).toBe(0);
    expect(r.output).toContain("[appresponse] the previous update attempt failed gracefully");
    expect(r.output).toContain("[appresponse] resetting a stale update: FAILED_GRACEFUL");
    expect(r.output).toContain("[appresponse] update complete: 11.6.0 #23947 → 11.7.0 #24010");
    expect(seen).toEqual(["offline", "online"]);
    expect(sim.version).toBe("11.7.0 #24010");
    expect(sim.calls.received("update.start")).toBe(2); // one per attempt, never a second one in a run
    expect(sim.calls.succeeded("update.reset")).toBe(1);
    // One login for the run, one after the reboot dropped every token; short tokens were refreshed.
    expect(tokenAnswers("201") - logins).toBe(2);
    expect(tokenAnswers("200") - refreshes).toBeGreaterThanOrEqual(2);

    const update = await resource("SystemUpdate");
    expect(update).toMatchObject({ outputs: { state: "IDLE", installedVersion: "11.7.0 #24010", previousVersion: "11.6.0 #23947" } });
    expect(update!.initErrors ?? []).toEqual([]);
    expect(sim.images()).toEqual([]); // the device consumed the image
});

test("refresh keeps the consumed image as CONSUMED and shows no drift", async () => {
    const r = keep(await stack.refresh());
    expect(r.code).toBe(0);
    expect(await resource("UpgradeImage")).toMatchObject({ id: "1", outputs: { state: "CONSUMED", version: "11.7.0 #24010" } });
    const p = keep(await stack.preview(["--expect-no-changes"]));
    expect(p.code).toBe(0);
});

test("the password from stack config is never in plaintext in the state or the CLI output", async () => {
    const exported = await stack.exportText();
    expect(exported).not.toContain(PASSWORD);
    const config = keep(await stack.run(["config"]));
    expect(config.code).toBe(0);
    expect(config.output).toMatch(/riverbed:password\s+\[secret\]/);
});

test("destroy: the consumed image is already gone, the update is only forgotten", async () => {
    const r = keep(await stack.destroy());
    expect(r.code).toBe(0);
    expect(r.output).toContain(
        `[appresponse-image] image 1 is no longer on riverbed device ${sim.url} (the device consumed it when installing it): nothing to delete`,
    );
    expect(r.output).toContain(
        `[appresponse] removing the SystemUpdate from the stack only: riverbed device ${sim.url} keeps 11.7.0 #24010`,
    );
    expect(await stack.resources()).toEqual([]);
    expect(sim.version).toBe("11.7.0 #24010");
});
