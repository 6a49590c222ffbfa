/**
 * `appgate:ApplianceUpgrade` on a fake clock: the handler's {@link FakeClock} drives the simulator's
 * {@link ManualClock}, so the vendor-sized phases (download, verify, install, the reboot) pass in
 * milliseconds of wall time while the one deadline of the operation still counts them.
 */
import { applianceUpgradeHandler, type ApplianceUpgradeInputs } from "../../../provider/appgate/appliance-upgrade-handler";
import { FakeClock } from "../../../provider/core/clock";
import { ResourceNotReadyError } from "../../../provider/core/dynamic";
import { handlerEnv, type HandlerEnv } from "../../../provider/core/env";
import { startAppgateSimulator, type AppgateSimulator } from "../../../simulators/appgate";
import { ManualClock } from "../../../simulators/core";
import { upgradeInputs } from "./helpers";

const TARGET = "6.4.1+40123";
const MINUTE = 60_000;
let sim: AppgateSimulator;
let env: HandlerEnv;
let clock: FakeClock;
let logs: string[];
let spy: jest.SpyInstance;

beforeEach(async () => {
    const simClock = new ManualClock();
    clock = new FakeClock(simClock.now(), (ms) => simClock.advance(ms));
    env = handlerEnv(clock);
    sim = await startAppgateSimulator({
        clock: simClock,
        password: "s3cret-Appgate-pw",
        timings: {
            idleAfterPrepareMs: 0,
            startMs: 10_000,
            downloadMs: 3 * MINUTE,
            verifyMs: MINUTE,
            installMs: 4 * MINUTE,
            rebootMs: 3 * MINUTE,
            cancelMs: 5_000,
        },
    });
    logs = [];
    spy = jest.spyOn(console, "log").mockImplementation((...args: unknown[]) => void logs.push(args.map(String).join(" ")));
});
afterEach(async () => {
    spy.mockRestore();
    env.clients.close();
    await sim.stop();
});

const inputs = (extra: Partial<ApplianceUpgradeInputs> = {}) => upgradeInputs(sim, "gateway-1", TARGET, "s3cret-Appgate-pw", extra);

test("prepare, then complete through a 3-minute reboot, on simulated time with the default budgets", async () => {
    const handler = applianceUpgradeHandler(env);
    const start = clock.now();
    const prepared = await handler.create(inputs());
    expect(prepared.outs).toMatchObject({ phase: "prepared", upgradeStatus: "ready" });
    const completed = await handler.update!(prepared.id, prepared.outs, inputs({ stage: "complete" }));
    expect(completed.outs).toMatchObject({ phase: "completed", runningVersion: TARGET, volumeNumber: 2, previousVolumeNumber: 1 });
    expect(sim.applianceCalls("gateway-1")).toMatchObject({ prepare: 1, complete: 1 });
    expect(clock.now() - start).toBeGreaterThan(10 * MINUTE); // the vendor-sized phases passed, in simulated time
});

test("waitTimeoutSeconds is one deadline for the whole operation: prepare and complete share it", async () => {
    const handler = applianceUpgradeHandler(env);
    const start = clock.now();
    // 6 minutes cover the prepare (about 4) but not prepare plus install plus reboot (about 11).
    const err = await handler.create(inputs({ stage: "complete", waitTimeoutSeconds: 360 })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ResourceNotReadyError);
    expect((err as ResourceNotReadyError).properties).toMatchObject({
        phase: "failed",
        preparedImage: expect.stringContaining("6.4.1-40123"),
    });
    expect(clock.now() - start).toBeGreaterThanOrEqual(6 * MINUTE);
    expect(clock.now() - start).toBeLessThan(6 * MINUTE + 1_000);
});
