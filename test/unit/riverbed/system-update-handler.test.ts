/**
 * `riverbed:SystemUpdate` handler, called as the runtime calls it, against the simulator on a fake
 * clock (the handler's {@link FakeClock} drives the simulator's manual clock, so no test sleeps in
 * wall time): the whole update through a reboot window, idempotence, adoption, downgrade protection,
 * stale state clean-up, failures that stay in state and resume, token expiry and outage budgets.
 */
import { FakeClock } from "../../../provider/core/clock";
import { ResourceNotReadyError, UNKNOWN, type ResourceHandler } from "../../../provider/core/dynamic";
import { handlerEnv, type HandlerEnv } from "../../../provider/core/env";
import { RiverbedClient } from "../../../provider/riverbed/client";
import { systemUpdateHandler, type UpdateInputs, type UpdateOutputs } from "../../../provider/riverbed/system-update-handler";
import { ManualClock } from "../../../simulators/core";
import type { RiverbedSimulator, RiverbedSimulatorOptions } from "../../../simulators/riverbed";
import { captureLogs, connectionFor, imageDir, rejection, startSim } from "./helpers";

let h: ResourceHandler<UpdateInputs, UpdateOutputs>;
let env: HandlerEnv;
let clock: FakeClock;

let sim: RiverbedSimulator;
let images: Awaited<ReturnType<typeof imageDir>>;
let logs: ReturnType<typeof captureLogs>;

beforeAll(async () => {
    images = await imageDir();
});
afterAll(() => images.cleanup());
afterEach(async () => {
    logs?.restore();
    env?.clients.close();
    await sim?.stop();
});

async function setup(options: RiverbedSimulatorOptions = {}): Promise<void> {
    const simClock = new ManualClock();
    clock = new FakeClock(simClock.now(), (ms) => simClock.advance(ms));
    env = handlerEnv(clock);
    h = systemUpdateHandler(env);
    sim = await startSim({ ...options, clock: simClock });
    logs = captureLogs();
}

/** Lets simulated time pass (one second per step) until `probe` answers something. */
async function eventually<T>(probe: () => T | undefined | Promise<T | undefined>): Promise<T> {
    for (let step = 0; step < 3_600; step++) {
        const value = await probe();
        if (value !== undefined) return value;
        await clock.sleep(1_000);
    }
    throw new Error("not reached within an hour of simulated time");
}

const client = () => RiverbedClient.for(connectionFor(sim), env);
const inputs = (extra: Partial<UpdateInputs>): UpdateInputs => ({
    __logName: "upd",
    connection: connectionFor(sim),
    imageId: "1",
    targetVersion: "11.7.0",
    pollIntervalSeconds: 0.05,
    rebootTimeoutSeconds: 30,
    waitTimeoutSeconds: 60,
    ...extra,
});

/** Uploads a generated image and waits until the device calls it VALID; returns its id. */
async function validImage(version: string): Promise<number> {
    const file = await images.make(version);
    const { imageId } = await client().uploadImage(file.path);
    await eventually(async () => ((await client().getImage(imageId))?.state === "VALID" ? true : undefined));
    return imageId;
}

const text = () => logs.lines.join("\n");
const logins = () => sim.calls.snapshot()["auth.token"]?.byStatus["201"] ?? 0;

