import { startAviSimulator, type AviSimulator } from "../../../simulators/avi";
import { aviClient, eventually, FAST_AVI, http, httpOrErrorCode, multipartBody, packageFile } from "./sim-helpers";

let sim: AviSimulator;
afterEach(async () => {
    await sim?.stop();
});

type Client = Awaited<ReturnType<typeof aviClient>>;

async function uploadPackage(client: Client, version = "22.1.7"): Promise<{ uuid: string; tag: string }> {
    const pkg = await packageFile({ version });
    const { body, contentType } = multipartBody(pkg.bytes);
    const upload = await client.call("/api/image", { method: "POST", body, headers: { "Content-Type": contentType } });
    expect(upload.status).toBe(201);
    const uuid: string = upload.body.uuid;
    await eventually(async () =>
        (await client.call(`/api/image/${uuid}`)).body.img_state.state === "IMAGE_FSM_COMPLETED" ? true : undefined,
    );
    return { uuid, tag: pkg.tag };
}

/** The records, or [] while the controller reboots; logs in again when the reboot voided the session. */
async function records(client: Client): Promise<any[]> {
    try {
        const result = await client.call("/api/upgradestatusinfo");
        if (result.status === 401) await client.login();
        return result.status === 200 ? result.body.results : [];
    } catch {
        return [];
    }
}

describe("Avi simulator: sessions", () => {
    test("login sets csrftoken, sessionid and avi-sessionid; unsafe calls need the CSRF token (401 plain text)", async () => {
        sim = await startAviSimulator({ timings: FAST_AVI });
        const client = await aviClient(sim);
        expect([...client.cookies.keys()].sort()).toEqual(["avi-sessionid", "csrftoken", "sessionid"]);
        expect(client.loginResult.body.version.Version).toBe("22.1.6");
        const noCsrf = await client.call("/api/upgrade", { method: "POST", json: {}, headers: { "X-CSRFToken": "wrong" } });
        expect(noCsrf.status).toBe(401);
        expect(noCsrf.headers["content-type"]).toBe("text/plain");
        expect(noCsrf.text).toBe("CSRF token missing or incorrect.");
        const noVersion = await http(`${sim.url}/api/cluster`, { headers: { Cookie: client.headers().Cookie } });
        expect(noVersion.status).toBe(400);
        expect((await client.call("/api/cluster")).body.uuid).toBe(sim.clusterUuid);
    });

    test("an expired session answers 401 by default and 419 with the knob; a new login works", async () => {
        sim = await startAviSimulator({ timings: FAST_AVI });
        const client = await aviClient(sim);
        sim.expireSessions();
        expect((await client.call("/api/cluster")).status).toBe(401);
        sim.configure({ expiredSessionStatus: 419 });
        expect((await client.call("/api/cluster")).status).toBe(419);
        await client.login();
        expect((await client.call("/api/cluster")).status).toBe(200);
    });

    test("a rotated CSRF token voids the old one", async () => {
        sim = await startAviSimulator({ timings: FAST_AVI, settings: { rotateCsrfEvery: 1 } });
        const client = await aviClient(sim);
        const before = client.cookies.get("csrftoken");
        await client.call("/api/cluster");
        expect(client.cookies.get("csrftoken")).not.toBe(before);
        const stale = await client.call("/api/upgrade", { method: "POST", json: {}, headers: { "X-CSRFToken": before! } });
        expect(stale.status).toBe(401);
    });
});

