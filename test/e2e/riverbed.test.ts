/**
 * Riverbed through the real CLI, one stack and one simulated appliance for the whole lifecycle:
 * preview → up (upload → VALID → update → new version, exactly one start) → no-op preview → a new
 * image file as a readable replace → up to it → refresh without drift → an INVALID image that fails
 * clearly and leaves the stack and device sane → the password never in plaintext → destroy deletes
 * the image and only forgets the update.
 *
 * This appliance keeps images across its reboot (`keepImagesAcrossReboot`; the vendor's behaviour is
 * unknown), so the image still exists when it is destroyed. `riverbed-waits.test.ts` covers the other
 * variant (the device consumes the image), token expiry, the reboot window and resuming a failure.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { makeRiverbedImage, startRiverbedSimulator, type RiverbedImageFile, type RiverbedSimulator } from "../../simulators/riverbed";
import { steps, TestStack, type RunResult } from "./harness";

const PASSWORD = "pw-Riverbed-5e8d21";
let sim: RiverbedSimulator;
let stack: TestStack;
let dir: string;
let imageA: RiverbedImageFile;
let imageB: RiverbedImageFile;
/** Every CLI run of this file goes through keep(): the password must not be in what that run printed. */
const keep = (r: RunResult) => (expect(r.output).not.toContain(PASSWORD), r);
const typeOf = (kind: string) => `pulumi-nodejs:dynamic/riverbed:${kind}`;
const resource = async (kind: string) => (await stack.resources()).find((r) => r.type === typeOf(kind));

beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "rvbd-e2e-"));
    imageA = await makeRiverbedImage({ version: "11.7.0 #24010", sizeBytes: 2 * 1024 * 1024, path: join(dir, "appresponse-11.7.0.img") });
    imageB = await makeRiverbedImage({ version: "11.8.0 #25002", sizeBytes: 2 * 1024 * 1024, path: join(dir, "appresponse-11.8.0.img") });
    sim = await startRiverbedSimulator({
        username: "operator",
        password: PASSWORD,
        keepImagesAcrossReboot: true,
        timings: { validateMs: 300, initMs: 300, runningMs: 500, rebootMs: 1_000, resetMs: 200 },
    });
    stack = await TestStack.create(join(__dirname, "programs/riverbed"), {
        config: { "riverbed:endpoint": sim.url, "riverbed:username": "operator", imageFile: imageA.path, imageSha256: imageA.sha256 },
        secrets: { devicePassword: PASSWORD },
    });
});

afterAll(async () => {
    await stack?.dispose();
    await sim?.stop();
    rmSync(dir, { recursive: true, force: true });
});

test("preview plans both resources and changes nothing on the device", async () => {
    const r = keep(await stack.preview());
    expect(r.code).toBe(0);
    expect(steps(r)).toEqual(["create appresponse-image", "create appresponse"]);
    expect(sim.calls.received("images.upload")).toBe(0);
    expect(sim.calls.received("update.init")).toBe(0);
});

test("up uploads the image, waits for VALID, updates the device through its reboot: exactly one start", async () => {
    const r = keep(await stack.up());
    expect(r.code).toBe(0);
    expect(r.output).toMatch(/\[appresponse-image\] uploading appresponse-11\.7\.0\.img: 100% \(2\.0 of 2\.0 MiB\) at [\d.]+ MiB\/s/);
    expect(r.output).toContain("[appresponse-image] image 1: VALIDATING → VALID (Image is valid: version 11.7.0 #24010)");
    expect(r.output).toContain("[appresponse] starting the update to 11.7.0 #24010: the device installs it and reboots");
    expect(r.output).toContain("[appresponse] update complete: 11.6.0 #23947 → 11.7.0 #24010");
    expect(sim.version).toBe("11.7.0 #24010");
    expect(sim.calls.received("images.upload")).toBe(1);
    expect(sim.calls.received("update.start")).toBe(1);

    const image = await resource("UpgradeImage");
    expect(image).toMatchObject({ id: "1", outputs: { state: "VALID", version: "11.7.0 #24010", checksum: imageA.sha256 } });
    const update = await resource("SystemUpdate");
    expect(update).toMatchObject({
        id: sim.url,
        outputs: { installedVersion: "11.7.0 #24010", previousVersion: "11.6.0 #23947", state: "IDLE" },
    });
    expect(update!.inputs).toMatchObject({ imageId: "1", targetVersion: "11.7.0 #24010" });
});

test("a second preview shows no changes", async () => {
    const r = keep(await stack.preview(["--expect-no-changes"]));
    expect(r.code).toBe(0);
    expect(steps(r)).toEqual([]);
});

