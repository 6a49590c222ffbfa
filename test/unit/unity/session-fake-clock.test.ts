/**
 * A realistic upgrade (the simulator's default task durations, about 29 minutes including a 10-minute
 * management failover answered with 503s) with the resource's default wait inputs, on a fake clock
 * shared by the handler and the simulator: the test runs in well under a second of real time.
 */
import { FakeClock } from "../../../provider/core/clock";
import type { ResourceHandler } from "../../../provider/core/dynamic";
import { handlerEnv, type HandlerEnv } from "../../../provider/core/env";
import { upgradeCandidateHandler, type CandidateInputs, type CandidateOutputs } from "../../../provider/unity/upgrade-candidate-handler";
import {
    UNITY_SESSION_DEFAULTS,
    upgradeSessionHandler,
    type SessionInputs,
    type SessionOutputs,
} from "../../../provider/unity/upgrade-session-handler";
import { ManualClock } from "../../../simulators/core";
import { DEFAULT_UNITY_TIMINGS, startUnitySimulator, type UnitySimulator } from "../../../simulators/unity";
import { captureLogs, rejection } from "../riverbed/helpers";
import { candidateDir, connectionFor, PASSWORD, USERNAME } from "./helpers";

const TOTAL_MS = Object.values(DEFAULT_UNITY_TIMINGS).reduce((a, b) => a + b, 0);

describe("unity:UpgradeSession on a fake clock (default durations and inputs)", () => {
    let sim: UnitySimulator;
    let clock: FakeClock;
    let env: HandlerEnv;
    let files: Awaited<ReturnType<typeof candidateDir>>;
    let logs: ReturnType<typeof captureLogs>;
    let candidate: CandidateOutputs;

    beforeEach(async () => {
        const simClock = new ManualClock(Date.UTC(2026, 0, 1));
        clock = new FakeClock(simClock.now(), (ms) => simClock.advance(ms));
        env = handlerEnv(clock);
        sim = await startUnitySimulator({
            clock: simClock,
            username: USERNAME,
            password: PASSWORD,
            version: "5.2.1.0.5.011",
            failoverMode: "503",
        });
        files = await candidateDir();
        logs = captureLogs();
        const file = await files.make("5.3.0.0.5.120");
        const handler = upgradeCandidateHandler(env) as ResourceHandler<CandidateInputs, CandidateOutputs>;
        candidate = (await handler.create({ connection: connectionFor(sim), file: file.path })).outs;
    });
    afterEach(async () => {
        logs.restore();
        env.clients.close();
        await sim.stop();
        await files.cleanup();
    });

    const handler = () => upgradeSessionHandler(env) as ResourceHandler<SessionInputs, SessionOutputs>;
    const inputs = (extra: Partial<SessionInputs> = {}): SessionInputs => ({
        __logName: "unity-1",
        connection: connectionFor(sim),
        candidateId: candidate.candidateId,
        candidateVersion: candidate.version,
        ...extra,
    });

    it("completes a 29-minute upgrade through a 10-minute 503 failover, with polls paced by the array's estimate", async () => {
        const started = clock.now();
        const { outs } = await handler().create(inputs());
        expect(outs).toMatchObject({ status: "Upgrade_Completed", installedVersion: "5.3.0.0", previousVersion: "5.2.1.0.5.011" });
        expect(clock.now() - started).toBeGreaterThanOrEqual(TOTAL_MS);
        // Answered polls: floor 15 s, backing off to 30 s, none while management is down.
        const answered = sim.calls.succeeded("session.get");
        const upMs = TOTAL_MS - DEFAULT_UNITY_TIMINGS.primaryRebootMs;
        expect(answered).toBeGreaterThanOrEqual(Math.floor(upMs / 30_000) - 2);
        expect(answered).toBeLessThanOrEqual(Math.ceil(upMs / (UNITY_SESSION_DEFAULTS.pollIntervalSeconds * 1000)) + 4);
        expect(sim.sessionsCreated).toBe(1);
        expect(sim.loginsStarted).toBe(2); // before the failover, and once after it
        const text = logs.lines.join("\n");
        expect(text).toMatch(/session Upgrade_1: unreachable \(.*503.*\); treating it as a reboot, waiting up to 30m00s/);
        expect(text).toMatch(/session Upgrade_1: reachable again after \d+m\d\ds/);
        expect(text).toContain("Upgrade_In_Progress: Post-upgrade tasks");
        // One line per task, not one per poll (plus a heartbeat a minute).
        expect(logs.lines.filter((l) => l.includes("Upgrade_In_Progress: Preinstall"))).toHaveLength(1);
    });

    it("fails with the last state and the budget when waitTimeoutSeconds is shorter than the upgrade; the session stays", async () => {
        const err = await rejection(handler().create(inputs({ waitTimeoutSeconds: 600 })));
        expect(err.name).toBe("ResourceNotReadyError");
        expect(err.message).toMatch(/timed out waiting for .* session Upgrade_1 .*last state Upgrade_In_Progress/);
        expect(err.message).toContain("budget 10m00s");
        expect(sim.sessionsCreated).toBe(1);
    });
});