describe("Avi simulator: images", () => {
    test("a streamed multipart upload becomes IMAGE_FSM_COMPLETED with the package's build tag", async () => {
        sim = await startAviSimulator({ timings: FAST_AVI });
        const client = await aviClient(sim);
        const { uuid, tag } = await uploadPackage(client);
        const image = (await client.call(`/api/image/${uuid}`)).body;
        expect(image.controller_info.build.tag).toBe(tag);
        expect(image.type).toBe("IMAGE_TYPE_SYSTEM");
        expect((await client.call("/api/image")).body.count).toBe(1);
    });

    test("a file that is no package ends IMAGE_FSM_FAILED; the status-only knob answers without a uuid", async () => {
        sim = await startAviSimulator({ timings: FAST_AVI, settings: { imageUploadResponse: "status" } });
        const client = await aviClient(sim);
        const { body, contentType } = multipartBody(Buffer.alloc(4096, 1), "junk.pkg");
        const upload = await client.call("/api/image", { method: "POST", body, headers: { "Content-Type": contentType } });
        expect(upload.status).toBe(200);
        expect(upload.body.uuid).toBeUndefined();
        const failed = await eventually(async () =>
            (await client.call("/api/image")).body.results.find((i: any) => i.img_state.state === "IMAGE_FSM_FAILED"),
        );
        expect(failed.img_state.reason).toMatch(/bootstrap\/VERSION/);
    });
});

