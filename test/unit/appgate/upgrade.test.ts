/**
 * `appgate:ApplianceUpgrade` handler against the simulator (the provider methods called directly,
 * as the dynamic-provider host calls them): check/diff, prepare-only, complete with a gateway reboot
 * (502 window) and a controller reboot (connections refused, tokens gone, API version moved),
 * adoption, downgrade and site guards, failures that stay in state, the idle-after-prepare race,
 * token expiry mid-wait, pinned versions, read drift and destroy.
 */
import { once } from "node:events";
import {
    applianceUpgradeHandler,
    type ApplianceUpgradeInputs,
    type ApplianceUpgradeOutputs,
} from "../../../provider/appgate/appliance-upgrade-handler";
import { AppgateClient } from "../../../provider/appgate/client";
import { FakeClock } from "../../../provider/core/clock";
import { ResourceNotReadyError, UNKNOWN, type ResourceHandler } from "../../../provider/core/dynamic";
import { handlerEnv, type HandlerEnv } from "../../../provider/core/env";
import { startAppgateSimulator, type AppgateSimulator, type AppgateSimulatorOptions } from "../../../simulators/appgate";
import { ManualClock } from "../../../simulators/core";
import { FAST, whenSimulated, upgradeInputs } from "./helpers";

let env: HandlerEnv;
let handler: ResourceHandler<ApplianceUpgradeInputs, ApplianceUpgradeOutputs>;

/** Lets simulated time pass on the handler's clock until `probe` answers something. */
const eventually = <T>(probe: () => T | undefined | Promise<T | undefined>): Promise<T> => whenSimulated(env.clock, probe);

const TARGET = "6.4.1+40123";
const IMAGE_FILE = "appgate-6.4.1-40123-release.img.zip";

let sim: AppgateSimulator;
let logs: string[];

/** A simulator on a manual clock, driven by the handler's fake clock (no wall-clock waits). */
async function startSim(options: AppgateSimulatorOptions = {}): Promise<AppgateSimulator> {
    const simClock = new ManualClock();
    env = handlerEnv(new FakeClock(simClock.now(), (ms) => simClock.advance(ms)));
    handler = applianceUpgradeHandler(env);
    sim = await startAppgateSimulator({ timings: FAST, ...options, clock: simClock, password: "s3cret-Appgate-pw" });
    return sim;
}

function inputs(appliance: string, extra: Partial<ApplianceUpgradeInputs> = {}): ApplianceUpgradeInputs {
    return upgradeInputs(sim, appliance, TARGET, "s3cret-Appgate-pw", {
        pollIntervalSeconds: 0.02,
        waitTimeoutSeconds: 30,
        rebootTimeoutSeconds: 20,
        ...extra,
    });
}

const create = async (i: ApplianceUpgradeInputs) => (await handler.create(i)).outs;
const update = async (olds: ApplianceUpgradeOutputs, i: ApplianceUpgradeInputs) => (await handler.update!(olds.applianceId, olds, i)).outs;

beforeEach(() => {
    logs = [];
    jest.spyOn(console, "log").mockImplementation((line: string) => void logs.push(line));
});
afterEach(async () => {
    jest.restoreAllMocks();
    env.clients.close(); // a new provider process, as far as sessions go
    await sim?.stop();
});

