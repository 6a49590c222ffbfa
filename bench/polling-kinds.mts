/**
 * The waiting resource kinds of `bench/polling.mts`: for each, a simulator on a recording manual
 * clock whose phases add up to about `opMs`, and the handler call that waits for the operation.
 * Everything runs on the fake clock: a 30-minute operation takes milliseconds of wall time.
 */
import { createRequire } from "node:module";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type * as Simulators from "../bin/simulators/index.js";

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const bin = (path: string) => join(here, "../bin", path);
const sims = require(bin("simulators/index.js")) as typeof Simulators;
const { ManualClock } = sims;
const { FakeClock } = require(bin("provider/core/clock.js"));
const { handlerEnv } = require(bin("provider/core/env.js"));
const { LearnedDurations } = require(bin("provider/core/learned-durations.js"));

/** Durations learned in one provider process; a fleet sequence shares one across its runs. */
export type Durations = InstanceType<typeof LearnedDurations>;
export const newDurations = (): Durations => new LearnedDurations();

const SECOND = 1_000;
const MINUTE = 60_000;

/**
 * A manual clock that remembers when each simulator timer fired: the simulators move a device from
 * one state to the next on such timers, so the last one that fired before the handler's final poll is
 * the moment the operation flipped to done.
 */
export class RecordingManualClock extends ManualClock {
    readonly fired: number[] = [];
    override setTimer(delayMs: number, callback: () => void) {
        return super.setTimer(delayMs, () => {
            this.fired.push(this.now());
            callback();
        });
    }
}

/** One prepared run of one kind: call `run` to make the handler wait for the operation. */
export interface Prepared {
    simClock: RecordingManualClock;
    clock: { now(): number };
    /** The simulator's per-operation counters (status GETs are counted from them). */
    calls: { snapshot(): Record<string, { received: number }> };
    run(): Promise<unknown>;
    close(): Promise<void>;
}

export interface Kind {
    name: string;
    /** What the vendor reports that can pace the polls. */
    hints: string;
    /** Whether the handler passes learned durations to its wait (kinds without a usable vendor hint). */
    learns: boolean;
    /** Simulator operations that are status reads. */
    statusOps: readonly string[];
    /** `durations`: the provider process's learned durations (fresh, or shared along a fleet sequence). */
    prepare(opMs: number, tmp: string, durations: Durations): Promise<Prepared>;
}

/** A simulator's side of a run: its counters and how to stop it. */
interface BenchSimulator {
    calls: Prepared["calls"];
    stop(): Promise<void>;
}

/**
 * The clocks and handler environment of one run, and `prepared`, which ties a started simulator and
 * the handler call that waits into the run (closing the handler's clients, then the simulator).
 */
function clocks(durations: Durations, start = Date.UTC(2026, 0, 1)) {
    const simClock = new RecordingManualClock(start);
    const clock = new FakeClock(simClock.now(), (ms: number) => simClock.advance(ms));
    const env = handlerEnv(clock, durations);
    const prepared = (sim: BenchSimulator, run: () => Promise<unknown>): Prepared => ({
        simClock,
        clock,
        calls: sim.calls,
        run,
        close: async () => (env.clients.close(), sim.stop()),
    });
    return { simClock, env, prepared };
}

/** Every run gets a 2-hour budget, so a 34-minute operation fits even where the default is 30 minutes. */
const quiet = { __logName: "bench", waitTimeoutSeconds: 7_200 };

const RIVERBED = { username: "bench", password: "Bench-polling-pw-1" };
async function riverbedImageFile(tmp: string, version: string) {
    // One image file for the whole fleet, as an operator would use (the learned-duration key names it).
    return sims.makeRiverbedImage({ version, sizeBytes: 64 * 1024, path: join(tmp, `rvbd-${version.replace(/\W+/g, "-")}.img`) });
}

const riverbedImage: Kind = {
    name: "riverbed:UpgradeImage",
    learns: true,
    hints: "none",
    statusOps: ["images.get", "images.list"],
    async prepare(opMs, tmp, durations) {
        const { simClock, env, prepared } = clocks(durations);
        const sim = await sims.startRiverbedSimulator({ ...RIVERBED, clock: simClock, timings: { validateMs: opMs } });
        const file = await riverbedImageFile(tmp, "11.7.0 #24010");
        const handler = require(bin("provider/riverbed/upgrade-image-handler.js")).upgradeImageHandler(env);
        const connection = { endpoint: sim.url, ...RIVERBED };
        return prepared(sim, () => handler.create({ ...quiet, connection, file: file.path, expectedSha256: file.sha256 }));
    },
};

