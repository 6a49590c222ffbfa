/**
 * The root demo program (`demo/index.ts`, the showcase) against the policy pack and as a reviewer
 * sees it in a pull request, through the real CLI on a small fleet (one Riverbed probe, an Appgate
 * controller and two gateways of one site):
 * - the program as written passes the pack;
 * - a variant violating each mandatory rule fails `pulumi preview --policy-pack policies` with the
 *   rule's message (variants are text edits of the real program);
 * - after `up`, the `pulumi preview --diff` text a PR comment would carry shows a new target version
 *   as an update of that property and a new image file as a replace.
 */
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { makeRiverbedImage, startRiverbedSimulator, type RiverbedImageFile, type RiverbedSimulator } from "../../simulators/riverbed";
import { startAppgateSimulator, type AppgateSimulator } from "../../simulators/appgate";
import { steps, TestStack } from "./harness";

const repo = resolve(__dirname, "../..");
const policies = join(repo, "policies");
const PASSWORD = "pw-Fleet-91c3aa";
let riverbedSim: RiverbedSimulator;
let appgateSim: AppgateSimulator;
let stack: TestStack;
let scratch: string;
let imageA: RiverbedImageFile;
let imageB: RiverbedImageFile;
/** The program's files as shipped (`demo/index.ts` and `demo/program/*.ts`), by path relative to the program directory. */
const original = new Map<string, string>();

const spec = (image: RiverbedImageFile, appgateImage: string) => {
    const appliances = appgateSim.state().appliances;
    return JSON.stringify({
        riverbed: { devices: [{ name: "ar-1", endpoint: riverbedSim.url }], image: { file: image.path, sha256: image.sha256 } },
        appgate: {
            imageUrl: `${appgateSim.url}/__sim/images/${appgateImage}`,
            controllers: appliances.filter((a) => a.role === "controller").map((a) => ({ name: a.name, id: a.id })),
            sites: [{ name: "east", gateways: appliances.filter((a) => a.role === "gateway").map((a) => ({ name: a.name, id: a.id })) }],
        },
        pollIntervalSeconds: 1,
    });
};

/** Replaces one file of the program with an edited copy of the real demo program's file. */
function variant(file: string, edit: (source: string) => string): void {
    const edited = edit(original.get(file)!);
    expect(edited).not.toBe(original.get(file)); // the edit must have applied
    writeFileSync(join(stack.dir, file), edited);
}

beforeAll(async () => {
    scratch = mkdtempSync(join(tmpdir(), "fleet-e2e-"));
    imageA = await makeRiverbedImage({ version: "11.7.0 #24010", sizeBytes: 1 << 20, path: join(scratch, "appresponse-11.7.0.img") });
    imageB = await makeRiverbedImage({ version: "11.8.0 #25002", sizeBytes: 1 << 20, path: join(scratch, "appresponse-11.8.0.img") });
    riverbedSim = await startRiverbedSimulator({
        password: PASSWORD,
        timings: { validateMs: 200, initMs: 200, runningMs: 300, rebootMs: 800, resetMs: 100 },
    });
    appgateSim = await startAppgateSimulator({
        password: PASSWORD,
        speed: 200,
        appliances: [
            { name: "controller-1", role: "controller", site: "hq" },
            { name: "gw-east-1", role: "gateway", site: "east" },
            { name: "gw-east-2", role: "gateway", site: "east" },
        ],
    });
    // A program directory holding the real root program.
    const program = join(scratch, "fleet");
    mkdirSync(program);
    copyFileSync(join(repo, "demo", "index.ts"), join(program, "index.ts"));
    cpSync(join(repo, "demo", "program"), join(program, "program"), { recursive: true });
    writeFileSync(join(program, "Pulumi.yaml"), "name: fleet-e2e\nruntime: nodejs\n");
    writeFileSync(join(program, "package.json"), JSON.stringify({ name: "fleet-e2e", private: true, main: "index.ts" }));
    copyFileSync(join(__dirname, "programs", "loopback", "tsconfig.json"), join(program, "tsconfig.json"));
    for (const file of ["index.ts", "program/riverbed.ts", "program/appgate.ts"])
        original.set(file, readFileSync(join(program, file), "utf8"));
    stack = await TestStack.create(program, {
        config: {
            "fleet:spec": spec(imageA, "appgate-6.4.1-40123-release.img.zip"),
            "riverbed:username": "admin",
            "appgate:endpoint": appgateSim.url,
            "appgate:username": "admin",
        },
        secrets: { "riverbed:password": PASSWORD, "appgate:password": PASSWORD },
    });
});

