/**
 * Regressions of issue 10 for the Riverbed resources, through the real CLI against a simulated
 * appliance that takes the other side of what the reference leaves open:
 * 1. the upload reply carries only `{"id": N}` (the reference does not say which image fields are
 *    present at that moment): the first `up` uploads, validates and installs without a failure;
 * 2. a refresh during a burst of consecutive 503s (more than one request's own retries) rides it out;
 * 3. after a kill -9 of `pulumi up` while the appliance reboots into the new version, the next `up`
 *    adopts the finished update and reports the old version as previousVersion, not the new one.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
    makeRiverbedImage,
    startRiverbedSimulator,
    type RiverbedImageFile,
    type RiverbedSimulator,
    type RiverbedSimulatorOptions,
} from "../../simulators/riverbed";
import { TestStack } from "./harness";
import { killPulumiTree } from "./process-tree";

const PASSWORD = "pw-Riverbed-regress-19d3";
const FROM = "11.6.0 #23947";
const TARGET = "11.7.0 #24010";
let dir: string;
let image: RiverbedImageFile;

beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "rvbd-e2e-regress-"));
    image = await makeRiverbedImage({ version: TARGET, sizeBytes: 1024 * 1024, path: join(dir, "appresponse-11.7.0.img") });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function stackFor(sim: RiverbedSimulator): Promise<TestStack> {
    return TestStack.create(join(__dirname, "programs/riverbed"), {
        config: {
            "riverbed:endpoint": sim.url,
            "riverbed:username": "operator",
            imageFile: image.path,
            imageSha256: image.sha256,
            pollIntervalSeconds: "0.2",
        },
        secrets: { "riverbed:password": PASSWORD },
    });
}

/** A compressed-time device that requires our credentials; `options` take one side of an open fact. */
function startDevice(options: Partial<RiverbedSimulatorOptions> = {}, rebootMs = 1_500): Promise<RiverbedSimulator> {
    return startRiverbedSimulator({
        username: "operator",
        password: PASSWORD,
        timings: { validateMs: 200, initMs: 200, runningMs: 300, rebootMs, resetMs: 100 },
        ...options,
    });
}

describe("an upload reply with only the image id", () => {
    let sim: RiverbedSimulator;
    let stack: TestStack;

    beforeAll(async () => {
        sim = await startDevice({ uploadReply: "id-only", keepImagesAcrossReboot: true });
        stack = await stackFor(sim);
    });
    afterAll(async () => {
        await stack?.dispose();
        await sim?.stop();
    });

    test("the first up uploads, reads the image by id and installs it", async () => {
        const r = await stack.up();
        expect(r.output).not.toMatch(/expected string, received undefined/);
        expect(r.code).toBe(0);
        expect(sim.version).toBe(TARGET);
        expect(sim.calls.succeeded("images.upload")).toBe(1);
        expect(sim.calls.succeeded("update.start")).toBe(1);
        const outputs = (await stack.resources()).find((x) => x.type.endsWith("riverbed:UpgradeImage"))!.outputs!;
        expect(outputs).toMatchObject({ state: "VALID", version: TARGET, checksum: image.sha256 });
    });
});

describe("a refresh during a 5xx burst", () => {
    let sim: RiverbedSimulator;
    let stack: TestStack;

    beforeAll(async () => {
        sim = await startDevice({ keepImagesAcrossReboot: true });
        stack = await stackFor(sim);
    });
    afterAll(async () => {
        await stack?.dispose();
        await sim?.stop();
    });

    test("a refresh rides out 8 consecutive 503s on the image and the update object", async () => {
        expect((await stack.up()).code).toBe(0);
        sim.faults.failNext(8, 503, "images.get");
        sim.faults.failNext(8, 503, "update.get");
        const r = await stack.refresh();
        expect(r.code).toBe(0);
        const calls = sim.calls.snapshot();
        expect(calls["images.get"]!.byStatus["503"]).toBe(8);
        expect(calls["update.get"]!.byStatus["503"]).toBe(8);
        const resources = await stack.resources();
        expect(resources.find((x) => x.type.endsWith("riverbed:UpgradeImage"))!.outputs).toMatchObject({ state: "VALID" });
        expect(resources.find((x) => x.type.endsWith("riverbed:SystemUpdate"))!.outputs).toMatchObject({
            installedVersion: TARGET,
            previousVersion: FROM,
        });
    }, 180_000);
});

describe("kill -9 during the reboot, then up", () => {
    let sim: RiverbedSimulator;
    let stack: TestStack;

    beforeAll(async () => {
        sim = await startDevice({}, 6_000); // a reboot long enough to kill the run inside it
        stack = await stackFor(sim);
    });
    afterAll(async () => {
        await stack?.dispose();
        await sim?.stop();
    });

    test("the next up adopts the finished update and reports the version it replaced", async () => {
        const running = stack.up();
        await new Promise<void>((resolve) => sim.once("offline", () => resolve()));
        expect(killPulumiTree()).toBeGreaterThan(0);
        expect((await running).code).not.toBe(0);
        await sim.whenOnline(); // the update finishes while nobody watches
        // What an operator does after a crash: release the stack's lock (the file backend keeps it).
        await stack.must(["cancel", "--yes"]);

        const r = await stack.up();
        expect(r.code).toBe(0);
        expect(sim.version).toBe(TARGET);
        expect(sim.calls.succeeded("update.start")).toBe(1);
        const update = (await stack.resources()).find((x) => x.type.endsWith("riverbed:SystemUpdate"))!;
        expect(update.outputs).toMatchObject({ installedVersion: TARGET, previousVersion: FROM });
    }, 180_000);
});
