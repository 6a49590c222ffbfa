/**
 * `examples/unity-upgrade` as shipped: it typechecks against the packed package and upgrades a
 * simulated array end to end (upload → eligibility → one session → Upgrade_Completed).
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { makeUnityCandidate, startUnitySimulator, type UnitySimulator } from "../../simulators/unity";
import { steps, TestStack } from "./harness";

const repo = resolve(__dirname, "../..");
const PASSWORD = "pw-Example-unity-3f9a";
let sim: UnitySimulator;
let stack: TestStack;
let dir: string;

beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "unity-example-"));
    const candidate = await makeUnityCandidate({
        version: "5.3.0.0.5.120",
        sizeBytes: 1024 * 1024,
        path: join(dir, "Unity-5.3.0.0.5.120.tgz.bin.gpg"),
    });
    sim = await startUnitySimulator({
        password: PASSWORD,
        timings: { prepareMs: 100, healthCheckMs: 100, preinstallMs: 100, primaryRebootMs: 1_000, peerRebootMs: 100, postMs: 100 },
    });
    stack = await TestStack.create(join(repo, "examples/unity-upgrade"), {
        config: {
            "unity:endpoint": sim.url,
            "unity:username": "admin",
            "unity-upgrade:candidateFile": candidate.path,
            "unity-upgrade:candidateVersion": "5.3.0.0.5.120",
            "unity-upgrade:pollIntervalSeconds": "0.2",
        },
        secrets: { "unity:password": PASSWORD },
    });
});

afterAll(async () => {
    await stack?.dispose();
    await sim?.stop();
    rmSync(dir, { recursive: true, force: true });
});

test("the example typechecks against the packed package", () => {
    execFileSync(join(repo, "node_modules/.bin/tsc"), ["-p", join(stack.dir, "tsconfig.json"), "--noEmit"], { stdio: "pipe" });
});

test("pulumi up upgrades the array with exactly one session, and a second preview is empty", async () => {
    const up = await stack.up();
    expect(up.code).toBe(0);
    expect(up.output).toContain('installedVersion: "5.3.0.0"');
    expect(up.output).not.toContain(PASSWORD);
    expect(sim.version).toBe("5.3.0.0.5.120");
    expect(sim.sessionsCreated).toBe(1);
    const preview = await stack.preview(["--expect-no-changes"]);
    expect(preview.code).toBe(0);
    expect(steps(preview)).toEqual([]);
});
