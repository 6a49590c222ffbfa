/** Both sides of the simulator's knobs for the facts avi.md marks unknown or inferred, and the remaining injections. */
import { startAviSimulator, type AviSimulator } from "../../../simulators/avi";
import { aviClient, eventually, FAST_AVI, http, multipartBody, packageFile } from "./sim-helpers";

let sim: AviSimulator;
afterEach(async () => {
    await sim?.stop();
});

type Client = Awaited<ReturnType<typeof aviClient>>;

async function processedImage(client: Client): Promise<string> {
    const { body, contentType } = multipartBody((await packageFile({ version: "22.1.7" })).bytes);
    const uuid: string = (await client.call("/api/image", { method: "POST", body, headers: { "Content-Type": contentType } })).body.uuid;
    await eventually(async () =>
        (await client.call(`/api/image/${uuid}`)).body.img_state.state === "IMAGE_FSM_COMPLETED" ? true : undefined,
    );
    return uuid;
}

async function settled(client: Client): Promise<any[]> {
    return eventually(
        async () => {
            const finishedBefore = !sim.upgradeBusy; // read before the request, so the records are not older than the verdict
            const result = await client.call("/api/upgradestatusinfo").catch(() => undefined);
            if (result?.status === 401) await client.login();
            return result?.status === 200 && finishedBefore ? (result.body.results as any[]) : undefined;
        },
        3000,
        2,
    );
}

test("upgradeResponse and busyStatus: a status body and 409 by default, an empty body and 400 with the knobs", async () => {
    sim = await startAviSimulator({ timings: FAST_AVI, settings: { upgradeResponse: "empty", busyStatus: 400 } });
    const client = await aviClient(sim);
    const uuid = await processedImage(client);
    const start = await client.call("/api/upgrade", { method: "POST", json: { image_uuid: uuid, system: true } });
    expect(start).toMatchObject({ status: 200, text: "" });
    expect((await client.call("/api/upgrade", { method: "POST", json: { image_uuid: uuid, system: true } })).status).toBe(400);
    await settled(client);
    sim.configure({ upgradeResponse: "status", busyStatus: 409 });
    const again = await client.call("/api/upgrade", {
        method: "POST",
        json: { image_ref: `${sim.url}/api/image/${uuid}#22.1.7`, system: true, prechecks_only: true },
    });
    expect(again.body).toEqual({ status: "Prechecks started" });
    expect((await client.call("/api/upgrade", { method: "POST", json: { image_uuid: uuid, system: true } })).status).toBe(409);
});

test("requireVersionHeader false renders in the controller's version; resumePaths limits the resume path", async () => {
    sim = await startAviSimulator({
        timings: FAST_AVI,
        settings: { requireVersionHeader: false, resumePaths: ["/api/upgrade/resumesegroup"] },
    });
    const client = await aviClient(sim);
    const noVersion = await http(`${sim.url}/api/upgradestatusinfo/${sim.clusterUuid}`, { headers: { Cookie: client.headers().Cookie } });
    expect(noVersion.status).toBe(200);
    expect(noVersion.body.history).toEqual([]);
    expect((await client.call("/api/resumesegroup", { method: "POST", json: {} })).status).toBe(404);
    expect((await client.call("/api/upgrade/resumesegroup", { method: "POST", json: {} })).status).toBe(400); // nothing suspended
});

test("action_on_error CONTINUE: the failed SE group ends ERROR, the other COMPLETED, the cluster ERROR", async () => {
    sim = await startAviSimulator({ timings: FAST_AVI });
    const client = await aviClient(sim);
    const uuid = await processedImage(client);
    sim.inject({ target: "segroup", seGroup: "Default-Group", reason: "SE down." });
    await client.call("/api/upgrade", {
        method: "POST",
        json: { image_uuid: uuid, system: true, se_group_options: { action_on_error: "CONTINUE_UPGRADE_OPS_ON_ERROR" } },
    });
    const records = await settled(client);
    expect(records.map((r) => [r.name, r.state.state])).toEqual([
        ["cluster-0-1", "UPGRADE_FSM_ERROR"],
        ["Default-Group", "UPGRADE_FSM_ERROR"],
        ["sg-east", "UPGRADE_FSM_COMPLETED"],
    ]);
});

test("action_on_error ROLLBACK: the failed SE group ends ERROR at its old version, the rest ABORTED", async () => {
    sim = await startAviSimulator({ timings: FAST_AVI });
    const client = await aviClient(sim);
    const uuid = await processedImage(client);
    sim.inject({ target: "segroup", reason: "SE down." });
    await client.call("/api/upgrade", {
        method: "POST",
        json: { image_uuid: uuid, system: true, se_group_options: { action_on_error: "ROLLBACK_UPGRADE_OPS_ON_ERROR" } },
    });
    const records = await settled(client);
    expect(records.map((r) => [r.name, r.state.state])).toEqual([
        ["cluster-0-1", "UPGRADE_FSM_ERROR"],
        ["Default-Group", "UPGRADE_FSM_ERROR"],
        ["sg-east", "UPGRADE_FSM_ABORTED"],
    ]);
    expect(records[1].version).toBe("22.1.6-9191-20231004.120000");
});

test("ABORTED: ABORT_IN_PROGRESS, then every concerned record ABORTED; ENQUEUE_FAILED at once", async () => {
    sim = await startAviSimulator({ timings: FAST_AVI });
    const client = await aviClient(sim);
    const uuid = await processedImage(client);
    sim.inject({ target: "controller", outcome: "ABORTED", reason: "Rollback failed." });
    await client.call("/api/upgrade", { method: "POST", json: { image_uuid: uuid, system: true } });
    expect((await settled(client)).map((r) => r.state.state)).toEqual([
        "UPGRADE_FSM_ABORTED",
        "UPGRADE_FSM_ABORTED",
        "UPGRADE_FSM_ABORTED",
    ]);
    sim.inject({ target: "upgrade", outcome: "ENQUEUE_FAILED" });
    await client.call("/api/upgrade", { method: "POST", json: { image_uuid: uuid, system: true } });
    const failed = await settled(client);
    expect(failed.map((r) => r.state.state)).toEqual([
        "UPGRADE_FSM_ENQUEUE_FAILED",
        "UPGRADE_FSM_ENQUEUE_FAILED",
        "UPGRADE_FSM_ENQUEUE_FAILED",
    ]);
    expect(failed[0].reason).toMatch(/could not be enqueued/);
});

test("the CLI vendor entry starts controllers with its options", async () => {
    const { aviVendor } = await import("../../../simulators/avi");
    const devices = await aviVendor.startDevices({
        count: 1,
        host: "127.0.0.1",
        port: 0,
        log: () => undefined,
        extra: { version: "21.1.4", "se-groups": "a,b,c" },
        speed: 100,
    });
    sim = devices[0] as AviSimulator;
    expect(sim.version).toBe("21.1.4");
    expect(sim.records().map((r) => r["name"])).toEqual(["cluster-0-1", "a", "b", "c"]);
});
