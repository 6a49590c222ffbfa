/**
 * What one wait poll of `appgate:ApplianceUpgrade` costs, phase by phase, on the fake clock with the
 * default poll budget: the upgrade status while the appliance answers, the change record only while
 * the status cannot tell (idle or the status we came from right after our call, a failure), the
 * status list only through the reboot and once to confirm the new version. Every sleep of the
 * handler's clock ends one poll, so the requests the simulator received between two sleeps are that
 * poll's reads.
 */
import { applianceUpgradeHandler, type ApplianceUpgradeInputs } from "../../../provider/appgate/appliance-upgrade-handler";
import { FakeClock } from "../../../provider/core/clock";
import * as waiter from "../../../provider/core/waiter";
import { handlerEnv, type HandlerEnv } from "../../../provider/core/env";
import { startAppgateSimulator, type AppgateSimulator, type AppgateSimulatorOptions } from "../../../simulators/appgate";
import { ManualClock } from "../../../simulators/core";
import { upgradeInputs } from "./helpers";

const TARGET = "6.4.1+40123";
const PASSWORD = "s3cret-Appgate-poll-cost";
const MINUTE = 60_000;
const STATUS_READS = ["upgrade.get", "change.get", "appliances.status", "appliances.get"] as const;
/** The default poll budget (pollIntervalSeconds 5): floor 5 s, usual ceiling 20 s, long phases 60 s. */
const USUAL_CEILING_MS = 20_000;
const LONG_CEILING_MS = 60_000;

/** One poll of a wait: the reads its refresh made and what it observed. */
interface Poll {
    what: string;
    reads: Record<string, number>;
    total: number;
    state: string;
}
/** One sleep of the handler's clock: what the appliance was doing, and for how long. */
interface Sleep {
    status: string;
    online: boolean;
    delayMs: number;
}

let sim: AppgateSimulator;
let env: HandlerEnv;
let polls: Poll[];
let sleeps: Sleep[];

/** Every wait's refresh, wrapped: the requests the simulator received during one refresh are that poll's reads. */
function countReadsPerPoll(): void {
    const realWaitFor = waiter.waitFor;
    jest.spyOn(waiter, "waitFor").mockImplementation((options) =>
        realWaitFor({
            ...options,
            refresh: async () => {
                const before = sim.calls.snapshot();
                const record = (state: string) => {
                    const after = sim.calls.snapshot();
                    // A request refused for a token the controller dropped (its reboot) is sent again after the login: one read.
                    const answered = (c: typeof after, op: string) => (c[op]?.received ?? 0) - (c[op]?.byStatus["401"] ?? 0);
                    const reads = Object.fromEntries(STATUS_READS.map((op) => [op, answered(after, op) - answered(before, op)]));
                    polls.push({ what: options.what, reads, total: Object.values(reads).reduce((a, b) => a + b, 0), state });
                };
                try {
                    const o = await options.refresh();
                    record(o.state);
                    return o;
                } catch (err) {
                    record("unreachable");
                    throw err;
                }
            },
        }),
    );
}

async function start(appliance: string, options: AppgateSimulatorOptions = {}): Promise<void> {
    const simClock = new ManualClock();
    polls = [];
    sleeps = [];
    const clock = new FakeClock(simClock.now(), (ms) => {
        const a = sim.appliance(appliance);
        sleeps.push({ status: a.upgrade.status, online: a.online, delayMs: ms });
        simClock.advance(ms);
    });
    env = handlerEnv(clock);
    countReadsPerPoll();
    sim = await startAppgateSimulator({
        clock: simClock,
        password: PASSWORD,
        ...options,
        timings: {
            idleAfterPrepareMs: 0,
            startMs: 10_000,
            downloadMs: 12 * MINUTE,
            verifyMs: MINUTE,
            installMs: 4 * MINUTE,
            rebootMs: 3 * MINUTE,
            cancelMs: 5_000,
            ...options.timings,
        },
    });
}

beforeEach(() => void jest.spyOn(console, "log").mockImplementation(() => undefined));
afterEach(async () => {
    jest.restoreAllMocks();
    env.clients.close();
    await sim.stop();
});

const inputs = (appliance: string, extra: Partial<ApplianceUpgradeInputs> = {}) =>
    upgradeInputs(sim, appliance, TARGET, PASSWORD, { stage: "complete", waitTimeoutSeconds: 7_200, ...extra });

const sum = (op: string, of: Poll[] = polls) => of.reduce((n, p) => n + (p.reads[op] ?? 0), 0);

