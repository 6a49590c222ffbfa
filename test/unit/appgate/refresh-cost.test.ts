/**
 * What a refresh of many `appgate:ApplianceUpgrade` resources behind one controller costs: each read
 * is one round (the appliance, its upgrade status) and the status list is fetched once for all the
 * reads of the controller (core/shared-read.ts), not once per appliance. Waits and reads after an
 * action still see the controller's current list.
 */
import {
    applianceUpgradeHandler,
    type ApplianceUpgradeInputs,
    type ApplianceUpgradeOutputs,
} from "../../../provider/appgate/appliance-upgrade-handler";
import { AppgateClient } from "../../../provider/appgate/client";
import { resolveConnection } from "../../../provider/appgate/connection";
import { FakeClock } from "../../../provider/core/clock";
import type { ResourceHandler } from "../../../provider/core/dynamic";
import { handlerEnv, type HandlerEnv } from "../../../provider/core/env";
import { SHARED_READ_TTL_MS } from "../../../provider/core/shared-read";
import { startAppgateSimulator, type AppgateSimulator } from "../../../simulators/appgate";
import { ManualClock } from "../../../simulators/core";
import { FAST, upgradeInputs } from "./helpers";

const TARGET = "6.4.1+40123";
const PASSWORD = "s3cret-Appgate-pw";
const GATEWAYS = 12;

let env: HandlerEnv;
let clock: FakeClock;
let handler: ResourceHandler<ApplianceUpgradeInputs, ApplianceUpgradeOutputs>;
let sim: AppgateSimulator;

beforeEach(async () => {
    const simClock = new ManualClock();
    clock = new FakeClock(simClock.now(), (ms) => simClock.advance(ms));
    env = handlerEnv(clock);
    handler = applianceUpgradeHandler(env);
    sim = await startAppgateSimulator({
        timings: FAST,
        clock: simClock,
        password: PASSWORD,
        appliances: [
            { name: "controller-1", role: "controller" },
            ...Array.from({ length: GATEWAYS }, (_, i) => ({ name: `gw-${i + 1}`, role: "gateway" as const })),
        ],
    });
    jest.spyOn(console, "log").mockImplementation(() => undefined);
});
afterEach(async () => {
    jest.restoreAllMocks();
    env.clients.close();
    await sim.stop();
});

function inputs(name: string): ApplianceUpgradeInputs {
    return upgradeInputs(sim, name, TARGET, PASSWORD, {
        stage: "prepare",
        pollIntervalSeconds: 0.02,
        waitTimeoutSeconds: 60,
        rebootTimeoutSeconds: 20,
    });
}

/** Requests the controller received per operation since `before`. */
function callsSince(before: Record<string, { received: number }>): Record<string, number> {
    const now = sim.calls.snapshot();
    return Object.fromEntries(
        Object.entries(now)
            .map(([op, s]) => [op, s.received - (before[op]?.received ?? 0)] as const)
            .filter(([, n]) => n > 0),
    );
}

const names = Array.from({ length: GATEWAYS }, (_, i) => `gw-${i + 1}`);

it(`refreshing ${GATEWAYS} appliances at once fetches the status list once, and each appliance and its upgrade status once`, async () => {
    const states: ApplianceUpgradeOutputs[] = [];
    for (const name of names) states.push((await handler.create(inputs(name))).outs);
    expect(states.map((s) => s.phase)).toEqual(Array(GATEWAYS).fill("prepared"));

    const before = sim.calls.snapshot();
    const reads = await Promise.all(states.map((s) => handler.read!(s.applianceId, s)));
    expect(reads.map((r) => r.props?.upgradeStatus)).toEqual(Array(GATEWAYS).fill("ready"));
    expect(reads.map((r) => r.props?.runningVersion)).toEqual(Array(GATEWAYS).fill("6.3.2+36260"));
    expect(callsSince(before)).toEqual({ "appliances.get": GATEWAYS, "appliances.status": 1, "upgrade.get": GATEWAYS });
});

it("a read after the reuse window, or after an action on the controller, fetches the list again", async () => {
    const state = (await handler.create(inputs("gw-1"))).outs;
    const client = AppgateClient.for(resolveConnection(inputs("gw-1").connection), env);
    const listFetches = () => sim.calls.snapshot()["appliances.status"]?.received ?? 0;

    await handler.read!(state.applianceId, state);
    const afterFirst = listFetches();
    await handler.read!(state.applianceId, state);
    expect(listFetches()).toBe(afterFirst); // reused within the window

    clock.advance(SHARED_READ_TTL_MS);
    await handler.read!(state.applianceId, state);
    expect(listFetches()).toBe(afterFirst + 1); // the window has passed

    await client.cancel(state.applianceId); // an action: the appliance is changing
    await handler.read!(state.applianceId, state);
    expect(listFetches()).toBe(afterFirst + 2);
});

it("the status lookups of create and update never use the shared list", async () => {
    const client = AppgateClient.for(resolveConnection(inputs("gw-1").connection), env);
    const listFetches = () => sim.calls.snapshot()["appliances.status"]?.received ?? 0;
    await client.applianceStatus(sim.appliance("gw-1").id, { shared: true });
    const shared = listFetches();
    await client.applianceStatus(sim.appliance("gw-1").id);
    await client.applianceStatus(sim.appliance("gw-2").id);
    expect(listFetches()).toBe(shared + 2);
});