describe("Avi simulator: upgrade", () => {
    test("system upgrade: CONTROLLER_COMPLETED with progress 100 while SE groups run, reboot voids sessions, every record COMPLETED at the end", async () => {
        // SE group tasks long enough that polling sees the cluster at progress 100 while they run.
        sim = await startAviSimulator({ timings: { ...FAST_AVI, controllerTaskMs: 50, seGroupTaskMs: 50 } });
        const client = await aviClient(sim);
        const { uuid, tag } = await uploadPackage(client);
        const second = multipartBody((await packageFile({ version: "22.1.8" })).bytes);
        const wentOffline = new Promise<void>((resolve) => sim.once("offline", () => resolve()));
        const start = await client.call("/api/upgrade", { method: "POST", json: { image_uuid: uuid, system: true, skip_warnings: true } });
        expect(start.status).toBe(200);
        const again = await client.call("/api/upgrade", { method: "POST", json: { image_uuid: uuid, system: true } });
        expect(again.status).toBe(409);
        expect(
            (await client.call("/api/image", { method: "POST", body: second.body, headers: { "Content-Type": second.contentType } }))
                .status,
        ).toBe(403);

        await wentOffline;
        expect(await httpOrErrorCode(`${sim.url}/api/cluster`)).toBe("ECONNREFUSED");
        await sim.whenOnline();
        const afterReboot = await eventually(async () => {
            const r = await httpOrErrorCode(`${sim.url}/api/cluster`, { headers: client.headers() });
            return typeof r !== "string" && r.status !== 503 ? r : undefined;
        });
        expect(afterReboot.status).toBe(401); // the reboot voided the session
        await client.login();

        const seen = new Set<string>();
        const done = await eventually(
            async () => {
                const all = await records(client);
                const cluster = all.find((r) => r.node_type === "NODE_CONTROLLER_CLUSTER");
                if (cluster) seen.add(`${cluster.state.state}:${cluster.progress}`);
                return all.length > 0 && all.every((r) => r.state.state === "UPGRADE_FSM_COMPLETED") ? all : undefined;
            },
            2000,
            1,
        );
        expect(seen.has("UPGRADE_FSM_CONTROLLER_COMPLETED:100") || seen.has("UPGRADE_FSM_SE_UPGRADE_IN_PROGRESS:100")).toBe(true);
        expect(done.map((r) => r.version)).toEqual([tag, tag, tag]);
        expect(done[0].previous_version).toBe("22.1.6-9191-20231004.120000");
        expect(done[0].history.at(-1)).toMatchObject({ ops: "UPGRADE", state: "UPGRADE_FSM_COMPLETED" });
        expect(sim.version).toBe("22.1.7");
        expect(sim.calls.succeeded("upgrade.start")).toBe(1);
    });

    test("prechecks_only with a warning ends PRE_CHECK_WARNING; an upgrade without skip_warnings stops there too", async () => {
        sim = await startAviSimulator({
            timings: FAST_AVI,
            settings: { precheckWarnings: [{ check_code: "SYSERR_BACKUP_OLD", description: "No recent backup." }] },
        });
        const client = await aviClient(sim);
        const { uuid } = await uploadPackage(client);
        expect(
            (await client.call("/api/upgrade", { method: "POST", json: { image_uuid: uuid, system: true, prechecks_only: true } })).status,
        ).toBe(200);
        const warned = await eventually(async () => {
            const all = await records(client);
            return all.every((r) => r.state.state === "UPGRADE_PRE_CHECK_WARNING") ? all : undefined;
        });
        expect(warned[0].upgrade_readiness.checks.map((c: any) => c.check_code)).toContain("SYSERR_BACKUP_OLD");
        expect((await client.call("/api/upgrade", { method: "POST", json: { image_uuid: uuid, system: true } })).status).toBe(200);
        await eventually(async () =>
            (await records(client)).every(
                (r) => r.state.state === "UPGRADE_PRE_CHECK_WARNING" && r.upgrade_ops === "UPGRADE" && !sim.upgradeBusy,
            )
                ? true
                : undefined,
        );
        expect(sim.version).toBe("22.1.6");
    });

    test("an SE group failure suspends it; resuming finishes the upgrade", async () => {
        sim = await startAviSimulator({ timings: FAST_AVI });
        const client = await aviClient(sim);
        const { uuid, tag } = await uploadPackage(client);
        sim.inject({ target: "segroup", seGroup: "sg-east" });
        await client.call("/api/upgrade", { method: "POST", json: { image_uuid: uuid, system: true } });
        const suspended = await eventually(
            async () => (await records(client)).find((r) => r.state.state === "UPGRADE_FSM_SUSPENDED"),
            3000,
            2,
        );
        expect(suspended.name).toBe("sg-east");
        expect(suspended.reason).toMatch(/sg-east/);
        expect(sim.upgradeBusy).toBe(true);
        const resume = await client.call("/api/resumesegroup", {
            method: "POST",
            json: { se_group_refs: [`${sim.url}/api/serviceenginegroup/${suspended.uuid}`] },
        });
        expect(resume.status).toBe(200);
        const done = await eventually(async () => {
            const all = await records(client);
            return all.every((r) => r.state.state === "UPGRADE_FSM_COMPLETED") ? all : undefined;
        });
        expect(done.map((r) => r.version)).toEqual([tag, tag, tag]);
        expect(done.find((r) => r.name === "sg-east").upgrade_ops).toBe("SEGROUP_RESUME");
    });

    test("a controller error rolls back: the cluster record ends ROLLBACK COMPLETED at the previous version", async () => {
        sim = await startAviSimulator({ timings: FAST_AVI });
        const client = await aviClient(sim);
        const { uuid } = await uploadPackage(client);
        sim.inject({ target: "controller", outcome: "ERROR", task: "COPY_AND_VERIFY_IMAGE", reason: "Disk full." });
        await client.call("/api/upgrade", { method: "POST", json: { image_uuid: uuid, system: true } });
        const rolledBack = await eventually(async () =>
            (await records(client)).find((r) => r.upgrade_ops === "ROLLBACK" && r.state.state === "UPGRADE_FSM_COMPLETED"),
        );
        expect(rolledBack.version).toBe("22.1.6-9191-20231004.120000");
        expect(rolledBack.history.some((h: any) => h.state === "UPGRADE_FSM_ERROR" && /Disk full/.test(h.reason))).toBe(true);
        expect((await records(client)).filter((r) => r.node_type === "NODE_SE_GROUP").map((r) => r.state.state)).toEqual([
            "UPGRADE_FSM_ABORTED",
            "UPGRADE_FSM_ABORTED",
        ]);
    });

    test("X-Avi-Version 20.1.1 omits fields introduced later; PATCH takes Avi's replace form", async () => {
        sim = await startAviSimulator({ timings: FAST_AVI });
        const old = await aviClient(sim, "20.1.1");
        const record = (await old.call(`/api/upgradestatusinfo/${sim.clusterUuid}`)).body;
        expect(record.history).toBeUndefined();
        expect(record.progress).toBe(100);
        const patched = await old.call(`/api/upgradestatusinfo/${sim.clusterUuid}`, {
            method: "PATCH",
            json: { replace: { clean: true } },
        });
        expect(patched.status).toBe(200);
        expect(patched.body.clean).toBe(true);
        expect((await old.call(`/api/upgradestatusinfo/${sim.clusterUuid}`, { method: "PATCH", json: { clean: true } })).status).toBe(400);
    });
});
