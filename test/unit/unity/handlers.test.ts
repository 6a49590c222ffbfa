import { handlerEnv, type HandlerEnv } from "../../../provider/core/env";
import { ResourceNotReadyError } from "../../../provider/core/dynamic";
import {
    upgradeCandidateHandler as candidateFactory,
    type CandidateInputs,
    type CandidateOutputs,
} from "../../../provider/unity/upgrade-candidate-handler";
import {
    ALREADY_INSTALLED,
    upgradeSessionHandler as sessionFactory,
    type SessionInputs,
    type SessionOutputs,
} from "../../../provider/unity/upgrade-session-handler";
import type { ResourceHandler } from "../../../provider/core/dynamic";
import { FakeClock } from "../../../provider/core/clock";
import type { UnitySimulator } from "../../../simulators/unity";
import { captureLogs, rejection } from "../riverbed/helpers";
import { candidateDir, connectionFor, FAST_WAIT, PASSWORD, startSim } from "./helpers";

const TARGET = "5.3.0.0.5.120";

describe("unity:UpgradeCandidate and unity:UpgradeSession handlers", () => {
    let sim: UnitySimulator;
    let files: Awaited<ReturnType<typeof candidateDir>>;
    let logs: ReturnType<typeof captureLogs>;
    let env: HandlerEnv;
    let upgradeCandidateHandler: ResourceHandler<CandidateInputs, CandidateOutputs>;
    let upgradeSessionHandler: ResourceHandler<SessionInputs, SessionOutputs>;
    beforeEach(async () => {
        files = await candidateDir();
        logs = captureLogs();
        env = handlerEnv();
        upgradeCandidateHandler = candidateFactory(env) as ResourceHandler<CandidateInputs, CandidateOutputs>;
        upgradeSessionHandler = sessionFactory(env) as ResourceHandler<SessionInputs, SessionOutputs>;
    });
    afterEach(async () => {
        logs.restore();
        env.clients.close();
        await sim?.stop();
        await files.cleanup();
    });

    async function upload(expectedVersion?: string): Promise<CandidateOutputs> {
        const file = await files.make(TARGET);
        const created = await upgradeCandidateHandler.create({
            __logName: "cand",
            connection: connectionFor(sim),
            file: file.path,
            expectedVersion,
        });
        return created.outs;
    }
    const sessionInputs = (candidate: CandidateOutputs, extra: Record<string, unknown> = {}) => ({
        __logName: "unity-1",
        connection: connectionFor(sim),
        candidateId: candidate.candidateId,
        candidateVersion: candidate.version,
        ...FAST_WAIT,
        ...extra,
    });

    describe("UpgradeCandidate", () => {
        it("uploads, finds the candidate by listing and outputs what the array reports", async () => {
            sim = await startSim();
            const outs = await upload();
            expect(outs).toMatchObject({
                candidateId: sim.candidate!.id,
                version: TARGET,
                type: "Software",
                rebootRequired: true,
                canPauseBeforeReboot: true,
                adopted: false,
            });
            expect(outs.sha256).toBe(sim.candidate!.sha256);
        });

        it("adopts an identical candidate already on the array instead of uploading again", async () => {
            sim = await startSim();
            await upload(TARGET);
            const again = await upload(TARGET);
            expect(again.adopted).toBe(true);
            expect(sim.calls.succeeded("candidate.upload")).toBe(1);
            expect(logs.lines.join("\n")).toContain("adopting it, not uploading again");
        });

        it("fails with the array's message when the file is refused, naming the array and the phase", async () => {
            sim = await startSim();
            const bad = await files.make(TARGET, { valid: false });
            const err = await rejection(upgradeCandidateHandler.create({ connection: connectionFor(sim), file: bad.path }));
            expect(err.message).toContain(`unity array ${sim.url}: uploading the candidate failed`);
            expect(err.message).toContain("signature does not match");
        });

        it("fails when the uploaded candidate has another version than expectedVersion", async () => {
            sim = await startSim();
            const file = await files.make(TARGET);
            const err = await rejection(
                upgradeCandidateHandler.create({ connection: connectionFor(sim), file: file.path, expectedVersion: "5.4.0.0.5.001" }),
            );
            expect(err.message).toContain("expected a candidate with version 5.4.0.0.5.001");
        });

        it("checks inputs at preview with {property, reason}", async () => {
            const result = await upgradeCandidateHandler.check!({}, { file: "/nonexistent/Unity.gpg", expectedVersion: "five" });
            expect(result.failures).toEqual(
                expect.arrayContaining([
                    { property: "expectedVersion", reason: expect.stringContaining("Unity version") },
                    { property: "file", reason: expect.stringContaining("does not exist") },
                ]),
            );
        });

        it("plans a file change as delete-before-replace (the array holds one candidate)", async () => {
            const diff = await upgradeCandidateHandler.diff!("c1", { file: "a.gpg" } as CandidateOutputs, { file: "b.gpg" });
            expect(diff).toEqual({ replaces: ["file"], deleteBeforeReplace: true });
            expect(await upgradeCandidateHandler.diff!("c1", { file: "a.gpg" } as CandidateOutputs, { file: "a.gpg" })).toEqual({});
        });
    });

    describe("UpgradeSession", () => {
        it("checks eligibility, creates one session and waits through the failover to Upgrade_Completed", async () => {
            sim = await startSim();
            const candidate = await upload();
            const { id, outs } = await upgradeSessionHandler.create(sessionInputs(candidate));
            expect(outs).toMatchObject({
                sessionId: id,
                status: "Upgrade_Completed",
                installedVersion: "5.3.0.0",
                previousVersion: "5.2.1.0.5.011",
            });
            expect(sim.sessionsCreated).toBe(1);
            expect(sim.calls.succeeded("session.verify")).toBe(1);
            expect(sim.loginsStarted).toBeGreaterThanOrEqual(2); // the failover forgot the first login
            const text = logs.lines.join("\n");
            expect(text).toContain("eligibility check passed");
            expect(text).toContain("upgrade complete: 5.2.1.0.5.011 → 5.3.0.0");
            expect(text).not.toContain(PASSWORD);
        });

        it("survives a 503 failover as well", async () => {
            sim = await startSim({ failoverMode: "503" });
            const candidate = await upload();
            const { outs } = await upgradeSessionHandler.create(sessionInputs(candidate));
            expect(outs.status).toBe("Upgrade_Completed");
            expect(sim.sessionsCreated).toBe(1);
        });

        it("fails before starting anything when a component is degraded, with the array's messages", async () => {
            sim = await startSim({ degradedComponent: "SP A I/O module 0" });
            const candidate = await upload();
            const err = await rejection(upgradeSessionHandler.create(sessionInputs(candidate)));
            expect(err).not.toBeInstanceOf(ResourceNotReadyError);
            expect(err.message).toContain("eligibility check");
            expect(err.message).toContain("SP A I/O module 0");
            expect(sim.sessionsCreated).toBe(0);
        });

        it("does nothing when the array already runs the candidate's version", async () => {
            sim = await startSim({ version: TARGET });
            const { outs } = await upgradeSessionHandler.create({
                connection: connectionFor(sim),
                candidateId: "candidate_9",
                candidateVersion: TARGET,
                ...FAST_WAIT,
            });
            expect(outs.status).toBe(ALREADY_INSTALLED);
            expect(sim.sessionsCreated).toBe(0);
        });

        it("stops at Upgrade_Paused with a message saying how to continue; resumeAfterPause on the next up completes it", async () => {
            sim = await startSim();
            const candidate = await upload();
            const err = await rejection(upgradeSessionHandler.create(sessionInputs(candidate, { pauseBeforeReboot: true })));
            expect(err).toBeInstanceOf(ResourceNotReadyError);
            expect(err.message).toContain("Upgrade_Paused");
            expect(err.message).toContain("set resumeAfterPause: true");
            const state = (err as ResourceNotReadyError).properties as unknown as SessionOutputs;
            const { outs } = await upgradeSessionHandler.update!(
                state.sessionId,
                state,
                sessionInputs(candidate, { pauseBeforeReboot: true, resumeAfterPause: true }),
            );
            expect(outs.status).toBe("Upgrade_Completed");
            expect(sim.sessionsCreated).toBe(1);
        });

        it("resumes automatically after the pause with resumeAfterPause", async () => {
            sim = await startSim();
            const candidate = await upload();
            const { outs } = await upgradeSessionHandler.create(
                sessionInputs(candidate, { pauseBeforeReboot: true, resumeAfterPause: true }),
            );
            expect(outs.status).toBe("Upgrade_Completed");
            expect(sim.calls.succeeded("session.resume")).toBe(1);
        });

        it.each(["Failed", "Failed_Lock", "Waiting_For_User"] as const)(
            "turns %s into an error with the session's messages, kept in state; the next up resumes the same session",
            async (outcome) => {
                sim = await startSim();
                sim.injectFailure("preinstall", outcome);
                const candidate = await upload();
                const err = await rejection(upgradeSessionHandler.create(sessionInputs(candidate)));
                expect(err).toBeInstanceOf(ResourceNotReadyError);
                expect(err.message).toContain(`Upgrade_${outcome}`);
                expect(err.message).toContain(`unity array ${sim.url} session`);
                expect(err.message).toMatch(/Preinstall/);
                const state = (err as ResourceNotReadyError).properties as unknown as SessionOutputs;
                const { outs } = await upgradeSessionHandler.update!(state.sessionId, state, sessionInputs(candidate));
                expect(outs.status).toBe("Upgrade_Completed");
                expect(sim.sessionsCreated).toBe(1);
                expect(sim.calls.succeeded("session.resume")).toBe(1);
            },
        );

        it("adopts a session already running for the same candidate instead of creating another", async () => {
            sim = await startSim({ timings: { preinstallMs: 300 } });
            const candidate = await upload();
            const first = upgradeSessionHandler.create(sessionInputs(candidate));
            await new Promise((resolve) => setTimeout(resolve, 80));
            const secondProcess = handlerEnv(); // a second provider process: its own clients and locks
            const { outs } = await (sessionFactory(secondProcess) as ResourceHandler<SessionInputs, SessionOutputs>).create(
                sessionInputs(candidate),
            );
            secondProcess.clients.close();
            await first.catch(() => undefined);
            expect(outs.status).toBe("Upgrade_Completed");
            expect(sim.sessionsCreated).toBe(1);
            expect(logs.lines.join("\n")).toContain("adopting session");
        });

        it("refresh reads the status and version back, and keeps the last known state while the array is unreachable", async () => {
            sim = await startSim();
            const candidate = await upload();
            const { id, outs } = await upgradeSessionHandler.create(sessionInputs(candidate));
            const fresh = await upgradeSessionHandler.read!(id, { ...outs, installedVersion: "stale" });
            expect(fresh.props).toMatchObject({ status: "Upgrade_Completed", installedVersion: "5.3.0.0" });
            expect(fresh.inputs).not.toHaveProperty("installedVersion");
            await sim.reboot(5_000);
            // A fake clock for the outage: the retries and the read budget pass without real waiting.
            const fakeEnv = handlerEnv(new FakeClock());
            const offline = await (sessionFactory(fakeEnv) as ResourceHandler<SessionInputs, SessionOutputs>).read!(id, {
                ...outs,
                rebootTimeoutSeconds: 1,
            });
            fakeEnv.clients.close();
            expect(offline.props).toEqual({ ...outs, rebootTimeoutSeconds: 1 });
            expect(logs.lines.join("\n")).toContain("keeping the last known state");
        });

        it("checks inputs with {property, reason}", async () => {
            const result = await upgradeSessionHandler.check!({}, { candidateId: "", candidateVersion: "latest", pollIntervalSeconds: -1 });
            expect(result.failures?.map((f) => f.property).sort()).toEqual(["candidateId", "candidateVersion", "pollIntervalSeconds"]);
        });
    });
});
