/**
 * `avisi:ScheduledClusterUpgrade` handler against the simulator, on one fake clock shared by both:
 * the provider's sleeps advance the simulator's manual clock, so a week-away window passes at once
 * and the number of status reads is exact. Covers check (numeric versions, the one-minor rule at
 * preview), schedule into the next window, adoption, reschedule in place, wait-for-SUCCEEDED
 * sleeping until the window, MISSED as a partial failure and its drift on refresh, the vendor
 * without public reads or cancel, and destroy.
 */
import type { ManualClock } from "../../../simulators/core/clock";
import { UNLIMITED } from "../../../simulators/core/faults";
import { DEFAULT_AVISI_TIMINGS, type AvisiSimulator } from "../../../simulators/avisi";
import { FakeClock } from "../../../provider/core/clock";
import { ResourceNotReadyError, UNKNOWN, type ResourceHandler } from "../../../provider/core/dynamic";
import { handlerEnv, type HandlerEnv } from "../../../provider/core/env";
import { scheduledClusterUpgradeHandler } from "../../../provider/avisi/scheduled-cluster-upgrade-handler";
import type { ScheduledUpgradeInputs, ScheduledUpgradeOutputs } from "../../../provider/avisi/scheduled-cluster-upgrade-run";
import { HOUR, NEXT_TUESDAY_WINDOW, startManualAvisi, TOKEN } from "./helpers";

/** Reads a SUCCEEDED wait may make: one per 30 s floor while the upgrade runs in its window, plus a few around it. */
const IN_WINDOW_READS_AT_MOST = DEFAULT_AVISI_TIMINGS.upgradeMs / 30_000 + 10;

let sim: AvisiSimulator;
let clock: ManualClock;
let logs: string[];
let logSpy: jest.SpyInstance;
let env: HandlerEnv;
let handler: ResourceHandler<ScheduledUpgradeInputs, ScheduledUpgradeOutputs>;

async function start(options: Parameters<typeof startManualAvisi>[0] = {}): Promise<void> {
    ({ sim, clock } = await startManualAvisi(options));
    // The provider's sleeps move the simulator's clock: the scheduler's timers fire in between polls.
    env = handlerEnv(new FakeClock(clock.now(), (ms) => clock.advance(ms)));
    handler = scheduledClusterUpgradeHandler(env);
}

beforeEach(async () => {
    logs = [];
    logSpy = jest.spyOn(console, "log").mockImplementation((line: string) => void logs.push(line));
    await start();
});
afterEach(async () => {
    logSpy.mockRestore();
    env.clients.close();
    await sim.stop();
});

function inputs(extra: Partial<ScheduledUpgradeInputs> = {}): ScheduledUpgradeInputs {
    return {
        __logName: "k8s-prod",
        connection: { endpoint: sim.url, token: TOKEN, organisation: sim.organisation },
        environment: "production",
        cluster: "k8s-prod",
        version: "1.31.10",
        ...extra,
    };
}

const posts = () => sim.calls.snapshot()["upgrades.request"]?.received ?? 0;
const reads = () => sim.calls.snapshot()["upgrades.get"]?.received ?? 0;

describe("check", () => {
    it("refuses a jump of more than one minor at preview, naming both versions", async () => {
        const result = await handler.check!({}, inputs({ version: "1.32.2" }));
        expect(result.failures).toEqual([
            {
                property: "version",
                reason: expect.stringMatching(
                    /production\/k8s-prod runs 1\.30\.6: 1\.30\.6 → 1\.32\.2 skips 1 minor.*schedule 1\.31\.x first/,
                ),
            },
        ]);
        expect((await handler.check!({}, inputs({ version: "1.31.10" }))).failures).toEqual([]);
        expect(posts()).toBe(0);
    });

    it("validates inputs without the network, and leaves unknowns for later", async () => {
        const bad = await handler.check!({}, { ...inputs({ version: "1.31" }), waitFor: "DONE" } as never);
        expect(bad.failures!.map((f) => f.property).sort()).toEqual(["version", "waitFor"]);
        const noCluster = await handler.check!({}, { ...inputs(), cluster: undefined });
        expect(noCluster.failures).toEqual([{ property: "cluster", reason: "give clusterIdentity, or environment and cluster (slugs)" }]);
        expect((await handler.check!({}, inputs({ version: UNKNOWN }))).failures).toEqual([]);
        const waiver = await handler.check!({}, inputs({ outsideWindowReason: "hotfix" }));
        expect(waiver.failures).toEqual([
            { property: "outsideWindowReason", reason: expect.stringContaining("ignoreMaintenanceSchedule") },
        ]);
    });

    it("does not re-judge an unchanged version (the cluster may have moved on)", async () => {
        sim.cluster("k8s-prod").version = "1.32.2";
        expect((await handler.check!(inputs({ version: "1.30.6" }), inputs({ version: "1.30.6" }))).failures).toEqual([]);
    });
});

