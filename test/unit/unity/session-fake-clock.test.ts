/**
 * A realistic upgrade (the simulator's default task durations, about 29 minutes including a 10-minute
 * management failover answered with 503s) with the resource's default wait inputs, on a fake clock
 * shared by the handler and the simulator: the test runs in well under a second of real time.
 */
import { FakeClock } from "../../../provider/core/clock";
import type { ResourceHandler } from "../../../provider/core/dynamic";
import { handlerEnv, type HandlerEnv } from "../../../provider/core/env";
import { DEFAULT_MAX_HINTED_DELAY_MS } from "../../../provider/core/waiter";
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
    /** Every `session.get` the array received: when, and whether it was answered (2xx) or not (503 in the failover). */
    let sessionGets: { at: number; answered: boolean }[];

    beforeEach(async () => {
        const simClock = new ManualClock(Date.UTC(2026, 0, 1));
        sessionGets = [];
        let seen = { received: 0, succeeded: 0 };
        // Before each advance, note the session reads made at the current instant (the handler's polls).
        clock = new FakeClock(simClock.now(), (ms) => {
            const now = { received: sim.calls.received("session.get"), succeeded: sim.calls.succeeded("session.get") };
            for (let i = seen.received; i < now.received; i++) {
                sessionGets.push({ at: simClock.now(), answered: i - seen.received < now.succeeded - seen.succeeded });
            }
            seen = now;
            simClock.advance(ms);
        });
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

    it("completes a 29-minute upgrade through a 10-minute 503 failover, polls paced by the array's estimate: thin far from the end, thick near it", async () => {
        const started = clock.now();
        const { outs } = await handler().create(inputs());
        const finished = clock.now();
        expect(outs).toMatchObject({ status: "Upgrade_Completed", installedVersion: "5.3.0.0", previousVersion: "5.2.1.0.5.011" });
        expect(finished - started).toBeGreaterThanOrEqual(TOTAL_MS);
        // The finish is seen promptly: within the usual poll ceiling (4 × the 15 s floor, at most 30 s) of the last task's end.
        const ceilingMs = Math.min(30_000, 4 * UNITY_SESSION_DEFAULTS.pollIntervalSeconds * 1000);
        expect(finished - started - TOTAL_MS).toBeLessThanOrEqual(ceilingMs);

        // Far fewer reads than a 15–30 s cadence (≥ 35 answered reads over the 19 minutes the array is up): the
        // estimate stretches the delays up to the waiter's 120 s cap, also through the failover (no read retried
        // inside the HTTP session), so the whole upgrade costs about one read a minute.
        const answered = sessionGets.filter((g) => g.answered);
        expect(sim.calls.succeeded("session.get")).toBe(answered.length + 1); // + the final read, made after the last advance
        expect(sessionGets.length + 1).toBeLessThanOrEqual(Math.ceil(TOTAL_MS / 60_000));
        // The failover costs one read per waiter poll: the 503s are not retried inside the HTTP session.
        const failed = sessionGets.filter((g) => !g.answered).map((g) => g.at);
        expect(failed.length).toBeGreaterThan(0);
        for (let i = 1; i < failed.length; i++) expect(failed[i] - failed[i - 1]).toBeGreaterThanOrEqual(60_000);
        // Thin far from the end: in the first half, reads at least a minute apart (never more than the 120 s cap).
        const gaps = sessionGets.slice(1).map((g, i) => ({ at: g.at - started, gapMs: g.at - sessionGets[i].at, answered: g.answered }));
        const firstHalf = gaps.filter((g) => g.at < TOTAL_MS / 2 && g.answered);
        expect(firstHalf.length).toBeGreaterThan(0);
        expect(Math.min(...firstHalf.slice(1).map((g) => g.gapMs))).toBeGreaterThanOrEqual(60_000);
        expect(Math.max(...gaps.map((g) => g.gapMs))).toBeLessThanOrEqual(DEFAULT_MAX_HINTED_DELAY_MS);
        // Thick near it: the last three delays before the finish are within the usual ceiling.
        const lastGaps = [...sessionGets.slice(-2).map((g) => g.at), finished].map((at, i, all) => (i ? at - all[i - 1] : 0)).slice(1);
        for (const gap of lastGaps) expect(gap).toBeLessThanOrEqual(ceilingMs);

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