const riverbedUpdate: Kind = {
    name: "riverbed:SystemUpdate",
    learns: true,
    hints: "none",
    statusOps: ["update.get"],
    async prepare(opMs, tmp, durations) {
        const { simClock, env, prepared } = clocks(durations);
        const rebootMs = 3 * MINUTE;
        const timings = { validateMs: SECOND, initMs: 30 * SECOND, runningMs: opMs - 30 * SECOND - rebootMs, rebootMs };
        const sim = await sims.startRiverbedSimulator({ ...RIVERBED, clock: simClock, timings });
        const file = await riverbedImageFile(tmp, "11.7.0 #24010");
        const connection = { endpoint: sim.url, ...RIVERBED };
        const image = await require(bin("provider/riverbed/upgrade-image-handler.js"))
            .upgradeImageHandler(env)
            .create({ ...quiet, connection, file: file.path, expectedSha256: file.sha256 });
        const handler = require(bin("provider/riverbed/system-update-handler.js")).systemUpdateHandler(env);
        return prepared(sim, () => handler.create({ ...quiet, connection, imageId: image.id, targetVersion: image.outs.version }));
    },
};

const appgateUpgrade: Kind = {
    name: "appgate:ApplianceUpgrade",
    learns: true,
    hints: "none",
    statusOps: ["upgrade.get", "change.get", "appliances.status", "appliances.get"],
    async prepare(opMs, _tmp, durations) {
        const { simClock, env, prepared } = clocks(durations);
        const fixed = { startMs: 10 * SECOND, verifyMs: MINUTE, installMs: 4 * MINUTE, rebootMs: 3 * MINUTE };
        const downloadMs = opMs - Object.values(fixed).reduce((a, b) => a + b, 0);
        const password = "Bench-Appgate-pw-1";
        const sim = await sims.startAppgateSimulator({
            clock: simClock,
            password,
            timings: { idleAfterPrepareMs: 0, cancelMs: 5_000, downloadMs, ...fixed },
        });
        const handler = require(bin("provider/appgate/appliance-upgrade-handler.js")).applianceUpgradeHandler(env);
        const target = "6.4.1+40123";
        const inputs = {
            ...quiet,
            connection: { endpoint: sim.adminUrl, username: "admin", password },
            applianceId: sim.appliance("gateway-1").id,
            imageUrl: sim.imageUrl(target),
            targetVersion: target,
            stage: "complete",
        };
        return prepared(sim, () => handler.create(inputs));
    },
};

const unitySession: Kind = {
    name: "unity:UpgradeSession",
    learns: false,
    hints: "progress %, estRemainTime",
    statusOps: ["session.get"],
    async prepare(opMs, tmp, durations) {
        const { simClock, env, prepared } = clocks(durations);
        const d = sims.DEFAULT_UNITY_TIMINGS;
        const others = d.prepareMs + d.healthCheckMs + d.primaryRebootMs + d.peerRebootMs + d.postMs;
        const username = "bench";
        const password = "Bench-Unity-pw-1";
        const sim = await sims.startUnitySimulator({
            clock: simClock,
            username,
            password,
            version: "5.2.1.0.5.011",
            failoverMode: "503",
            timings: { ...d, preinstallMs: Math.max(MINUTE, opMs - others) },
        });
        const file = await sims.makeUnityCandidate({
            version: "5.3.0.0.5.120",
            sizeBytes: 96 * 1024,
            path: join(tmp, "Unity-5.3.0.0.5.120.gpg"),
        });
        const connection = { endpoint: sim.url, username, password };
        const candidate = await require(bin("provider/unity/upgrade-candidate-handler.js"))
            .upgradeCandidateHandler(env)
            .create({ connection, file: file.path });
        const handler = require(bin("provider/unity/upgrade-session-handler.js")).upgradeSessionHandler(env);
        const inputs = { ...quiet, connection, candidateId: candidate.outs.candidateId, candidateVersion: candidate.outs.version };
        return prepared(sim, () => handler.create(inputs));
    },
};