describe("check and diff", () => {
    beforeEach(() => startSim());

    it("reports missing and malformed inputs with the property and the reason", async () => {
        const empty = await handler.check!({}, {});
        expect(empty.failures!.map((f) => f.property).sort()).toEqual(["applianceId", "imageUrl"]);
        const bad = await handler.check!(
            {},
            { ...inputs("gateway-1"), stage: "finish", connection: { apiVersion: 17 }, waitTimeoutSeconds: -1 },
        );
        expect(bad.failures).toEqual(
            expect.arrayContaining([
                { property: "stage", reason: expect.stringContaining('"prepare"') },
                { property: "connection.apiVersion", reason: expect.stringContaining("at least 20") },
                { property: "waitTimeoutSeconds", reason: "must be a positive number of seconds" },
            ]),
        );
    });

    it("derives the target version from the image name, refuses a mismatch, and tolerates preview unknowns", async () => {
        const { targetVersion: _t, ...rest } = inputs("gateway-1");
        const derived = await handler.check!({}, rest);
        expect(derived.failures).toEqual([]);
        expect(derived.inputs).toBe(rest); // check never rewrites an input: the class derives the version (see appliance-upgrade.ts)
        const mismatch = await handler.check!({}, { ...rest, targetVersion: "6.4.2" });
        expect(mismatch.failures).toEqual([
            { property: "targetVersion", reason: `6.4.2 does not match the image ${IMAGE_FILE} (${TARGET})` },
        ]);
        const unnamed = await handler.check!({}, { ...rest, imageUrl: "https://files.example.com/latest.zip" });
        expect(unnamed.failures![0]).toMatchObject({
            property: "imageUrl",
            reason: expect.stringContaining("cannot derive the target version"),
        });
        const preview = await handler.check!({}, { ...rest, applianceId: UNKNOWN, imageUrl: UNKNOWN });
        expect(preview.failures).toEqual([]);
    });

    it("replaces on another appliance or controller; stage changes are updates", async () => {
        const olds = { ...inputs("gateway-1"), stage: "prepare" } as ApplianceUpgradeOutputs;
        expect(await handler.diff!("x", olds, { ...olds, stage: "complete" })).toEqual({ replaces: [] });
        expect(await handler.diff!("x", olds, { ...olds, applianceId: sim.appliance("gateway-2").id })).toEqual({
            replaces: ["applianceId"],
        });
        expect(await handler.diff!("x", olds, { ...olds, connection: { endpoint: "http://127.0.0.1:1/admin" } })).toEqual({
            replaces: ["connection"],
        });
        // The same controller written with or without /admin is not a replacement.
        expect(await handler.diff!("x", olds, { ...olds, connection: { ...olds.connection, endpoint: sim.url } })).toEqual({
            replaces: [],
        });
    });
});

