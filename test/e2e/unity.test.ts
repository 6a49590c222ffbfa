/**
 * Dell Unity through the real CLI.
 *
 * Stack 1, the whole lifecycle on one array: preview → up (upload → eligibility → session →
 * primary-SP failover → Upgrade_Completed, the new version read from basicSystemInfo, exactly one
 * session) → no-op preview → the password never in plaintext → destroy only forgets.
 * Stack 2, the failure paths on a second array: a degraded component fails the eligibility check
 * (no session), Failed_Lock stops the session (kept in state) and the next `up` resumes the same
 * session; then a pause before reboot stops with instructions, and `resumeAfterPause` continues it.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { makeUnityCandidate, startUnitySimulator, type UnityCandidateFile, type UnitySimulator } from "../../simulators/unity";
import { steps, TestStack, type RunResult } from "./harness";

const PASSWORD = "pw-Unity-0c7e93";
const TIMINGS = { prepareMs: 200, healthCheckMs: 200, preinstallMs: 300, primaryRebootMs: 1_500, peerRebootMs: 300, postMs: 200 };
let dir: string;
let candidate: UnityCandidateFile;
const outputs: string[] = [];
const keep = (r: RunResult) => (outputs.push(r.output), r);
const typeOf = (kind: string) => `pulumi-nodejs:dynamic/unity:${kind}`;

beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "unity-e2e-"));
    candidate = await makeUnityCandidate({
        version: "5.3.0.0.5.120",
        sizeBytes: 3 * 1024 * 1024,
        path: join(dir, "Unity-5.3.0.0.5.120.tgz.bin.gpg"),
    });
});

afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
    for (const text of outputs) expect(text).not.toContain(PASSWORD);
});

describe("happy path", () => {
    let sim: UnitySimulator;
    let stack: TestStack;
    const resource = async (kind: string) => (await stack.resources()).find((r) => r.type === typeOf(kind));

    beforeAll(async () => {
        sim = await startUnitySimulator({ username: "storageadmin", password: PASSWORD, version: "5.2.1.0.5.011", timings: TIMINGS });
        stack = await TestStack.create(join(__dirname, "programs/unity"), {
            config: {
                "unity:endpoint": sim.url,
                "unity:username": "storageadmin",
                candidateFile: candidate.path,
                candidateVersion: "5.3.0.0.5.120",
            },
            secrets: { arrayPassword: PASSWORD },
        });
    });
    afterAll(async () => {
        await stack?.dispose();
        await sim?.stop();
    });

    test("preview plans both resources and touches nothing on the array", async () => {
        const r = keep(await stack.preview());
        expect(r.code).toBe(0);
        expect(steps(r)).toEqual(["create unity-candidate", "create unity-array"]);
        expect(sim.calls.received("candidate.upload")).toBe(0);
        expect(sim.sessionsCreated).toBe(0);
    });

    test("up uploads, checks eligibility, runs one session through the SP failover to Upgrade_Completed", async () => {
        const r = keep(await stack.up());
        expect(r.code).toBe(0);
        expect(r.output).toMatch(/\[unity-candidate\] uploaded 3\.0 MiB in [\d.]+s/);
        expect(r.output).toContain("[unity-array] eligibility check passed");
        expect(r.output).toMatch(/\[unity-array\] session Upgrade_1 started: 5\.2\.1\.0\.5\.011 → 5\.3\.0\.0\.5\.120/);
        expect(r.output).toContain("[unity-array] upgrade complete: 5.2.1.0.5.011 → 5.3.0.0 (session Upgrade_1, Upgrade_Completed)");
        expect(sim.version).toBe("5.3.0.0.5.120");
        expect(sim.sessionsCreated).toBe(1);
        expect(sim.calls.succeeded("candidate.upload")).toBe(1);
        expect(sim.calls.succeeded("session.create")).toBe(1);
        // One login for both resources, and one more after the failover forgot it (new CSRF token).
        expect(sim.loginsStarted).toBe(2);
        const session = await resource("UpgradeSession");
        expect(session).toMatchObject({
            id: "Upgrade_1",
            outputs: { status: "Upgrade_Completed", installedVersion: "5.3.0.0", previousVersion: "5.2.1.0.5.011" },
        });
        const cand = await resource("UpgradeCandidate");
        expect(cand!.outputs).toMatchObject({ version: "5.3.0.0.5.120", sha256: candidate.sha256, adopted: false });
    });

    test("a second preview shows no changes", async () => {
        const r = keep(await stack.preview(["--expect-no-changes"]));
        expect(r.code).toBe(0);
        expect(steps(r)).toEqual([]);
    });

    test("the password is never in plaintext in the state", async () => {
        const text = await stack.exportText();
        expect(text).not.toContain(PASSWORD);
        expect(text).not.toContain(Buffer.from(`storageadmin:${PASSWORD}`).toString("base64"));
    });

    test("destroy only forgets (an upgrade cannot be undone)", async () => {
        const r = keep(await stack.destroy());
        expect(r.code).toBe(0);
        expect(r.output).toContain("an upgrade cannot be undone");
        expect(sim.version).toBe("5.3.0.0.5.120");
    });
});

describe("failures and resumption", () => {
    let sim: UnitySimulator;
    let stack: TestStack;
    const resource = async (kind: string) => (await stack.resources()).find((r) => r.type === typeOf(kind));

    beforeAll(async () => {
        sim = await startUnitySimulator({
            username: "storageadmin",
            password: PASSWORD,
            version: "5.2.1.0.5.011",
            timings: TIMINGS,
            degradedComponent: "SP B power supply 0",
        });
        stack = await TestStack.create(join(__dirname, "programs/unity"), {
            config: {
                "unity:endpoint": sim.url,
                "unity:username": "storageadmin",
                candidateFile: candidate.path,
                candidateVersion: "5.3.0.0.5.120",
            },
            secrets: { "unity:password": PASSWORD },
        });
    });
    afterAll(async () => {
        await stack?.dispose();
        await sim?.stop();
    });

    test("a degraded component fails the eligibility check with the array's message; no session is created", async () => {
        const r = keep(await stack.up());
        expect(r.code).not.toBe(0);
        expect(r.output).toContain(`unity array ${sim.url}: the eligibility check (verifyUpgradeEligibility) failed in state not eligible`);
        expect(r.output).toContain("SP B power supply 0 is degraded");
        expect(sim.sessionsCreated).toBe(0);
        expect(await resource("UpgradeSession")).toBeUndefined();
    });

    test("Failed_Lock stops the session with its messages and keeps it in state", async () => {
        sim.configure({ degradedComponent: "" });
        sim.injectFailure("preinstall", "Failed_Lock");
        const r = keep(await stack.up());
        expect(r.code).not.toBe(0);
        expect(r.output).toContain("failed in state Upgrade_Failed_Lock");
        expect(r.output).toContain("the system is locked");
        expect(r.output).toContain("run pulumi up again: it resumes this session");
        const session = await resource("UpgradeSession");
        expect(session).toMatchObject({ id: "Upgrade_1" });
        expect(session!.initErrors?.length).toBeGreaterThan(0);
    });

    test("the next up resumes that session (no second one) and completes it", async () => {
        const r = keep(await stack.up());
        expect(r.code).toBe(0);
        expect(r.output).toContain("Upgrade_Failed_Lock");
        expect(r.output).toContain("resuming it");
        expect(r.output).toContain("upgrade complete: 5.2.1.0.5.011 → 5.3.0.0");
        expect(sim.sessionsCreated).toBe(1);
        expect(sim.calls.succeeded("session.resume")).toBe(1);
    });
});

describe("pause before reboot", () => {
    let sim: UnitySimulator;
    let stack: TestStack;

    beforeAll(async () => {
        sim = await startUnitySimulator({
            username: "storageadmin",
            password: PASSWORD,
            version: "5.2.1.0.5.011",
            timings: TIMINGS,
            failoverMode: "503",
        });
        stack = await TestStack.create(join(__dirname, "programs/unity"), {
            config: {
                "unity:endpoint": sim.url,
                "unity:username": "storageadmin",
                candidateFile: candidate.path,
                pauseBeforeReboot: "true",
            },
            secrets: { "unity:password": PASSWORD },
        });
    });
    afterAll(async () => {
        await stack?.dispose();
        await sim?.stop();
    });

    test("the session pauses and the resource stops, saying how to continue", async () => {
        const r = keep(await stack.up());
        expect(r.code).not.toBe(0);
        expect(r.output).toContain("Upgrade_Paused");
        expect(r.output).toContain("set resumeAfterPause: true and run pulumi up");
        expect(sim.version).toBe("5.2.1.0.5.011");
    });

    test("resumeAfterPause: true continues the same session through a 503 failover", async () => {
        await stack.setConfig("resumeAfterPause", "true");
        const r = keep(await stack.up());
        expect(r.code).toBe(0);
        expect(r.output).toContain("upgrade complete");
        expect(sim.version).toBe("5.3.0.0.5.120");
        expect(sim.sessionsCreated).toBe(1);
    });
});