it.each(["json-502", "plain-502-every-call"] as const)(
    "a prepare and complete of a gateway (%s while it reboots) costs one read per poll, two only where the reboot starts and ends",
    async (rebootingApplianceReplies) => {
        await start("gateway-1", { rebootingApplianceReplies });
        const { outs } = await applianceUpgradeHandler(env).create(inputs("gateway-1"));
        expect(outs).toMatchObject({ phase: "completed", runningVersion: TARGET, volumeNumber: 2 });

        expect(polls.length).toBeGreaterThan(30); // the phases really were waited for, poll by poll
        expect(Math.max(...polls.map((p) => p.total))).toBe(2);
        // Two reads: the prepare's first poll (idle: the change record tells "not started yet" from "dropped"),
        // the poll that found the appliance unreachable (the status list: rebooting?), and the final one (back
        // online: is it the new version?). The complete's first poll already reads installing: no change record.
        expect(polls.filter((p) => p.total === 2).map((p) => p.state)).toEqual(["queued", "rebooting", "done"]);
        expect(sum("change.get")).toBe(1);
        // Not one change or status-list read while the appliance downloads, verifies or installs.
        const working = polls.filter((p) => ["started", "downloading", "verifying", "installing"].includes(p.state));
        expect(working.length).toBeGreaterThan(10);
        expect(working.every((p) => p.total === 1 && p.reads["upgrade.get"] === 1)).toBe(true);
        // Through the reboot the status list alone, once per poll; the first such poll found it by the upgrade status.
        const rebooting = polls.filter((p) => p.state === "rebooting");
        expect(rebooting.length).toBeGreaterThan(5);
        expect(sum("upgrade.get", rebooting)).toBe(1);
        expect(rebooting.every((p) => p.reads["appliances.status"] === 1)).toBe(true);
    },
);

it("polls thin out to the long-phase ceiling while downloading and installing, and keep the usual one through the reboot", async () => {
    await start("gateway-1");
    await applianceUpgradeHandler(env).create(inputs("gateway-1"));
    const delays = (match: (s: Sleep) => boolean) => sleeps.filter(match).map((s) => s.delayMs);
    const downloading = delays((s) => s.status === "downloading");
    const installing = delays((s) => s.status === "installing" && s.online);
    const offline = delays((s) => !s.online);
    expect(downloading.length).toBeGreaterThan(5);
    expect(offline.length).toBeGreaterThan(5);
    expect(Math.max(...downloading)).toBeGreaterThan(USUAL_CEILING_MS);
    expect(Math.max(...downloading, ...installing)).toBeLessThanOrEqual(LONG_CEILING_MS);
    expect(Math.max(...offline)).toBeLessThanOrEqual(USUAL_CEILING_MS);
});

it("the controller's own upgrade: through its outage (502s, then refused connections) one request per poll, the status list", async () => {
    await start("controller-1", { timings: { rebootMs: 2 * MINUTE } });
    const { outs } = await applianceUpgradeHandler(env).create(inputs("controller-1"));
    expect(outs).toMatchObject({ phase: "completed", runningVersion: TARGET, volumeNumber: 2 });
    expect(sim.calls.snapshot()["appliances.status"]!.byStatus["502"]).toBeGreaterThan(0); // the outage was polled through the list
    const outage = polls.filter((p) => p.state === "unreachable");
    expect(outage.length).toBeGreaterThan(5);
    // The first poll of the outage asked the upgrade status, then the list; every later one only the list.
    expect(outage[0]!.reads).toMatchObject({ "upgrade.get": 1, "appliances.status": 1 });
    expect(outage.slice(1).every((p) => p.total <= 1 && p.reads["upgrade.get"] === 0)).toBe(true);
    expect(Math.max(...polls.map((p) => p.total))).toBe(2);
});

it("after the idle race the change record is read only while the status reads idle", async () => {
    await start("gateway-2", { idleAfterPrepareReads: 5, prepareChangeCompletes: "ready" });
    const { outs } = await applianceUpgradeHandler(env).create(inputs("gateway-2", { stage: "prepare" }));
    expect(outs).toMatchObject({ phase: "prepared", upgradeStatus: "ready" });
    expect(sim.appliance("gateway-2").raceReads).toBeGreaterThanOrEqual(5);
    // The change stays running until ready here: it is read on the idle polls only, not through the download.
    const queued = polls.filter((p) => p.state === "queued");
    expect(queued.length).toBeGreaterThanOrEqual(5);
    expect(queued.every((p) => p.reads["change.get"] === 1)).toBe(true);
    expect(sum("change.get")).toBe(queued.length);
});
