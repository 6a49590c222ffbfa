/**
 * `appgate:ApplianceUpgrade` against a simulator that takes the other side of what the reference
 * leaves open (issue 10): idle for N status reads after a prepare while the change record already
 * reads completed; the "already in that state" refusal (412 or 409) of a prepare sent on a leftover
 * idle; plain-text 502s for every request about a rebooting appliance during a resumed run, refresh
 * and destroy; a failure that quotes the appliance's own details.
 */
import {
    applianceUpgradeHandler,
    type ApplianceUpgradeInputs,
    type ApplianceUpgradeOutputs,
} from "../../../provider/appgate/appliance-upgrade-handler";
import { FakeClock } from "../../../provider/core/clock";
import type { ResourceHandler } from "../../../provider/core/dynamic";
import { handlerEnv, type HandlerEnv } from "../../../provider/core/env";
import { startAppgateSimulator, type AppgateSimulator, type AppgateSimulatorOptions } from "../../../simulators/appgate";
import { ManualClock } from "../../../simulators/core";
import { adminClient, FAST, whenSimulated, upgradeInputs } from "./helpers";

let env: HandlerEnv;
let handler: ResourceHandler<ApplianceUpgradeInputs, ApplianceUpgradeOutputs>;

/** Lets simulated time pass on the handler's clock until `probe` answers something. */
const eventually = <T>(probe: () => T | undefined | Promise<T | undefined>): Promise<T> => whenSimulated(env.clock, probe);

const TARGET = "6.4.1+40123";
const FROM = "6.3.2+36260";
const IMAGE_FILE = "appgate-6.4.1-40123-release.img.zip";
const PASSWORD = "s3cret-Appgate-regressions";

let sim: AppgateSimulator;
let logs: string[];

/** A simulator on a manual clock, driven by the handler's fake clock (no wall-clock waits). */
async function startSim(options: AppgateSimulatorOptions = {}): Promise<AppgateSimulator> {
    const simClock = new ManualClock();
    env = handlerEnv(new FakeClock(simClock.now(), (ms) => simClock.advance(ms)));
    handler = applianceUpgradeHandler(env);
    sim = await startAppgateSimulator({
        ...options,
        clock: simClock,
        timings: { ...FAST, ...(options.timings ?? {}) },
        password: PASSWORD,
    });
    return sim;
}

function inputs(appliance: string, extra: Partial<ApplianceUpgradeInputs> = {}): ApplianceUpgradeInputs {
    return upgradeInputs(sim, appliance, TARGET, PASSWORD, {
        pollIntervalSeconds: 0.02,
        waitTimeoutSeconds: 30,
        rebootTimeoutSeconds: 20,
        ...extra,
    });
}

/** Prepares `appliance` behind the provider's back (a run killed after its prepare) and waits until it is really ready. */
async function preparedBehindOurBack(appliance: string): Promise<void> {
    const admin = await adminClient(sim);
    expect((await admin.prepare(sim.appliance(appliance).id, sim.imageUrl(TARGET))).status).toBe(202);
    await eventually(() => (sim.appliance(appliance).upgrade.status === "ready" ? true : undefined));
}

beforeEach(() => {
    logs = [];
    jest.spyOn(console, "log").mockImplementation((line: string) => void logs.push(line));
});
afterEach(async () => {
    jest.restoreAllMocks();
    env?.clients.close(); // a new provider process, as far as sessions go
    await sim?.stop();
});