describe("diff", () => {
    it("replaces for another cluster or organisation, and updates (reschedules) for a new version or date", async () => {
        const olds = { ...inputs(), resolvedClusterIdentity: "x" } as ScheduledUpgradeOutputs;
        expect((await handler.diff!("x", olds, inputs({ cluster: "k8s-test" }))).replaces).toEqual(["cluster"]);
        const otherOrg = { ...inputs(), connection: { ...inputs().connection, organisation: "other" } };
        expect((await handler.diff!("x", olds, otherOrg)).replaces).toEqual(["connection"]);
        const sameEndpoint = { ...inputs(), connection: { ...inputs().connection, endpoint: `${sim.url}/` } };
        expect((await handler.diff!("x", olds, sameEndpoint)).replaces).toEqual([]);
        expect(
            (await handler.diff!("x", olds, inputs({ version: "1.31.4", scheduleRequestDate: "2026-12-20T00:00:00Z" }))).replaces,
        ).toEqual([]);
    });
});

describe("create and update", () => {
    it("schedules into the next maintenance window with one request", async () => {
        const { id, outs } = await handler.create(inputs());
        expect(id).toBe(sim.cluster("k8s-prod").identity);
        expect(outs).toMatchObject({
            status: "SCHEDULED",
            windowStart: NEXT_TUESDAY_WINDOW.start,
            windowEnd: NEXT_TUESDAY_WINDOW.end,
            fromVersion: "1.30.6",
            clusterName: "production/k8s-prod",
        });
        expect(posts()).toBe(1);
        expect(sim.cluster("k8s-prod").version).toBe("1.30.6");

        // A second create (a retry after a lost answer) adopts it.
        const again = await handler.create(inputs());
        expect(again.outs.upgradeIdentity).toBe(outs.upgradeIdentity);
        expect(posts()).toBe(1);
        expect(logs.join("\n")).toContain("adopting upgrade");
    });

    it("reschedules in place when the date changes: one upgrade object, updated", async () => {
        const { outs } = await handler.create(inputs());
        const later = await handler.update!(outs.resolvedClusterIdentity, outs, inputs({ scheduleRequestDate: "2026-12-09T00:00:00Z" }));
        expect(later.outs.upgradeIdentity).toBe(outs.upgradeIdentity);
        expect(later.outs.windowStart).toBe("2026-12-15T02:00:00.000Z");
        expect(sim.upgrades.upgrades).toHaveLength(1);
        expect(sim.state().accepted).toMatchObject({ scheduled: 1, rescheduled: 1 });
    });

    it("waits for SUCCEEDED by sleeping until the window, then polling a few times", async () => {
        const { outs } = await handler.create(inputs({ waitFor: "SUCCEEDED" }));
        expect(outs).toMatchObject({ status: "SUCCEEDED", clusterVersion: "1.31.10", windowStart: NEXT_TUESDAY_WINDOW.start });
        expect(sim.cluster("k8s-prod").version).toBe("1.31.10");
        // 5 days 16 hours of waiting: reads only inside the window (at most one per 30 s floor, backing off
        // to a minute, while the upgrade runs), not one every 30 s all week (that would be ~16 000).
        expect(reads()).toBeLessThan(IN_WINDOW_READS_AT_MOST);
        expect(logs.join("\n")).toMatch(/sleeping .* until the window opens at 2026-12-08T02:00:00.000Z/);
    });

    it("fails fast when the window opens after the wait budget", async () => {
        const failure = await handler.create(inputs({ waitFor: "SUCCEEDED", waitTimeoutSeconds: 3_600 })).catch((e: unknown) => e);
        expect(failure).toBeInstanceOf(ResourceNotReadyError);
        expect((failure as Error).message).toMatch(/opens at 2026-12-08T02:00:00.000Z, after this operation's deadline/);
        expect(sim.upgrades.upgrades[0]!.status).toBe("SCHEDULED");
    });

    it("turns MISSED into an error that keeps the resource, shows drift on refresh, and schedules again on the next up", async () => {
        sim.inject("MISSED", { cluster: "k8s-prod" });
        const failure = (await handler.create(inputs({ waitFor: "SUCCEEDED" })).catch((e: unknown) => e)) as ResourceNotReadyError;
        expect(failure).toBeInstanceOf(ResourceNotReadyError);
        expect(failure.message).toMatch(
            /avisi cluster production\/k8s-prod upgrade .* to 1\.31\.10: upgrading failed in state MISSED: The upgrade did not start within its maintenance window.*pulumi up/,
        );
        const state = failure.properties as ScheduledUpgradeOutputs;
        expect(state.status).toBe("MISSED");

        const refreshed = await handler.read!(failure.id, state);
        expect(refreshed.inputs!["version"]).toBe("1.30.6");

        const retried = await handler.update!(failure.id, state, inputs({ waitFor: "SUCCEEDED" }));
        expect(retried.outs.status).toBe("SUCCEEDED");
        expect(retried.outs.upgradeIdentity).not.toBe(state.upgradeIdentity);
        expect(posts()).toBe(2);
    });

    it("is CURRENT without a request when the cluster already runs the version", async () => {
        const { outs } = await handler.create(inputs({ version: "1.30.6" }));
        expect(outs.status).toBe("CURRENT");
        expect(posts()).toBe(0);
    });

    it("refuses the jump at create too, before any request", async () => {
        await expect(handler.create(inputs({ version: "1.32.2" }))).rejects.toThrow(
            /\[version\] cluster production\/k8s-prod runs 1\.30\.6/,
        );
        expect(posts()).toBe(0);
    });
});

describe("vendor failures and outages", () => {
    it.each([
        ["FAILED", /upgrading failed in state FAILED: The upgrade did not meet its success criteria/],
        ["SUPERSEDED", /upgrading failed in state SUPERSEDED: The update channel version changed.*update channel/],
    ] as const)("turns %s into an error naming the cluster and the vendor's reason", async (outcome, message) => {
        sim.inject(outcome, { cluster: "k8s-prod" });
        const failure = (await handler.create(inputs({ waitFor: "SUCCEEDED" })).catch((e: unknown) => e)) as ResourceNotReadyError;
        expect(failure).toBeInstanceOf(ResourceNotReadyError);
        expect(failure.message).toMatch(/^avisi cluster production\/k8s-prod upgrade /);
        expect(failure.message).toMatch(message);
        expect((failure.properties as ScheduledUpgradeOutputs).status).toBe(outcome);
    });

    it("keeps the last known state when a refresh finds the API down", async () => {
        const { id, outs } = await handler.create(inputs());
        sim.faults.add({ kind: "error", operation: "clusters.get", status: 503, count: UNLIMITED });
        const read = await handler.read!(id, outs);
        expect(read.props).toEqual(outs);
        expect(logs.join("\n")).toMatch(/warning: avisi cluster production\/k8s-prod stayed unreachable .*keeping the last known state/);
    });

    it("rides out 429 and 503 answers while waiting", async () => {
        sim.faults.add({ kind: "throttle", operation: "upgrades.get", retryAfterSeconds: 5, count: 3 });
        sim.faults.add({ kind: "error", operation: "upgrades.get", status: 503, count: 6 });
        const { outs } = await handler.create(inputs({ waitFor: "SUCCEEDED" }));
        expect(outs.status).toBe("SUCCEEDED");
        expect(sim.calls.snapshot()["upgrades.get"]!.faulted).toBe(9);
    });
});

describe("a vendor without the undocumented reads and cancel", () => {
    beforeEach(() => void sim.configure({ publicRead: false, publicCancel: false }));

    it("confirms SUCCEEDED from the cluster's version", async () => {
        const { outs } = await handler.create(
            inputs({ waitFor: "SUCCEEDED", clusterIdentity: sim.cluster("k8s-prod").identity, environment: undefined, cluster: undefined }),
        );
        expect(outs).toMatchObject({ status: "SUCCEEDED", clusterVersion: "1.31.10" });
        // It slept until the window of the cluster's own schedule instead of polling the version all week.
        expect(sim.calls.snapshot()["clusters.get"]!.received).toBeLessThan(IN_WINDOW_READS_AT_MOST);
    });

    it("fails once the window has ended and the cluster still runs the old version", async () => {
        sim.inject("MISSED", { cluster: "k8s-prod" });
        const failure = (await handler.create(inputs({ waitFor: "SUCCEEDED" })).catch((e: unknown) => e)) as ResourceNotReadyError;
        expect(failure).toBeInstanceOf(ResourceNotReadyError);
        expect(failure.message).toMatch(/failed in state UNCONFIRMED_AFTER_WINDOW: the window ended and the cluster still runs 1\.30\.6/);
    });

    it("records what the POST said for a SCHEDULED wait, and says plainly on destroy what stays scheduled", async () => {
        sim.configure({ windowInPostResponse: true });
        const { outs } = await handler.create(inputs());
        expect(outs).toMatchObject({ status: "REQUESTED", windowStart: NEXT_TUESDAY_WINDOW.start });
        await handler.delete!(outs.resolvedClusterIdentity, outs);
        expect(logs.join("\n")).toMatch(/no public cancel .* STAYS SCHEDULED for the window 2026-12-08T02:00:00.000Z/);
        expect(sim.upgrades.upgrades[0]!.status).not.toBe("SUPERSEDED");
    });
});

describe("destroy", () => {
    it("cancels an open upgrade where the vendor allows it, and only forgets a finished one", async () => {
        const { outs } = await handler.create(inputs());
        await handler.delete!(outs.resolvedClusterIdentity, outs);
        expect(sim.upgrades.upgrades[0]).toMatchObject({ status: "SUPERSEDED", reason: "cancelled" });

        const done = await handler.create(inputs({ waitFor: "SUCCEEDED" }));
        await handler.delete!(done.id, done.outs);
        expect(logs.join("\n")).toMatch(/is SUCCEEDED: nothing to cancel/);
        expect(sim.state().accepted.cancelled).toBe(1);
    });

    it("never logs the token", async () => {
        await handler.create(inputs({ waitFor: "SUCCEEDED" }));
        expect(logs.join("\n")).not.toContain(TOKEN);
    });
});

it("keeps adjacent hours apart (sanity of the fake clock)", () => {
    const before = clock.now();
    clock.advance(HOUR);
    expect(clock.now() - before).toBe(HOUR);
});