describe("create", () => {
    it("installs the image through the reboot and reports the new version; start is sent once", async () => {
        await setup();
        const imageId = await validImage("11.7.0 #24010");
        const seen: string[] = [];
        sim.on("offline", () => seen.push("offline"));
        sim.on("online", () => seen.push("online"));
        const { id, outs } = await h.create(inputs({ imageId: String(imageId) }));
        expect(seen).toEqual(["offline", "online"]); // the wait spanned a real reboot window
        expect(id).toBe(sim.url);
        expect(outs).toMatchObject({
            installedVersion: "11.7.0 #24010",
            previousVersion: "11.6.0 #23947",
            state: "IDLE",
            stateDescription: "Update to 11.7.0 #24010 completed",
        });
        expect(outs.installedAt).toMatch(/^\d{4}-\d\d-\d\dT/);
        expect(sim.version).toBe("11.7.0 #24010");
        expect(sim.calls.succeeded("update.init")).toBe(1);
        expect(sim.calls.received("update.start")).toBe(1);
        expect(text()).toContain("[upd] starting the update to 11.7.0 #24010: the device installs it and reboots");
        expect(text()).toContain("[upd] update complete: 11.6.0 #23947 → 11.7.0 #24010 in");
        expect(logins()).toBe(2); // every token died with the reboot
    });

    it("does nothing when the device already runs the target version", async () => {
        await setup({ version: "11.7.0 #24010" });
        const { outs } = await h.create(inputs({ imageId: "42" }));
        // Nothing says what ran before (the history holds only the installation): unknown, never the current version.
        expect(outs).toMatchObject({ installedVersion: "11.7.0 #24010", previousVersion: "", state: "IDLE" });
        expect(sim.calls.received("update.init")).toBe(0);
        expect(sim.calls.received("images.get")).toBe(0);
        expect(text()).toContain(`[upd] riverbed device ${sim.url} already runs 11.7.0 #24010: nothing to do`);
    });

    it("refuses a downgrade unless allowDowngrade is set", async () => {
        await setup({ version: "11.7.0 #24010" });
        const imageId = await validImage("11.6.0 #23947");
        const err = await rejection(h.create(inputs({ imageId: String(imageId), targetVersion: "11.6.0 #23947" })));
        expect(err.message).toBe(
            `riverbed device ${sim.url}: checking the target version failed: 11.6.0 #23947 is older than the installed 11.7.0 #24010: downgrades are refused unless allowDowngrade: true`,
        );
        expect(err).not.toBeInstanceOf(ResourceNotReadyError);
        expect(sim.calls.received("update.init")).toBe(0);
        const { outs } = await h.create(inputs({ imageId: String(imageId), targetVersion: "11.6.0 #23947", allowDowngrade: true }));
        expect(outs.installedVersion).toBe("11.6.0 #23947");
    });

    it("rejected credentials fail naming the device, the phase and the device's words, never the password", async () => {
        await setup();
        const err = await rejection(h.create(inputs({ connection: { ...connectionFor(sim), password: "Not-the-pw-42" } })));
        expect(err.message).toBe(
            `riverbed device ${sim.url}: reading the update state failed: riverbed POST /api/mgmt.aaa/1.0/token on ${sim.url}: 401 (AUTH_INVALID_CREDENTIALS) Invalid username or password.`,
        );
    });

    it("refuses an image that is missing, not VALID, or of another version, before touching the device", async () => {
        await setup();
        const missing = await rejection(h.create(inputs({ imageId: "9" })));
        expect(missing.message).toContain(`riverbed device ${sim.url}: checking image 9 failed: the image is not on the device`);
        const imageId = await validImage("11.8.0 #25000");
        const other = await rejection(h.create(inputs({ imageId: String(imageId) })));
        expect(other.message).toBe(
            `riverbed device ${sim.url}: checking image ${imageId} failed: the image carries version 11.8.0 #25000, but targetVersion is 11.7.0`,
        );
        expect(sim.calls.received("update.init")).toBe(0);
    });

    it("adopts an update already RUNNING towards the target and never starts a second one", async () => {
        await setup({ timings: { runningMs: 400 } });
        const imageId = await validImage("11.7.0 #24010");
        await client().initUpdate();
        await eventually(() => (sim.update().state === "INITIALIZED" ? true : undefined));
        await client().startUpdate();
        const { outs } = await h.create(inputs({ imageId: String(imageId) }));
        expect(outs).toMatchObject({ installedVersion: "11.7.0 #24010", previousVersion: "11.6.0 #23947" });
        expect(sim.calls.received("update.start")).toBe(1);
        expect(sim.calls.received("update.init")).toBe(1);
        expect(text()).toContain("[upd] an update to 11.7.0 #24010 is already RUNNING: waiting for it instead of starting another");
    });

    it("refuses to interfere with an update RUNNING towards another version", async () => {
        await setup({ timings: { runningMs: 5_000 } });
        await validImage("11.8.0 #25000");
        await client().initUpdate();
        await eventually(() => (sim.update().state === "INITIALIZED" ? true : undefined));
        await client().startUpdate();
        const err = await rejection(h.create(inputs({})));
        expect(err.message).toBe(
            `riverbed device ${sim.url}: checking the update state failed: another update (to 11.8.0 #25000) is running: RUNNING (Updating to 11.8.0 #25000); run again once it has finished`,
        );
    });

    it("resets an update initialized for another image and deletes other VALID images before init", async () => {
        await setup();
        const stale = await validImage("11.8.0 #25000");
        await client().initUpdate();
        await eventually(() => (sim.update().state === "INITIALIZED" ? true : undefined));
        const wanted = await validImage("11.7.0 #24010");
        const { outs } = await h.create(inputs({ imageId: String(wanted) }));
        expect(outs.installedVersion).toBe("11.7.0 #24010");
        expect(sim.calls.succeeded("update.reset")).toBe(1);
        expect(sim.calls.succeeded("images.delete")).toBe(1);
        expect(text()).toContain("[upd] resetting a stale update: INITIALIZED (Ready to update to 11.8.0 #25000)");
        expect(text()).toContain(`[upd] deleted stale VALID image ${stale} (11.8.0 #25000)`);
    });

    it("with deleteOtherImages: false, another VALID image is an error naming it", async () => {
        await setup();
        await validImage("11.8.0 #25000");
        const wanted = await validImage("11.7.0 #24010");
        const err = await rejection(h.create(inputs({ imageId: String(wanted), deleteOtherImages: false })));
        expect(err.message).toContain(
            `riverbed device ${sim.url}: checking other images failed: the device initializes from its only VALID image, but it also holds VALID image(s) 1 (11.8.0 #25000)`,
        );
        expect(sim.images()).toHaveLength(2);
        expect(sim.calls.received("update.init")).toBe(0);
    });
});