describe("idle after prepare, whatever the change record says", () => {
    it("an appliance that reads idle for several reads after the prepare (change already completed) is prepared in one run, with one prepare", async () => {
        await startSim({ idleAfterPrepareReads: 6, prepareChangeCompletes: "accepted" });
        const out = await handler.create(inputs("gateway-1"));
        expect(out.outs).toMatchObject({ phase: "prepared", upgradeStatus: "ready", preparedImage: IMAGE_FILE });
        expect(sim.appliance("gateway-1").raceReads).toBeGreaterThanOrEqual(6);
        expect(sim.applianceCalls("gateway-1").prepare).toBe(1);
        expect(logs).toContain("[gateway-1] prepare: start → queued (prepare accepted, not started yet)");
    });

    it("fifty appliances preparing at once, each idle for a while after its prepare: all prepared, one prepare each", async () => {
        const gateways = Array.from({ length: 50 }, (_, i) => ({ name: `gw-${i + 1}` }));
        await startSim({
            appliances: [{ name: "controller-1", role: "controller" }, ...gateways],
            prepareChangeCompletes: "accepted",
            timings: { idleAfterPrepareMs: 60, downloadMs: 30 },
        });
        const outs = await Promise.all(gateways.map(({ name }) => handler.create(inputs(name))));
        expect(outs.map((o) => o.outs.phase)).toEqual(Array(50).fill("prepared"));
        for (const { name } of gateways) expect(sim.applianceCalls(name).prepare).toBe(1);
        expect(sim.calls.snapshot()["upgrade.prepare"]!.byStatus).toEqual({ "202": 50 });
    }, 60_000);

    it("a rerun of a resource that prepared this image re-reads a leftover idle before preparing: no second prepare", async () => {
        await startSim({ idleAfterPrepareReads: 4 });
        await preparedBehindOurBack("gateway-1");
        const previous = {
            ...inputs("gateway-1"),
            phase: "failed",
            preparedImage: IMAGE_FILE,
            upgradeStatus: "idle",
        } as ApplianceUpgradeOutputs;
        const { outs } = await handler.update!(previous.applianceId, previous, inputs("gateway-1"));
        expect(outs).toMatchObject({ phase: "prepared", upgradeStatus: "ready" });
        expect(sim.calls.snapshot()["upgrade.prepare"]!.received).toBe(1);
        expect(logs.some((l) => l.includes("reading again before preparing"))).toBe(true);
        expect(logs.some((l) => l.includes("is already prepared: adopting it"))).toBe(true);
    });

    it.each([412, 409] as const)(
        "without state (a killed run), a prepare refused with %i because the image is already prepared is adoption",
        async (busyPrepareStatus) => {
            await startSim({ idleAfterPrepareReads: 3, busyPrepareStatus });
            await preparedBehindOurBack("gateway-2");
            const { outs } = await handler.create(inputs("gateway-2"));
            expect(outs).toMatchObject({ phase: "prepared", upgradeStatus: "ready", preparedImage: IMAGE_FILE });
            const prepares = sim.calls.snapshot()["upgrade.prepare"]!;
            expect(prepares.byStatus).toEqual({ "202": 1, [String(busyPrepareStatus)]: 1 });
            expect(sim.applianceCalls("gateway-2").prepare).toBe(1);
            expect(logs.some((l) => l.includes(`the appliance refused the prepare (${busyPrepareStatus}`))).toBe(true);
        },
    );

    it("a failed preparation quotes the appliance's own details, not only the change record's generic text", async () => {
        await startSim({ prepareChangeCompletes: "ready", changeFailureDetails: "generic" });
        const error = (await handler
            .create(inputs("gateway-1", { imageUrl: sim.imageUrl("appgate-6.4.1-40123-release-corrupt.img.zip") }))
            .catch((e: unknown) => e)) as Error;
        expect(error.message).toContain(
            "failed in state failed: appgate-6.4.1-40123-release-corrupt.img.zip: image signature verification failed (checksum mismatch) (change: The prepare job failed.)",
        );
    });
});

describe("a rebooting appliance answers plain-text 502s to every request about it", () => {
    const rebooting = { rebootingApplianceReplies: "plain-502-every-call", timings: { rebootMs: 3_000 } } as const;

    /** Prepares with the provider, then completes behind its back (the run that did it was killed) until the appliance is down. */
    async function killedDuringReboot(name: string): Promise<ApplianceUpgradeOutputs> {
        const { outs: prepared } = await handler.create(inputs(name));
        env.clients.close(); // a new provider process, as far as sessions go
        const admin = await adminClient(sim);
        expect((await admin.complete(sim.appliance(name).id, true)).status).toBe(202);
        await eventually(() => (sim.appliance(name).online ? undefined : true));
        return prepared;
    }

    it("a resumed run looks the appliance up through the reboot, adopts the finished upgrade and reports the old version", async () => {
        await startSim(rebooting);
        const prepared = await killedDuringReboot("gateway-1");
        const { outs } = await handler.update!(prepared.applianceId, prepared, inputs("gateway-1", { stage: "complete" }));
        expect(outs).toMatchObject({
            phase: "completed",
            runningVersion: TARGET,
            volumeNumber: 2,
            previousVersion: FROM,
            previousVolumeNumber: 1,
        });
        expect(sim.calls.snapshot()["appliances.get"]!.byStatus["502"]).toBeGreaterThan(0);
        expect(sim.applianceCalls("gateway-1")).toMatchObject({ prepare: 1, complete: 1 });
        expect(logs.some((l) => l.startsWith("[gateway-1] lookup: unreachable (appgate GET /appliances/") && l.includes("502"))).toBe(true);
    }, 30_000);

    it("refresh and destroy wait out the reboot instead of failing", async () => {
        await startSim(rebooting);
        const prepared = await killedDuringReboot("gateway-2");
        const refreshed = await handler.read!(prepared.applianceId, prepared);
        expect(refreshed.id).toBe(prepared.applianceId);
        expect(sim.calls.snapshot()["appliances.get"]!.byStatus["502"]).toBeGreaterThan(0);
        await eventually(() => (sim.appliance("gateway-2").online ? true : undefined));
        // Destroy of a resource whose appliance reboots again: the lookups wait it out, then nothing is left to cancel.
        const admin = await adminClient(sim);
        await admin.call(`/appliances/${prepared.applianceId}/switch-partition`, { method: "POST" });
        await eventually(() => (sim.appliance("gateway-2").online ? undefined : true));
        await handler.delete!(prepared.applianceId, { ...prepared, phase: "prepared" });
        expect(sim.applianceCalls("gateway-2").cancel).toBe(0);
        expect(logs.some((l) => l.includes("no upgrade is prepared on gateway-2: nothing to cancel"))).toBe(true);
    }, 30_000);
});
