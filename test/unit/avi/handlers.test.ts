import { ResourceNotReadyError, type ResourceHandler } from "../../../provider/core/dynamic";
import { handlerEnv, processEnv, type HandlerEnv } from "../../../provider/core/env";
import { VendorFailureError } from "../../../provider/core/errors";
import {
    controllerImageHandler as imageFactory,
    type ImageInputs,
    type ImageOutputs,
} from "../../../provider/avi/controller-image-handler";
import {
    controllerUpgradeHandler as upgradeFactory,
    type UpgradeInputs,
    type UpgradeOutputs,
} from "../../../provider/avi/controller-upgrade-handler";
import { getUpgradeStatusInfo } from "../../../provider/avi/upgrade-status-info";
import { startAviSimulator, type AviSimulator, type AviSimulatorOptions } from "../../../simulators/avi";
import { aviClient, FAST_AVI, packageFile } from "./sim-helpers";

let sim: AviSimulator;
const logs: string[] = [];
let logSpy: jest.SpyInstance;
let env: HandlerEnv;
let controllerImageHandler: ResourceHandler<ImageInputs, ImageOutputs>;
let controllerUpgradeHandler: ResourceHandler<UpgradeInputs, UpgradeOutputs>;

beforeEach(() => {
    env = handlerEnv();
    controllerImageHandler = imageFactory(env) as ResourceHandler<ImageInputs, ImageOutputs>;
    controllerUpgradeHandler = upgradeFactory(env) as ResourceHandler<UpgradeInputs, UpgradeOutputs>;
    logs.length = 0;
    logSpy = jest.spyOn(console, "log").mockImplementation((line: string) => void logs.push(line));
});
afterEach(async () => {
    logSpy.mockRestore();
    env.clients.close();
    processEnv.clients.close();
    await sim?.stop();
});

async function start(options: AviSimulatorOptions = {}): Promise<AviSimulator> {
    sim = await startAviSimulator({ ...options, timings: { ...FAST_AVI, ...(options.timings ?? {}) } });
    return sim;
}

const connection = () => ({ endpoint: sim.url, username: sim.username, password: sim.password });
const fast = { pollIntervalSeconds: 0.01, waitTimeoutSeconds: 60 };

async function image(version = "22.1.7"): Promise<{ outs: ImageOutputs; tag: string; path: string }> {
    const pkg = await packageFile({ version });
    const { outs } = await controllerImageHandler.create({ __logName: "img", connection: connection(), file: pkg.path, ...fast });
    return { outs, tag: pkg.tag, path: pkg.path };
}

async function upgrade(imageUuid: string, extra: Record<string, unknown> = {}) {
    return controllerUpgradeHandler.create({ __logName: "upg", connection: connection(), imageUuid, ...fast, ...extra });
}

describe("avi:ControllerImage", () => {
    test("uploads once, waits for IMAGE_FSM_COMPLETED, and adopts the same package the second time", async () => {
        await start();
        const first = await image();
        expect(first.outs).toMatchObject({
            state: "IMAGE_FSM_COMPLETED",
            tag: first.tag,
            imageVersion: "22.1.7",
            type: "IMAGE_TYPE_SYSTEM",
            adopted: false,
        });
        expect(first.outs.sha256).toMatch(/^[0-9a-f]{64}$/);
        const again = await controllerImageHandler.create({ connection: connection(), file: first.path, ...fast });
        expect(again.outs).toMatchObject({ uuid: first.outs.uuid, adopted: true, sha256: first.outs.sha256 });
        expect(sim.calls.received("images.upload")).toBe(1);
    });

    test("finds its image when the upload answer carries no uuid", async () => {
        await start({ settings: { imageUploadResponse: "status" } });
        const { outs } = await image();
        expect(outs.uuid).toMatch(/^image-/);
        expect(outs.state).toBe("IMAGE_FSM_COMPLETED");
    });

    test("IMAGE_FSM_FAILED becomes an error with the controller's reason", async () => {
        await start();
        sim.inject({ target: "image", reason: "Package signature invalid." });
        await expect(image()).rejects.toThrow(/IMAGE_FSM_FAILED: Package signature invalid/);
    });
});