async function aviSim(simClock: InstanceType<typeof RecordingManualClock>, timings: Record<string, number>) {
    return sims.startAviSimulator({
        clock: simClock,
        timings: { ...sims.DEFAULT_AVI_TIMINGS, ...timings },
        settings: { sessionIdleMs: 15 * MINUTE },
    });
}

const aviImage: Kind = {
    name: "avi:ControllerImage",
    learns: true,
    hints: "progress %, moves only at state changes",
    statusOps: ["images.get"],
    async prepare(opMs, tmp, durations) {
        const { simClock, env, prepared } = clocks(durations);
        const sim = await aviSim(simClock, { imageProcessMs: opMs });
        const pkg = { path: join(tmp, "controller.pkg") };
        await sims.makeAviPackage(pkg.path, { version: "22.1.7" });
        const handler = require(bin("provider/avi/controller-image-handler.js")).controllerImageHandler(env);
        const connection = { endpoint: sim.url, username: sim.username, password: sim.password };
        return prepared(sim, () => handler.create({ ...quiet, connection, file: pkg.path }));
    },
};

const aviUpgrade: Kind = {
    name: "avi:ControllerUpgrade",
    learns: false,
    hints: "progress %, task counters",
    statusOps: ["usi.get", "usi.list", "usi.summary", "segroups.list", "cluster.get", "cluster.status", "cluster.runtime"],
    async prepare(opMs, tmp, durations) {
        const { simClock, env, prepared } = clocks(durations);
        const d = sims.DEFAULT_AVI_TIMINGS;
        // 6 controller tasks, the reboot and the warm-up, then 8 SE-group tasks fill the rest.
        const seGroupTaskMs = Math.max(SECOND, (opMs - 6 * d.controllerTaskMs - d.rebootMs - d.warmupMs) / 8);
        const sim = await aviSim(simClock, { imageProcessMs: 5 * SECOND, seGroupTaskMs });
        const pkg = { path: join(tmp, "controller.pkg") };
        await sims.makeAviPackage(pkg.path, { version: "22.1.7" });
        const connection = { endpoint: sim.url, username: sim.username, password: sim.password };
        const image = await require(bin("provider/avi/controller-image-handler.js"))
            .controllerImageHandler(env)
            .create({ ...quiet, connection, file: pkg.path });
        const handler = require(bin("provider/avi/controller-upgrade-handler.js")).controllerUpgradeHandler(env);
        return prepared(sim, () => handler.create({ ...quiet, connection, imageUuid: image.outs.uuid }));
    },
};

const avisiUpgrade: Kind = {
    name: "avisi:ScheduledClusterUpgrade",
    learns: true,
    hints: "window start",
    statusOps: ["upgrades.get"],
    async prepare(opMs, _tmp, durations) {
        // Created 10 minutes before the default window (Tuesday 02:00 UTC); the upgrade runs opMs in it.
        const { simClock, env, prepared } = clocks(durations, Date.parse("2026-12-08T01:50:00Z"));
        const token = "pat-Bench-4711-avisi";
        const sim = await sims.startAvisiSimulator({ token, clock: simClock, timings: { ...sims.DEFAULT_AVISI_TIMINGS, upgradeMs: opMs } });
        const handler = require(bin("provider/avisi/scheduled-cluster-upgrade-handler.js")).scheduledClusterUpgradeHandler(env);
        const inputs = {
            ...quiet,
            connection: { endpoint: sim.url, token, organisation: sim.organisation },
            environment: "production",
            cluster: "k8s-prod",
            version: "1.31.10",
            waitFor: "SUCCEEDED",
        };
        return prepared(sim, () => handler.create(inputs));
    },
};

export const KINDS: readonly Kind[] = [riverbedImage, riverbedUpdate, appgateUpgrade, unitySession, aviImage, aviUpgrade, avisiUpgrade];

export async function withTempDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
    const dir = await mkdtemp(join(tmpdir(), "bench-polling-"));
    try {
        return await fn(dir);
    } finally {
        await rm(dir, { recursive: true, force: true });
    }
}