describe("failures stay in state and a rerun resumes", () => {
    it("FAILED_GRACEFUL: error names device, phase and description; update resets and retries", async () => {
        await setup();
        const imageId = await validImage("11.7.0 #24010");
        sim.injectUpdateFailure("start", "FAILED_GRACEFUL");
        const err = await rejection(h.create(inputs({ imageId: String(imageId) })));
        expect(err).toBeInstanceOf(ResourceNotReadyError);
        const partial = err as ResourceNotReadyError;
        expect(partial.id).toBe(sim.url);
        expect(partial.message).toBe(
            `riverbed device ${sim.url}: updating to 11.7.0 failed in state FAILED_GRACEFUL: Update failed during installation; the system is unchanged (reset to recover)`,
        );
        expect(partial.properties).toMatchObject({
            state: "FAILED_GRACEFUL",
            installedVersion: "11.6.0 #23947",
            previousVersion: "11.6.0 #23947",
        });

        const { outs } = await h.update!(sim.url, partial.properties as UpdateOutputs, inputs({ imageId: String(imageId) }));
        expect(outs).toMatchObject({ installedVersion: "11.7.0 #24010", state: "IDLE" });
        expect(sim.calls.succeeded("update.reset")).toBe(1);
        expect(sim.calls.received("update.start")).toBe(2);
        expect(text()).toContain("[upd] the previous update attempt failed gracefully");
    });

    it("FAILED_CRITICAL: kept in state; the rerun explains that the appliance needs manual repair", async () => {
        await setup();
        const imageId = await validImage("11.7.0 #24010");
        sim.injectUpdateFailure("init", "FAILED_CRITICAL");
        const err = (await rejection(h.create(inputs({ imageId: String(imageId) })))) as ResourceNotReadyError;
        expect(err).toBeInstanceOf(ResourceNotReadyError);
        expect(err.message).toBe(
            `riverbed device ${sim.url}: initializing the update failed in state FAILED_CRITICAL: Update failed critically during initialization; manual repair is required`,
        );
        const again = await rejection(h.update!(sim.url, err.properties as UpdateOutputs, inputs({ imageId: String(imageId) })));
        expect(again.message).toContain("checking the update state failed in state FAILED_CRITICAL");
        expect(again.message).toContain("manual repair of the appliance");
        expect(sim.calls.received("update.start")).toBe(0);
    });

    it("a budget that runs out while RUNNING is a partial failure; the rerun adopts the running update", async () => {
        await setup({ timings: { runningMs: 2_500 } });
        const imageId = await validImage("11.7.0 #24010");
        const err = (await rejection(h.create(inputs({ imageId: String(imageId), waitTimeoutSeconds: 1 })))) as ResourceNotReadyError;
        expect(err).toBeInstanceOf(ResourceNotReadyError);
        expect(err.message).toMatch(
            new RegExp(
                `^timed out waiting for riverbed device ${sim.url} \\(updating to 11\\.7\\.0\\) to reach COMPLETED: last state RUNNING \\(Updating to 11\\.7\\.0 #24010\\) after [\\d.]+m?s \\(budget [\\d.]+m?s\\)$`,
            ), // the budget left of waitTimeoutSeconds
        );
        expect(err.properties).toMatchObject({ state: "RUNNING" });
        const { outs } = await h.update!(sim.url, err.properties as UpdateOutputs, inputs({ imageId: String(imageId) }));
        expect(outs).toMatchObject({ installedVersion: "11.7.0 #24010", previousVersion: "11.6.0 #23947" });
        expect(sim.calls.received("update.start")).toBe(1);
        expect(text()).toContain("[upd] an update to 11.7.0 #24010 is already RUNNING: waiting for it instead of starting another");
    }, 30_000);

    it("an outage longer than rebootTimeoutSeconds fails as a partial failure; the rerun finds the update done", async () => {
        await setup({ timings: { rebootMs: 15_000 } });
        const imageId = await validImage("11.7.0 #24010");
        const err = (await rejection(h.create(inputs({ imageId: String(imageId), rebootTimeoutSeconds: 1 })))) as ResourceNotReadyError;
        expect(err).toBeInstanceOf(ResourceNotReadyError);
        expect(err.message).toMatch(
            new RegExp(
                `^riverbed device ${sim.url} \\(updating to 11.7.0\\) stayed unreachable for [\\d.]+s .*last error: riverbed GET /api/npm.system_update/2.0/update on ${sim.url}: no response \\(ECONNREFUSED\\)`,
            ),
        );
        expect(err.properties).toMatchObject({ state: "RUNNING" });
        expect(text()).toContain("[upd] updating to 11.7.0: unreachable (riverbed GET /api/npm.system_update/2.0/update on");
        expect(text()).toContain("treating it as a reboot, waiting up to 1.0s");
        await eventually(() => (sim.online ? true : undefined));
        const { outs } = await h.update!(sim.url, err.properties as UpdateOutputs, inputs({ imageId: String(imageId) }));
        // The update finished while nobody watched: the version before is the one the state recorded, not the new one.
        expect(outs).toMatchObject({ installedVersion: "11.7.0 #24010", previousVersion: "11.6.0 #23947" });
        expect(sim.calls.received("update.start")).toBe(1);
    }, 60_000);

    it("adopting an update that finished with no state at all (a kill -9 during create) reads the version before from update_history", async () => {
        await setup();
        const imageId = await validImage("11.7.0 #24010");
        await client().initUpdate();
        await eventually(async () => ((await client().getUpdate()).state === "INITIALIZED" ? true : undefined));
        await client().startUpdate();
        await eventually(async () => (sim.version === "11.7.0 #24010" && sim.online ? true : undefined));
        const { outs } = await h.create(inputs({ imageId: String(imageId) }));
        expect(outs).toMatchObject({ installedVersion: "11.7.0 #24010", previousVersion: "11.6.0 #23947", state: "IDLE" });
        expect(sim.calls.received("update.start")).toBe(1);
    }, 60_000);
});