describe("avi:ControllerUpgrade", () => {
    test("waits until EVERY record is COMPLETED at the target (not when the cluster record completes early), through the reboot, with one start", async () => {
        // The cluster record reads COMPLETED while the SE groups still run: returning then would be wrong.
        await start({ settings: { clusterWhileSeGroups: "completed" }, timings: { seGroupTaskMs: 40 } });
        const { outs: img, tag } = await image();
        let reboots = 0;
        sim.on("offline", () => reboots++);
        const { id, outs } = await upgrade(img.uuid);
        expect(id).toBe(sim.clusterUuid);
        expect(outs).toMatchObject({ state: "COMPLETED", version: tag, previousVersion: "22.1.6-9191-20231004.120000", targetTag: tag });
        const records = await getUpgradeStatusInfo({ connection: connection() });
        expect(records.map((r) => [r.state.state, r.version])).toEqual([
            ["UPGRADE_FSM_COMPLETED", tag],
            ["UPGRADE_FSM_COMPLETED", tag],
            ["UPGRADE_FSM_COMPLETED", tag],
        ]);
        expect(sim.calls.succeeded("upgrade.start")).toBe(1);
        expect(sim.logins).toBeGreaterThanOrEqual(2); // the reboot voided the first session
        expect(reboots).toBe(1);

        const second = await upgrade(img.uuid);
        expect(second.outs.state).toBe("COMPLETED");
        expect(sim.calls.received("upgrade.start")).toBe(1);
    });

    test("adopts an upgrade to the same image that is already running", async () => {
        // Slow enough that the upgrade still runs when the handler first reads the records.
        await start({ timings: { controllerTaskMs: 100, seGroupTaskMs: 100 } });
        const { outs: img, tag } = await image();
        const raw = await aviClient(sim);
        expect((await raw.call("/api/upgrade", { method: "POST", json: { image_uuid: img.uuid, system: true } })).status).toBe(200);
        const { outs } = await upgrade(img.uuid);
        expect(outs.version).toBe(tag);
        expect(sim.calls.received("upgrade.start")).toBe(1);
        expect(logs.some((l) => /adopting the upgrade already running/.test(l))).toBe(true);
    });

    test("prechecks with a warning fail without skipWarnings (nothing upgraded) and pass with it", async () => {
        await start({ settings: { precheckWarnings: [{ check_code: "SYSERR_BACKUP_OLD", description: "No backup in 7 days." }] } });
        const { outs: img, tag } = await image();
        await expect(upgrade(img.uuid, { prechecks: true })).rejects.toThrow(/SYSERR_BACKUP_OLD.*skipWarnings/);
        expect(sim.version).toBe("22.1.6");
        const { outs } = await upgrade(img.uuid, { prechecks: true, skipWarnings: true });
        expect(outs.version).toBe(tag);
        expect(outs.precheckResults).toContainEqual({
            checkCode: "SYSERR_BACKUP_OLD",
            state: "WARNING",
            description: "No backup in 7 days.",
        });
        expect(sim.calls.received("upgrade.start")).toBe(3); // failed prechecks, passing prechecks, the upgrade
    });

    test("a suspended SE group keeps the resource in state with how to resume; resumeSuspended finishes it", async () => {
        await start();
        const { outs: img, tag } = await image();
        sim.inject({ target: "segroup", seGroup: "sg-east", reason: "SE se-2 did not come back." });
        const failure = await upgrade(img.uuid).catch((e: unknown) => e);
        expect(failure).toBeInstanceOf(ResourceNotReadyError);
        expect((failure as Error).message).toMatch(/sg-east.*SE se-2 did not come back.*resumeSuspended: true/);
        const partial = (failure as ResourceNotReadyError).properties as any;
        const { outs } = await controllerUpgradeHandler.update!(sim.clusterUuid, partial, { ...partial, resumeSuspended: true });
        expect(outs.state).toBe("COMPLETED");
        expect(outs.records.map((r) => r.version)).toEqual([tag, tag, tag]);
        expect(sim.calls.received("upgrade.start")).toBe(1);
        expect(sim.calls.succeeded("segroup.resume")).toBe(1);
    });

    test("a controller error and its automatic rollback fail with the reason", async () => {
        await start();
        const { outs: img } = await image();
        sim.inject({
            target: "controller",
            outcome: "ERROR",
            task: "MIGRATE_CONFIG",
            reason: "Config migration failed: duplicate VS name.",
        });
        const error = await upgrade(img.uuid).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(VendorFailureError);
        expect((error as Error).message).toMatch(
            /avi controller http:\/\/127\.0\.0\.1:\d+: upgrade failed .*Config migration failed: duplicate VS name/,
        );
        expect((error as Error).message).not.toContain(sim.password === "admin" ? "password" : sim.password);
    });

    test("ENQUEUE_FAILED fails at once", async () => {
        await start();
        const { outs: img } = await image();
        sim.inject({ target: "upgrade", outcome: "ENQUEUE_FAILED", reason: "Lock held by another operation." });
        await expect(upgrade(img.uuid)).rejects.toThrow(/UPGRADE_FSM_ENQUEUE_FAILED: Lock held by another operation/);
    });

    test("survives session expiry (419), CSRF rotation and 503s mid-wait", async () => {
        await start({ settings: { expiredSessionStatus: 419, rotateCsrfEvery: 3, sessionIdleMs: 60_000 }, timings: { seGroupTaskMs: 30 } });
        const { outs: img, tag } = await image();
        const expiring = setInterval(() => sim.expireSessions(), 100);
        sim.faults.failNext(3, 503, "usi.list");
        try {
            const { outs } = await upgrade(img.uuid);
            expect(outs.version).toBe(tag);
        } finally {
            clearInterval(expiring);
        }
        // Exactly one start took effect. A start the controller refused with 419/401 (session expired
        // under it, so it did not act) may be sent once more after the re-login, never another kind of retry.
        expect(sim.calls.succeeded("upgrade.start")).toBe(1);
        const startStats = sim.calls.snapshot()["upgrade.start"]!;
        const refusedForAuth = (startStats.byStatus["419"] ?? 0) + (startStats.byStatus["401"] ?? 0);
        expect(startStats.received).toBe(1 + refusedForAuth);
        const answers = Object.values(sim.calls.snapshot()).map((stats) => stats.byStatus["419"] ?? 0);
        expect(answers.reduce((a, b) => a + b, 0)).toBeGreaterThan(0); // sessions really expired mid-wait
        expect(sim.logins).toBeGreaterThanOrEqual(3);
    });

    test("the wait budget running out keeps the resource in state; the next update resumes the wait", async () => {
        await start({ timings: { seGroupTaskMs: 200 } });
        const { outs: img, tag } = await image();
        const failure = await upgrade(img.uuid, { waitTimeoutSeconds: 1 }).catch((e: unknown) => e);
        expect(failure).toBeInstanceOf(ResourceNotReadyError);
        const partial = (failure as ResourceNotReadyError).properties as any;
        const { outs } = await controllerUpgradeHandler.update!(sim.clusterUuid, partial, { ...partial, waitTimeoutSeconds: 60 });
        expect(outs.version).toBe(tag);
        expect(sim.calls.received("upgrade.start")).toBe(1);
    });
});