afterAll(async () => {
    await stack?.dispose();
    await riverbedSim?.stop();
    await appgateSim?.stop();
    rmSync(scratch, { recursive: true, force: true });
});

test("the demo program passes the policy pack", async () => {
    const r = await stack.preview(["--policy-pack", policies]);
    expect(r.code).toBe(0);
    expect(r.output).not.toMatch(/\[(advisory|mandatory)\]/);
    expect(steps(r).sort()).toEqual([
        "create ar-1-image",
        "create ar-1-update",
        "create controller-1",
        "create gw-east-1",
        "create gw-east-2",
    ]);
});

test.each([
    [
        "image-checksum",
        "program/riverbed.ts",
        (s: string) => s.replace(/\n\s*expectedSha256: .*\n/, "\n"),
        "Image 'ar-1-image' does not pin expectedSha256.",
    ],
    [
        "no-downgrade",
        "program/riverbed.ts",
        (s: string) => s.replace("targetVersion: image.version,", "targetVersion: image.version, allowDowngrade: true,"),
        "'ar-1-update' allows a downgrade (allowDowngrade: true).",
    ],
    [
        "blast-radius",
        "program/appgate.ts",
        (s: string) => s.replace("{ dependsOn: previous ? [previous] : [] }", "{}"),
        "Site 'east': 2 appliances may complete their upgrade at the same time (gw-east-1, gw-east-2); at most 1 allowed.",
    ],
])("a variant violating %s fails the preview with the rule's message", async (rule, file, edit, message) => {
    variant(file, edit);
    try {
        const r = await stack.preview(["--policy-pack", policies]);
        expect(r.code).not.toBe(0);
        expect(r.output).toMatch(new RegExp(`pulumi-upgrades@v0\\.1\\.0 \\[mandatory\\] \\[severity: \\w+\\]\\s+${rule}\\s`));
        expect(r.output).toContain(message);
    } finally {
        writeFileSync(join(stack.dir, file), original.get(file)!);
    }
});

test("up upgrades the whole small fleet under the pack", async () => {
    const r = await stack.up(["--policy-pack", policies]);
    expect(r.code).toBe(0);
    expect(riverbedSim.version).toBe("11.7.0 #24010");
    for (const a of appgateSim.state().appliances) {
        expect(a.version).toBe("6.4.1+40123");
    }
    const second = await stack.preview(["--expect-no-changes", "--policy-pack", policies]);
    expect(second.code).toBe(0);
});

test("the PR preview text: a new target version is an update of that property, a new image file a replace", async () => {
    await stack.setConfig("fleet:spec", spec(imageB, "appgate-6.5.0-41000-release.img.zip"));
    const r = await stack.preview(["--policy-pack", policies]);
    expect(r.code).toBe(0);
    const text = r.stdout;
    // Riverbed: the image is replaced (new file), the device update follows the image's version.
    expect(text).toContain("+-pulumi-nodejs:dynamic/riverbed:UpgradeImage: (replace)");
    expect(text).toMatch(/~ file\s*:\s*".*appresponse-11\.7\.0\.img" => ".*appresponse-11\.8\.0\.img"/);
    expect(text).toContain("~ pulumi-nodejs:dynamic/riverbed:SystemUpdate: (update)");
    // Appgate: each appliance shows the new image as an in-place update of that property.
    expect(text).toContain("~ pulumi-nodejs:dynamic/appgate:ApplianceUpgrade: (update)");
    expect(text).toMatch(/~ imageUrl\s*:\s*".*appgate-6\.4\.1-40123-release\.img\.zip" => ".*appgate-6\.5\.0-41000-release\.img\.zip"/);
    expect(steps(r)).toEqual(
        expect.arrayContaining(["replace ar-1-image", "update ar-1-update", "update controller-1", "update gw-east-1", "update gw-east-2"]),
    );
});

test("destroy cleans up", async () => {
    await stack.setConfig("fleet:spec", spec(imageA, "appgate-6.4.1-40123-release.img.zip"));
    const r = await stack.destroy();
    expect(r.code).toBe(0);
    expect(await stack.resources()).toEqual([]);
});