describe("long waits", () => {
    it("survives access tokens that expire every second during a long RUNNING phase", async () => {
        await setup({ accessTokenTtlMs: 1_000, timings: { runningMs: 3_000 } });
        const imageId = await validImage("11.7.0 #24010");
        const { outs } = await h.create(inputs({ imageId: String(imageId), pollIntervalSeconds: 0.2 }));
        expect(outs.installedVersion).toBe("11.7.0 #24010");
        const refreshes = sim.calls.snapshot()["auth.token"]?.byStatus["200"] ?? 0;
        expect(refreshes).toBeGreaterThanOrEqual(2);
        expect(logins()).toBe(2); // the first, and one after the reboot
    }, 30_000);

    it("several resources of one device share one login", async () => {
        await setup({ version: "11.7.0 #24010" });
        await Promise.all([
            h.create(inputs({ __logName: "a" })),
            h.create(inputs({ __logName: "b" })),
            h.read!(sim.url, inputs({}) as UpdateOutputs),
        ]);
        expect(logins()).toBe(1);
    });
});

describe("check, diff, read, delete", () => {
    it("needs an image id and a version; preview unknowns are not judged", async () => {
        await setup();
        expect((await h.check!({}, {})).failures!.map((f) => f.property).sort()).toEqual(["imageId", "targetVersion"]);
        expect((await h.check!({}, { imageId: "x", targetVersion: "latest" })).failures!.map((f) => f.property).sort()).toEqual([
            "imageId",
            "targetVersion",
        ]);
        expect((await h.check!({}, { imageId: UNKNOWN, targetVersion: UNKNOWN })).failures).toEqual([]);
        expect((await h.check!({}, { imageId: 3, targetVersion: "11.7.0 #24010", waitTimeoutSeconds: 0 })).failures).toEqual([
            { property: "waitTimeoutSeconds", reason: "must be a positive number of seconds" },
        ]);
    });

    it("a new image or version updates in place; another device replaces", async () => {
        await setup();
        const olds = inputs({}) as UpdateOutputs;
        expect(await h.diff!(sim.url, olds, { ...olds, imageId: UNKNOWN, targetVersion: UNKNOWN })).toEqual({ replaces: [] });
        expect(await h.diff!(sim.url, olds, { ...olds, connection: { endpoint: "https://10.0.0.9" } })).toEqual({
            replaces: ["connection"],
        });
    });

    it("refresh shows a version changed behind our back as drift of targetVersion", async () => {
        await setup({ version: "11.7.0 #24010" });
        const { id, outs } = await h.create(inputs({}));
        const same = await h.read!(id, outs);
        expect(same.inputs).toMatchObject({ targetVersion: "11.7.0" });
        expect(same.inputs).not.toHaveProperty("installedVersion");
        const drifted = await h.read!(id, { ...outs, targetVersion: "11.8.0" });
        expect(drifted.props.installedVersion).toBe("11.7.0 #24010");
        expect(drifted.inputs).toMatchObject({ targetVersion: "11.7.0 #24010" });
    });

    it("delete only forgets, with a log line, and calls nothing", async () => {
        await setup({ version: "11.7.0 #24010" });
        const { id, outs } = await h.create(inputs({}));
        sim.calls.reset();
        await h.delete!(id, outs);
        expect(sim.calls.snapshot()).toEqual({});
        expect(text()).toContain(`[upd] removing the SystemUpdate from the stack only: riverbed device ${sim.url} keeps 11.7.0 #24010`);
    });
});
