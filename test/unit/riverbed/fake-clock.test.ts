/**
 * The Riverbed handlers on a fake clock: the handler's {@link FakeClock} drives the simulator's
 * {@link ManualClock}, so the vendor's real durations (minutes of validation, a 15-minute install, a
 * 3-minute reboot) pass in milliseconds of wall time while every deadline still counts them.
 */
import { FakeClock } from "../../../provider/core/clock";
import { ResourceNotReadyError } from "../../../provider/core/dynamic";
import { handlerEnv, type HandlerEnv } from "../../../provider/core/env";
import { systemUpdateHandler } from "../../../provider/riverbed/system-update-handler";
import { upgradeImageHandler } from "../../../provider/riverbed/upgrade-image-handler";
import { ManualClock } from "../../../simulators/core";
import { startRiverbedSimulator, type RiverbedSimulator } from "../../../simulators/riverbed";
import { captureLogs, connectionFor, imageDir, PASSWORD, USERNAME } from "./helpers";

let sim: RiverbedSimulator;
let env: HandlerEnv;
let clock: FakeClock;
let images: Awaited<ReturnType<typeof imageDir>>;
let logs: ReturnType<typeof captureLogs>;

beforeAll(async () => {
    images = await imageDir();
});
afterAll(() => images.cleanup());
beforeEach(async () => {
    const simClock = new ManualClock();
    clock = new FakeClock(simClock.now(), (ms) => simClock.advance(ms));
    env = handlerEnv(clock);
    // The vendor's own durations (simulator defaults), not test-sized ones.
    sim = await startRiverbedSimulator({ username: USERNAME, password: PASSWORD, clock: simClock });
    logs = captureLogs();
});
afterEach(async () => {
    logs.restore();
    env.clients.close();
    await sim.stop();
});

test("an image is uploaded and validated, then installed through the reboot, on simulated time", async () => {
    const file = await images.make("11.7.0 #24010");
    const start = clock.now();
    const image = await upgradeImageHandler(env).create({
        __logName: "img",
        connection: connectionFor(sim),
        file: file.path,
        expectedSha256: file.sha256,
    });
    expect(image.outs).toMatchObject({ state: "VALID", version: "11.7.0 #24010" });
    const update = await systemUpdateHandler(env).create({
        __logName: "upd",
        connection: connectionFor(sim),
        imageId: image.id,
        targetVersion: image.outs.version,
    });
    expect(update.outs).toMatchObject({ installedVersion: "11.7.0 #24010", previousVersion: "11.6.0 #23947", state: "IDLE" });
    expect(sim.calls.received("update.start")).toBe(1);
    const simulatedMinutes = (clock.now() - start) / 60_000;
    expect(simulatedMinutes).toBeGreaterThan(3); // at least the reboot window passed, in simulated time
    expect(logs.lines.some((l) => l.startsWith("[upd] updating to 11.7.0 #24010: unreachable"))).toBe(true);
    expect(logs.lines.some((l) => l.startsWith("[upd] updating to 11.7.0 #24010: reachable again after"))).toBe(true);
});

test("waitTimeoutSeconds is one deadline for the whole update, reboot included", async () => {
    const file = await images.make("11.7.0 #24010");
    const image = await upgradeImageHandler(env).create({
        __logName: "img",
        connection: connectionFor(sim),
        file: file.path,
        expectedSha256: file.sha256,
    });
    const start = clock.now();
    const err = await systemUpdateHandler(env)
        .create({ __logName: "upd", connection: connectionFor(sim), imageId: image.id, targetVersion: "11.7.0", waitTimeoutSeconds: 120 })
        .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ResourceNotReadyError);
    // The last wait got what was left of the one deadline, not a fresh budget of its own.
    expect((err as Error).message).toMatch(/to reach COMPLETED: last state RUNNING .* \(budget 1m\d\ds\)$/);
    expect((err as ResourceNotReadyError).properties).toMatchObject({ state: "RUNNING" });
    // One deadline: the whole create, every phase included, ended at 120 s of simulated time.
    expect(clock.now() - start).toBeGreaterThanOrEqual(120_000);
    expect(clock.now() - start).toBeLessThan(121_000);
});

test("a fleet: the second device updated to the same version in one process polls thinly until the first one's duration", async () => {
    /** One device: upload, validate and update on its own simulator; returns its update reads and how long the update took. */
    const upgradeOne = async (device: RiverbedSimulator, deviceEnv: HandlerEnv, deviceClock: FakeClock) => {
        const file = await images.make("11.7.0 #24010");
        const connection = connectionFor(device);
        const image = await upgradeImageHandler(deviceEnv).create({
            __logName: "img",
            connection,
            file: file.path,
            expectedSha256: file.sha256,
        });
        const before = device.calls.received("update.get");
        const start = deviceClock.now();
        const update = await systemUpdateHandler(deviceEnv).create({
            __logName: "upd",
            connection,
            imageId: image.id,
            targetVersion: image.outs.version,
        });
        expect(update.outs).toMatchObject({ installedVersion: "11.7.0 #24010" });
        return { reads: device.calls.received("update.get") - before, ms: deviceClock.now() - start };
    };
    // A 20-minute install, as on a real appliance (the simulator's default is 2 minutes).
    const timings = { runningMs: 20 * 60_000 };
    await sim.stop();
    const simClock1 = new ManualClock();
    const clock1 = new FakeClock(simClock1.now(), (ms) => simClock1.advance(ms));
    const env1 = handlerEnv(clock1);
    const sim1 = await startRiverbedSimulator({ username: USERNAME, password: PASSWORD, clock: simClock1, timings });
    let first: { reads: number; ms: number };
    try {
        first = await upgradeOne(sim1, env1, clock1);
    } finally {
        env1.clients.close();
        await sim1.stop();
    }

    const simClock2 = new ManualClock();
    const clock2 = new FakeClock(simClock2.now(), (ms) => simClock2.advance(ms));
    const env2 = handlerEnv(clock2, env1.durations); // the same provider process: what it learned carries over
    const sim2 = await startRiverbedSimulator({ username: USERNAME, password: PASSWORD, clock: simClock2, timings });
    try {
        const second = await upgradeOne(sim2, env2, clock2);
        expect(second.reads).toBeLessThan(first.reads / 2);
        // Its end is seen no later than the first device's (same simulated durations), within the usual 40 s ceiling.
        expect(second.ms).toBeLessThanOrEqual(first.ms + 40_000);
    } finally {
        env2.clients.close();
        await sim2.stop();
    }
});