describe("avi:ControllerUpgrade with prechecks already running", () => {
    test("lets a prechecks-only run finish, then upgrades (one upgrade start of its own)", async () => {
        await start({ timings: { precheckMs: 200 } });
        const { outs: img, tag } = await image();
        const raw = await aviClient(sim);
        expect(
            (await raw.call("/api/upgrade", { method: "POST", json: { image_uuid: img.uuid, system: true, prechecks_only: true } })).status,
        ).toBe(200);
        const { outs } = await upgrade(img.uuid);
        expect(outs.version).toBe(tag);
        expect(logs.some((l) => /waiting for the prechecks already running/.test(l))).toBe(true);
        expect(sim.calls.received("upgrade.start")).toBe(2); // theirs (prechecks only) and ours
    });
});

describe("avi:ControllerUpgrade against the other side of the unknowns", () => {
    test("an empty start answer is fine; with CONTINUE an SE group ERROR fails the upgrade although the others COMPLETED", async () => {
        await start({ settings: { upgradeResponse: "empty", busyStatus: 400 } });
        const { outs: img } = await image();
        sim.inject({ target: "segroup", seGroup: "Default-Group", reason: "SE se-1 lost its management link." });
        await expect(upgrade(img.uuid, { actionOnError: "CONTINUE_UPGRADE_OPS_ON_ERROR" })).rejects.toThrow(
            /upgrade failed .*Default-Group: UPGRADE_FSM_ERROR: SE group Default-Group: SE se-1 lost its management link/,
        );
        expect(sim.calls.received("upgrade.start")).toBe(1);
    });
});