describe("prepare and complete", () => {
    it("prepares only (default stage), negotiating the API version from a 406, then completes a gateway through its reboot window", async () => {
        // A reboot window long enough to be seen by a poll even on a busy machine.
        await startSim({ timings: { ...FAST, rebootMs: 1_000 } });
        const prepared = await create(inputs("gateway-1"));
        expect(prepared).toMatchObject({
            phase: "prepared",
            upgradeStatus: "ready",
            preparedImage: IMAGE_FILE,
            applianceName: "gateway-1",
            siteName: "Default Site",
            runningVersion: "6.3.2+36260",
            volumeNumber: 1,
            peerApiVersion: 20,
        });
        expect(sim.appliance("gateway-1")).toMatchObject({ upgrade: { status: "ready", details: IMAGE_FILE }, version: "6.3.2+36260" });
        expect(sim.calls.snapshot()["login"]!.byStatus).toEqual({ "200": 1, "406": 1 });
        expect(logs.some((l) => l.startsWith("[gateway-1] prepare of appgate-6.4.1-40123-release.img.zip accepted"))).toBe(true);

        const completed = await update(prepared, { ...inputs("gateway-1"), stage: "complete" });
        expect(completed).toMatchObject({
            phase: "completed",
            runningVersion: TARGET,
            volumeNumber: 2,
            previousVersion: "6.3.2+36260",
            previousVolumeNumber: 1,
            upgradeStatus: "idle",
            preparedImage: "",
        });
        expect(sim.appliance("gateway-1")).toMatchObject({ version: TARGET, volumeNumber: 2 });
        expect(sim.applianceCalls("gateway-1")).toEqual({ prepare: 1, complete: 1, switchPartition: 0, cancel: 0, upgrade: 0 });
        // The reboot window was seen: the status list reported the gateway offline.
        expect(logs).toContain("[gateway-1] complete: installing → rebooting (appliance offline)");

        // Running again: already at the target, nothing is called that changes the appliance.
        const again = await update(completed, { ...inputs("gateway-1"), stage: "complete" });
        expect(again.phase).toBe("completed");
        expect(sim.applianceCalls("gateway-1")).toMatchObject({ prepare: 1, complete: 1 });
    });

    it("completes the controller itself: waits out 502s and refused connections, logs in again and renegotiates the API version", async () => {
        // A reboot longer than the HTTP session's own retries (about 2 s), so the wait itself sees the outage.
        await startSim({ peerVersionsBack: 0, timings: { ...FAST, installMs: 100, rebootMs: 3_000 } });
        const offline = once(sim, "offline");
        const out = await create(inputs("controller-1", { stage: "complete" }));
        await offline;
        expect(out).toMatchObject({ phase: "completed", runningVersion: TARGET, volumeNumber: 2, peerApiVersion: 21 });
        expect(sim.peerVersionRange()).toEqual({ min: 21, max: 21 });
        const client = AppgateClient.for(
            {
                endpoint: sim.adminUrl,
                username: "admin",
                password: "s3cret-Appgate-pw",
                identityProvider: "local",
            },
            env,
        );
        expect(client.auth.logins).toBe(2);
        expect(client.auth.negotiations).toBe(2); // v5 → v20 at first, v20 → v21 after the upgrade
        const calls = sim.calls.snapshot();
        expect(calls["appliances.status"]!.byStatus["502"]).toBeGreaterThan(0); // services stopped while installing
        expect(calls["login"]!.byStatus).toEqual({ "200": 2, "406": 2 });
        expect(sim.applianceCalls("controller-1")).toMatchObject({ prepare: 1, complete: 1 });
        expect(
            logs.some((l) =>
                /^\[controller-1\] complete: unreachable \(appgate (GET \/appliances\/status|POST \/login) .*(502|ECONNREFUSED)/.test(l),
            ),
        ).toBe(true);
        expect(logs.some((l) => l.startsWith("[controller-1] complete: reachable again after"))).toBe(true);
    });

    it("with switchPartition false stops at success, and switching later finishes the upgrade", async () => {
        await startSim();
        const installed = await create(inputs("gateway-2", { stage: "complete", switchPartition: false }));
        expect(installed).toMatchObject({ phase: "installed", upgradeStatus: "success", runningVersion: "6.3.2+36260", volumeNumber: 1 });
        expect(sim.appliance("gateway-2")).toMatchObject({ upgrade: { status: "success" }, volumeNumber: 1 });
        const switched = await update(installed, inputs("gateway-2", { stage: "complete", switchPartition: true }));
        expect(switched).toMatchObject({ phase: "completed", runningVersion: TARGET, volumeNumber: 2 });
        expect(sim.applianceCalls("gateway-2")).toEqual({ prepare: 1, complete: 1, switchPartition: 1, cancel: 0, upgrade: 0 });
    });

    it("does nothing on an appliance already at the target, and adopts an upgrade already prepared with the same image", async () => {
        await startSim({
            appliances: [{ name: "controller-1", role: "controller" }, { name: "gateway-1", version: TARGET }, { name: "gateway-2" }],
        });
        const current = await create(inputs("gateway-1", { stage: "complete" }));
        expect(current).toMatchObject({ phase: "current", runningVersion: TARGET });
        expect(sim.applianceCalls("gateway-1")).toMatchObject({ prepare: 0, complete: 0 });

        const first = await create(inputs("gateway-2"));
        env.clients.close(); // a new provider process, as far as sessions go
        const adopted = await create(inputs("gateway-2"));
        expect(adopted).toMatchObject({ phase: "prepared", preparedImage: IMAGE_FILE });
        expect(first.phase).toBe("prepared");
        expect(sim.applianceCalls("gateway-2").prepare).toBe(1);
        expect(logs.some((l) => l.includes("already prepared: adopting it"))).toBe(true);
    });

    it("never prepares twice through the idle-after-prepare race", async () => {
        await startSim({ timings: { ...FAST, idleAfterPrepareMs: 300 } });
        const out = await create(inputs("gateway-1"));
        expect(out.phase).toBe("prepared");
        expect(sim.appliance("gateway-1").raceReads).toBeGreaterThan(2); // the provider really read idle after its prepare
        expect(sim.applianceCalls("gateway-1").prepare).toBe(1);
    });

    it("two resources of one appliance in one run share the work: one prepare", async () => {
        await startSim({ timings: { ...FAST, downloadMs: 200 } });
        const [a, b] = await Promise.all([create(inputs("gateway-1")), create(inputs("gateway-1"))]);
        expect([a.phase, b.phase]).toEqual(["prepared", "prepared"]);
        expect(sim.applianceCalls("gateway-1").prepare).toBe(1);
    });

    it("logs in again when the controller rejects the token in the middle of a long wait (401)", async () => {
        await startSim({ timings: { ...FAST, downloadMs: 500 } });
        let forced = false;
        sim.on("upgrade-state", (a) => {
            if (a.upgrade.status === "downloading" && !forced) {
                forced = true;
                sim.expireTokens({ untilRefused: true });
            }
        });
        const out = await create(inputs("gateway-1"));
        expect(out.phase).toBe("prepared");
        expect(forced).toBe(true);
        expect(sim.logins).toBe(2);
        const refused = Object.values(sim.calls.snapshot()).reduce((n, c) => n + (c.byStatus["401"] ?? 0), 0);
        expect(refused).toBe(1);
        expect(sim.applianceCalls("gateway-1").prepare).toBe(1);
    });

    it("renews a short-lived token on its own during a long wait", async () => {
        await startSim({ tokenTtlMs: 200, timings: { ...FAST, downloadMs: 900 } });
        const out = await create(inputs("gateway-1"));
        expect(out.phase).toBe("prepared");
        expect(sim.logins).toBeGreaterThanOrEqual(3);
        expect(sim.applianceCalls("gateway-1").prepare).toBe(1);
    });
});

describe("guards and failures", () => {
    it("refuses a downgrade unless allowed, and a site mismatch, before touching the appliance", async () => {
        await startSim({
            appliances: [
                { name: "controller-1", role: "controller" },
                { name: "gateway-1", version: "6.5.0+50000", site: "North" },
            ],
        });
        await expect(create(inputs("gateway-1"))).rejects.toThrow(
            `appgate appliance gateway-1 (${sim.appliance("gateway-1").id}) on controller ${sim.adminUrl}: [targetVersion] 6.4.1+40123 is older than the running 6.5.0+50000; set allowDowngrade: true`,
        );
        await expect(create(inputs("gateway-1", { site: "South", allowDowngrade: true }))).rejects.toThrow(
            `[site] appliance gateway-1 belongs to site "North" (${sim.appliance("gateway-1").siteId}), not "South"`,
        );
        expect(sim.applianceCalls("gateway-1").prepare).toBe(0);
        const allowed = await create(inputs("gateway-1", { site: sim.appliance("gateway-1").siteId, allowDowngrade: true }));
        expect(allowed.phase).toBe("prepared");
        await expect(create(inputs("controller-1", { applianceId: "00000000-0000-4000-8000-000000000000" }))).rejects.toThrow(
            "the controller has no appliance with id 00000000-0000-4000-8000-000000000000",
        );
    });

    it("a failed image is an error naming appliance, controller, phase and details; the resource stays in state and resumes", async () => {
        await startSim();
        const bad = inputs("gateway-1", { imageUrl: sim.imageUrl("appgate-6.4.1-40123-release-corrupt.img.zip") });
        const error = await create(bad).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(ResourceNotReadyError);
        const partial = error as ResourceNotReadyError;
        expect(partial.id).toBe(sim.appliance("gateway-1").id);
        expect(partial.properties).toMatchObject({ phase: "failed", applianceName: "gateway-1" });
        expect(partial.message).toBe(
            `appgate appliance gateway-1 (${partial.id}) on controller ${sim.adminUrl}: preparing appgate-6.4.1-40123-release-corrupt.img.zip failed in state failed: ` +
                "appgate-6.4.1-40123-release-corrupt.img.zip: image signature verification failed (checksum mismatch)",
        );
        const fixed = await update(partial.properties as ApplianceUpgradeOutputs, inputs("gateway-1"));
        expect(fixed).toMatchObject({ phase: "prepared", preparedImage: IMAGE_FILE });
        expect(sim.applianceCalls("gateway-1").prepare).toBe(2);
        expect(logs.some((l) => l.includes("the last upgrade attempt failed"))).toBe(true);
    });

    it("an installation failure during complete keeps the resource in state with the appliance's details", async () => {
        await startSim();
        const prepared = await create(inputs("gateway-1"));
        sim.injectFailure("install", { appliance: "gateway-1", reason: "Installation failed: disk full" });
        const error = (await update(prepared, inputs("gateway-1", { stage: "complete" })).catch(
            (e: unknown) => e,
        )) as ResourceNotReadyError;
        expect(error).toBeInstanceOf(ResourceNotReadyError);
        expect(error.message).toContain("completing the upgrade to 6.4.1+40123 failed in state failed: Installation failed: disk full");
        expect(sim.appliance("gateway-1")).toMatchObject({ version: "6.3.2+36260", volumeNumber: 1 });
    });

    it("a pinned API version outside the controller's range is a clear error; a supported one is used as is", async () => {
        await startSim();
        await expect(
            create(
                inputs("gateway-1", {
                    connection: { endpoint: sim.url, username: "admin", password: "s3cret-Appgate-pw", apiVersion: 23 },
                }),
            ),
        ).rejects.toThrow("connection.apiVersion pins peer API v23, but the controller supports v18–v20");
        const pinned = await create(
            inputs("gateway-1", { connection: { endpoint: sim.url, username: "admin", password: "s3cret-Appgate-pw", apiVersion: 20 } }),
        );
        expect(pinned.peerApiVersion).toBe(20);
        expect(sim.calls.snapshot()["login"]!.byStatus).toEqual({ "200": 1, "406": 1 });
    });

    it("a prepare refused by a 503 is not retried and can be run again safely", async () => {
        await startSim();
        sim.faults.failNext(1, 503, "upgrade.prepare");
        await expect(create(inputs("gateway-1"))).rejects.toThrow(
            /preparing appgate-6\.4\.1-40123-release\.img\.zip failed: appgate POST \/appliances\/.+\/upgrade\/prepare on .+: 503/,
        );
        expect(sim.calls.snapshot()["upgrade.prepare"]!.received).toBe(1);
        expect((await create(inputs("gateway-1"))).phase).toBe("prepared");
        expect(sim.applianceCalls("gateway-1").prepare).toBe(1);
    });

    it("never puts the password in errors or progress lines", async () => {
        await startSim();
        const wrong = inputs("gateway-1", { connection: { endpoint: sim.adminUrl, username: "admin", password: "wrong-Password-1" } });
        const error = (await create(wrong).catch((e: unknown) => e)) as Error;
        expect(error.message).toContain("401");
        expect(error.message).toContain("Invalid username or password");
        expect(error.message).not.toContain("wrong-Password-1");
        await create(inputs("gateway-1"));
        expect(logs.join("\n")).not.toContain("s3cret-Appgate-pw");
    });
});

describe("image changes, refresh and destroy", () => {
    it("changing the image cancels this resource's prepared image and prepares the new one", async () => {
        await startSim();
        const first = await create(inputs("gateway-1"));
        const next = await update(first, inputs("gateway-1", { imageUrl: sim.imageUrl("6.4.2+40200"), targetVersion: "6.4.2+40200" }));
        expect(next).toMatchObject({ phase: "prepared", preparedImage: "appgate-6.4.2-40200-release.img.zip" });
        expect(sim.applianceCalls("gateway-1")).toMatchObject({ prepare: 2, cancel: 1 });
    });

    it("refuses to replace an image prepared by someone else", async () => {
        await startSim();
        await create(inputs("gateway-1", { imageUrl: sim.imageUrl("6.4.2+40200"), targetVersion: "6.4.2+40200" }));
        await expect(create(inputs("gateway-1"))).rejects.toThrow(
            "another upgrade is prepared on the appliance (appgate-6.4.2-40200-release.img.zip)",
        );
    });

    it("read reports drift through targetVersion: a cancelled preparation shows the running version", async () => {
        await startSim();
        const prepared = await create(inputs("gateway-1"));
        const same = await handler.read!(prepared.applianceId, prepared);
        expect(same.inputs!.targetVersion).toBe(TARGET);
        expect(same.props.upgradeStatus).toBe("ready");

        const client = AppgateClient.for(
            {
                endpoint: sim.adminUrl,
                username: "admin",
                password: "s3cret-Appgate-pw",
                identityProvider: "local",
            },
            env,
        );
        await client.cancel(prepared.applianceId);
        await eventually(() => (sim.appliance("gateway-1").upgrade.status === "idle" ? true : undefined));
        const drifted = await handler.read!(prepared.applianceId, prepared);
        expect(drifted.inputs!.targetVersion).toBe("6.3.2+36260");
        expect(drifted.props).toMatchObject({ upgradeStatus: "idle", preparedImage: "" });
        expect(drifted.inputs).not.toHaveProperty("phase");
        // The next update prepares again.
        expect((await update(drifted.props, inputs("gateway-1"))).phase).toBe("prepared");
    });

    it("destroy cancels a prepared upgrade and waits for idle; after completion it only forgets", async () => {
        await startSim();
        const prepared = await create(inputs("gateway-1"));
        await handler.delete!(prepared.applianceId, prepared);
        expect(sim.appliance("gateway-1")).toMatchObject({ upgrade: { status: "idle" }, preparedImage: undefined });
        expect(sim.applianceCalls("gateway-1").cancel).toBe(1);

        const completed = await create(inputs("gateway-2", { stage: "complete" }));
        await handler.delete!(completed.applianceId, completed);
        expect(sim.applianceCalls("gateway-2")).toMatchObject({ cancel: 0 });
        expect(sim.appliance("gateway-2").version).toBe(TARGET);
        expect(logs.some((l) => l.includes("destroy only forgets this resource"))).toBe(true);
    });

    it("destroy of a failed preparation cancels it back to idle", async () => {
        await startSim();
        const error = (await create(inputs("gateway-1", { imageUrl: sim.imageUrl("appgate-6.4.1-40123-release-corrupt.img.zip") })).catch(
            (e: unknown) => e,
        )) as ResourceNotReadyError;
        expect(error).toBeInstanceOf(ResourceNotReadyError);
        expect(error.properties).toMatchObject({ phase: "failed", preparedImage: "appgate-6.4.1-40123-release-corrupt.img.zip" });
        await handler.delete!(error.id, error.properties as ApplianceUpgradeOutputs);
        expect(sim.appliance("gateway-1").upgrade).toEqual({ status: "idle", details: "" });
        expect(sim.applianceCalls("gateway-1").cancel).toBe(1);
    });

    it("destroy leaves an upgrade prepared by someone else alone", async () => {
        await startSim();
        const mine = await create(inputs("gateway-1"));
        const client = AppgateClient.for(
            {
                endpoint: sim.adminUrl,
                username: "admin",
                password: "s3cret-Appgate-pw",
                identityProvider: "local",
            },
            env,
        );
        await client.cancel(mine.applianceId);
        await eventually(() => (sim.appliance("gateway-1").upgrade.status === "idle" ? true : undefined));
        await client.prepare(mine.applianceId, sim.imageUrl("6.4.2+40200"));
        await eventually(() => (sim.appliance("gateway-1").upgrade.status === "ready" ? true : undefined));
        await handler.delete!(mine.applianceId, mine);
        expect(sim.appliance("gateway-1").upgrade).toEqual({ status: "ready", details: "appgate-6.4.2-40200-release.img.zip" });
        expect(sim.applianceCalls("gateway-1").cancel).toBe(1);
    });
});