test("a new image file shows a readable replace of the image and an update of the device", async () => {
    await stack.setConfig("imageFile", imageB.path);
    await stack.setConfig("imageSha256", imageB.sha256);
    const r = keep(await stack.preview());
    expect(r.code).toBe(0);
    expect(steps(r)).toEqual([
        "create-replacement appresponse-image",
        "replace appresponse-image",
        "update appresponse",
        "delete-replaced appresponse-image",
    ]);
    expect(r.output).toContain(`+-${typeOf("UpgradeImage")}: (replace)`);
    expect(r.output).toMatch(/~ file\s*:\s*".*appresponse-11\.7\.0\.img" => ".*appresponse-11\.8\.0\.img"/);
    expect(r.output).toContain(`~ expectedSha256: "${imageA.sha256}" => "${imageB.sha256}"`);
    expect(r.output).toMatch(/~ imageId\s*:\s*"1" => \[unknown\]/);
    expect(r.output).toMatch(/~ targetVersion\s*:\s*"11\.7\.0 #24010" => \[unknown\]/);
    expect(sim.calls.received("images.upload")).toBe(1);
});

test("up to the new image: the old image is cleaned up and the device runs the new version", async () => {
    const r = keep(await stack.up());
    expect(r.code).toBe(0);
    expect(r.output).toContain("[appresponse] deleted stale VALID image 1 (11.7.0 #24010)");
    expect(r.output).toContain("[appresponse] update complete: 11.7.0 #24010 → 11.8.0 #25002");
    expect(r.output).toContain("[appresponse-image] image 1 is no longer on");
    expect(sim.version).toBe("11.8.0 #25002");
    expect(sim.images().map((i) => [i.id, i.state])).toEqual([[2, "VALID"]]);
    expect(sim.calls.received("update.start")).toBe(2);
    expect(await resource("SystemUpdate")).toMatchObject({
        outputs: { installedVersion: "11.8.0 #25002", previousVersion: "11.7.0 #24010" },
    });
});

test("refresh reads the device and finds no drift", async () => {
    const r = keep(await stack.refresh());
    expect(r.code).toBe(0);
    const p = keep(await stack.preview(["--expect-no-changes"]));
    expect(p.code).toBe(0);
});

test("an INVALID image fails with the device, the phase and its description; stack and device stay sane", async () => {
    const bad = await makeRiverbedImage({
        version: "11.9.0 #26000",
        sizeBytes: 1024 * 1024,
        valid: false,
        path: join(dir, "appresponse-11.9.0-corrupt.img"),
    });
    await stack.setConfig("imageFile", bad.path);
    await stack.setConfig("imageSha256", bad.sha256);
    const r = keep(await stack.up());
    expect(r.code).not.toBe(0);
    expect(r.output).toContain(
        `riverbed device ${sim.url}: validating image 3 failed in state INVALID: Image is invalid: image is corrupt: payload is ${bad.sizeBytes - 256} bytes, header says ${bad.sizeBytes - 255}; image 3 was deleted from the device`,
    );
    // The device: the corrupt image removed, the good one untouched, no update started.
    expect(sim.images().map((i) => [i.id, i.state])).toEqual([[2, "VALID"]]);
    expect(sim.calls.received("update.start")).toBe(2);
    expect(sim.update().state).toBe("IDLE");
    // The stack: the previous image and update, unchanged, no pending failure recorded.
    const image = await resource("UpgradeImage");
    expect(image).toMatchObject({ id: "2", outputs: { state: "VALID", version: "11.8.0 #25002" } });
    expect(image!.initErrors ?? []).toEqual([]);
    expect(await resource("SystemUpdate")).toMatchObject({ outputs: { installedVersion: "11.8.0 #25002" } });

    await stack.setConfig("imageFile", imageB.path);
    await stack.setConfig("imageSha256", imageB.sha256);
    const p = keep(await stack.preview(["--expect-no-changes"]));
    expect(p.code).toBe(0);
});

test("the password is never in plaintext in the state or the CLI output", async () => {
    const exported = await stack.exportText();
    expect(exported).not.toContain(PASSWORD);
    expect(exported).toContain("4dabf18193072939515e22adb298388d"); // stored as a secret
    const config = keep(await stack.run(["config"]));
    expect(config.code).toBe(0);
    expect(config.output).toMatch(/devicePassword\s+\[secret\]/);
});

test("destroy deletes the image from the device and only forgets the update", async () => {
    const r = keep(await stack.destroy());
    expect(r.code).toBe(0);
    expect(r.output).toContain(`[appresponse-image] deleted image 2 (11.8.0 #25002) from riverbed device ${sim.url}`);
    expect(r.output).toContain(
        `[appresponse] removing the SystemUpdate from the stack only: riverbed device ${sim.url} keeps 11.8.0 #25002`,
    );
    expect(sim.images()).toEqual([]);
    expect(sim.version).toBe("11.8.0 #25002");
    expect(await stack.resources()).toEqual([]);
    expect(r.output).not.toContain(PASSWORD);
});
