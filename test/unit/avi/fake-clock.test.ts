/**
 * The Avi handlers on a fake clock: the simulator runs its real-world default durations (minutes per
 * task, a three-minute reboot) on a manual clock that the handler's FakeClock drives, so a
 * 40-minute upgrade with a 15-minute session idle timeout runs in well under a second.
 */
import { FakeClock } from "../../../provider/core/clock";
import { ResourceNotReadyError, type ResourceHandler } from "../../../provider/core/dynamic";
import { handlerEnv, type HandlerEnv } from "../../../provider/core/env";
import { controllerImageHandler, type ImageInputs, type ImageOutputs } from "../../../provider/avi/controller-image-handler";
import { controllerUpgradeHandler, type UpgradeInputs, type UpgradeOutputs } from "../../../provider/avi/controller-upgrade-handler";
import { ManualClock } from "../../../simulators/core/clock";
import { startAviSimulator, type AviSimulator } from "../../../simulators/avi";
import { packageFile } from "./sim-helpers";

let sim: AviSimulator;
let env: HandlerEnv;
let clock: FakeClock;
let logSpy: jest.SpyInstance;

beforeEach(async () => {
    const simClock = new ManualClock(Date.UTC(2026, 0, 1));
    clock = new FakeClock(simClock.now(), (ms) => simClock.advance(ms));
    env = handlerEnv(clock);
    sim = await startAviSimulator({ clock: simClock, settings: { sessionIdleMs: 15 * 60_000 } });
    logSpy = jest.spyOn(console, "log").mockImplementation(() => undefined);
});
afterEach(async () => {
    logSpy.mockRestore();
    env.clients.close();
    await sim.stop();
});

const connection = () => ({ endpoint: sim.url, username: sim.username, password: sim.password });

test("a system upgrade at real-world durations: every record COMPLETED, one start, the clock moved by tens of minutes", async () => {
    const pkg = await packageFile({ version: "22.1.7" });
    const images = controllerImageHandler(env) as ResourceHandler<ImageInputs, ImageOutputs>;
    const upgrades = controllerUpgradeHandler(env) as ResourceHandler<UpgradeInputs, UpgradeOutputs>;
    const start = clock.now();
    const { outs: image } = await images.create({ connection: connection(), file: pkg.path, pollIntervalSeconds: 5 });
    expect(image.state).toBe("IMAGE_FSM_COMPLETED");
    const { outs } = await upgrades.create({ connection: connection(), imageUuid: image.uuid, prechecks: true, pollIntervalSeconds: 10 });
    expect(outs.records.map((r) => [r.state, r.version])).toEqual([
        ["UPGRADE_FSM_COMPLETED", pkg.tag],
        ["UPGRADE_FSM_COMPLETED", pkg.tag],
        ["UPGRADE_FSM_COMPLETED", pkg.tag],
    ]);
    expect(sim.calls.succeeded("upgrade.start")).toBe(2); // prechecks, then the upgrade
    const elapsedMinutes = (clock.now() - start) / 60_000;
    expect(elapsedMinutes).toBeGreaterThan(10); // 6 controller tasks, a reboot, 8 SE group tasks
    expect(elapsedMinutes).toBeLessThan(60);
});

test("waitTimeoutSeconds is one deadline for the whole operation: running out keeps the resource, the next update resumes", async () => {
    const pkg = await packageFile({ version: "22.1.7" });
    const images = controllerImageHandler(env) as ResourceHandler<ImageInputs, ImageOutputs>;
    const upgrades = controllerUpgradeHandler(env) as ResourceHandler<UpgradeInputs, UpgradeOutputs>;
    const { outs: image } = await images.create({ connection: connection(), file: pkg.path, pollIntervalSeconds: 5 });
    const failure = await upgrades
        .create({ connection: connection(), imageUuid: image.uuid, waitTimeoutSeconds: 600, pollIntervalSeconds: 10 })
        .catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(ResourceNotReadyError);
    expect((failure as Error).message).toMatch(/10m/);
    const partial = (failure as ResourceNotReadyError).properties as UpgradeOutputs;
    const { outs } = await upgrades.update!(sim.clusterUuid, partial, { ...partial, waitTimeoutSeconds: 3600 });
    expect(outs.state).toBe("COMPLETED");
    expect(sim.calls.succeeded("upgrade.start")).toBe(1);
});
