/**
 * The Appgate simulator on its own: versioned Accept and 406 negotiation data, login and token
 * expiry, the per-appliance upgrade state machine with its preconditions and changes, reboots
 * (gateway: 502 through the controller; primary controller: connections refused, tokens dropped,
 * peer version bumped), the idle-after-prepare race, bad images, control API, faults and the CLI.
 */
import { once } from "node:events";
import { CliUsageError, runCli } from "../../../simulators/cli";
import {
    appgateImageFileName,
    peerVersionOf,
    parseApplianceVersion,
    REBOOT_REQUIRED_DETAILS,
    stableAppgateId,
    startAppgateFleet,
    startAppgateSimulator,
    type AppgateSimulator,
} from "../../../simulators/appgate";
import { accept, adminClient, DEVICE_ID, eventually, FAST, http, httpOrErrorCode } from "./helpers";

const IMAGE = "6.4.1+40123";
const IMAGE_FILE = "appgate-6.4.1-40123-release.img.zip";

describe("Appgate simulator: API versioning and login", () => {
    let sim: AppgateSimulator;
    beforeAll(async () => {
        sim = await startAppgateSimulator({ timings: FAST, tokenTtlMs: 60_000 });
    });
    afterAll(() => sim.stop());

    it("answers GET /version without auth and maps releases to peer versions", async () => {
        const version = await http(`${sim.adminUrl}/version`, { headers: { Accept: "application/json" } });
        expect(version.status).toBe(200);
        expect(version.body).toEqual({ peerVersion: 20, lowestPeerVersionSupported: 18 });
        expect(peerVersionOf(parseApplianceVersion("6.2.9"))).toBe(19);
        expect(peerVersionOf(parseApplianceVersion("6.6.0"))).toBe(24);
        expect(peerVersionOf(parseApplianceVersion("6.7.0"))).toBe(25);
    });

    it("refuses a login with an unsupported peer version with 406 and the supported range, then accepts the maximum", async () => {
        const body = { providerName: "local", username: "admin", password: "admin", deviceId: DEVICE_ID };
        const probe = await http(`${sim.adminUrl}/login`, { method: "POST", headers: accept(5), json: body });
        expect(probe.status).toBe(406);
        expect(probe.body).toMatchObject({ id: "not acceptable", minSupportedVersion: 18, maxSupportedVersion: 20 });
        expect(probe.body.message).toContain("peer-v5");
        const ok = await http(`${sim.adminUrl}/login`, { method: "POST", headers: accept(probe.body.maxSupportedVersion), json: body });
        expect(ok.status).toBe(200);
        expect(ok.body).toMatchObject({ token: expect.any(String), user: { name: "admin" } });
        expect(Date.parse(ok.body.expires)).toBeGreaterThan(Date.now());
        expect(Buffer.from(ok.body.token, "base64").toString("base64")).toBe(ok.body.token);
    });

    it("enforces Accept on every call, and bearer auth after that", async () => {
        const admin = await adminClient(sim);
        expect((await admin.call("/appliances")).status).toBe(200);
        const wrong = await admin.call("/appliances", { headers: { Accept: "application/json" } });
        expect(wrong.status).toBe(406);
        expect(wrong.body).toMatchObject({ id: "not acceptable", maxSupportedVersion: 20 });
        const noToken = await http(`${sim.adminUrl}/appliances`, { headers: accept(20) });
        expect(noToken.status).toBe(401);
        expect(noToken.body).toMatchObject({ id: "unauthorized", message: expect.any(String) });
    });

    it("rejects bad credentials, unknown identity providers and missing fields", async () => {
        const login = (body: object) => http(`${sim.adminUrl}/login`, { method: "POST", headers: accept(20), json: body });
        expect(await login({ providerName: "local", username: "admin", password: "nope", deviceId: DEVICE_ID })).toMatchObject({
            status: 401,
            body: { id: "unauthorized", reason: "Invalid username or password." },
        });
        expect((await login({ providerName: "ldap", username: "admin", password: "admin", deviceId: DEVICE_ID })).body.reason).toContain(
            "ldap",
        );
        expect((await login({ username: "admin", password: "admin", deviceId: DEVICE_ID })).status).toBe(400);
        expect((await login({ providerName: "local", username: "admin", password: "admin", deviceId: "x" })).status).toBe(400);
    });

    it("answers 401 once a token has expired", async () => {
        const admin = await adminClient(sim);
        sim.expireTokens();
        const expired = await admin.call("/appliances");
        expect(expired.status).toBe(401);
        expect(expired.body.message).toContain("expired");
    });

    it("lists appliances in {data: [...]} with stable ids, sites and status entries (v20+ only)", async () => {
        const admin = await adminClient(sim);
        const list = await admin.call("/appliances");
        expect(list.body.data.map((a: { name: string }) => a.name)).toEqual(["controller-1", "gateway-1", "gateway-2"]);
        expect(list.body.data[1]).toMatchObject({
            id: stableAppgateId("appliance", "gateway-1"),
            siteName: "Default Site",
            site: stableAppgateId("site", "Default Site"),
            gateway: { enabled: true },
            controller: { enabled: false },
        });
        const status = await admin.call("/appliances/status");
        expect(status.body.data[1]).toMatchObject({
            name: "gateway-1",
            online: true,
            status: "healthy",
            applianceVersion: "6.3.2+36260",
            details: { volumeNumber: 1, upgrade: { status: "idle" } },
        });
        const old = await adminClient(sim, 19);
        expect((await old.call("/appliances/status")).status).toBe(404);
        expect((await admin.call(`/appliances/${stableAppgateId("appliance", "nope")}`)).body).toMatchObject({ id: "not found" });
    });
});

describe("Appgate simulator: upgrade state machine", () => {
    let sim: AppgateSimulator;
    let admin: Awaited<ReturnType<typeof adminClient>>;
    let gateway: string;
    beforeEach(async () => {
        sim = await startAppgateSimulator({ timings: FAST });
        admin = await adminClient(sim);
        gateway = sim.appliance("gateway-1").id;
    });
    afterEach(() => sim.stop());

    const waitStatus = (id: string, status: string) =>
        eventually(() => (sim.appliance(id).upgrade.status === status ? sim.appliance(id) : undefined));

    it("prepares: idle → started → downloading → verifying → ready with the image name in details; change completes", async () => {
        const seen: string[] = [];
        sim.on("upgrade-state", (a) => a.name === "gateway-1" && seen.push(a.upgrade.status));
        const prepared = await admin.prepare(gateway, sim.imageUrl(IMAGE));
        expect(prepared.status).toBe(202);
        const ready = await waitStatus(gateway, "ready");
        expect(seen).toEqual(["started", "downloading", "verifying", "ready"]);
        expect(await admin.upgrade(gateway)).toEqual({ status: "ready", details: IMAGE_FILE });
        expect(ready.preparedImage).toBe(IMAGE_FILE);
        expect(await admin.change(gateway, prepared.body.id)).toMatchObject({
            id: prepared.body.id,
            status: "completed",
            result: "success",
        });
        expect(sim.applianceCalls("gateway-1")).toMatchObject({ prepare: 1, complete: 0 });
    });

    it("answers 412 {id, message} outside the documented preconditions", async () => {
        const complete = await admin.complete(gateway, true);
        expect(complete.status).toBe(412);
        expect(complete.body).toEqual({ id: "appliance state error", message: expect.stringContaining("'idle'") });
        expect((await admin.call(`/appliances/${gateway}/upgrade/switch-partition`, { method: "POST" })).status).toBe(412);
        await admin.prepare(gateway, sim.imageUrl(IMAGE));
        await eventually(() => (sim.appliance(gateway).upgrade.status !== "idle" ? true : undefined));
        expect((await admin.prepare(gateway, sim.imageUrl(IMAGE))).status).toBe(412); // preparing already
        await waitStatus(gateway, "ready");
        expect((await admin.prepare(gateway, sim.imageUrl(IMAGE))).status).toBe(412);
        await admin.complete(gateway, false);
        expect(sim.appliance(gateway).upgrade.status).toBe("installing");
        const cancel = await admin.cancel(gateway);
        expect(cancel.status).toBe(412);
        expect(cancel.body.message).toContain("'installing'");
        const bad = await admin.call(`/appliances/${sim.appliance("gateway-2").id}/upgrade/prepare`, {
            method: "POST",
            json: { imageUrl: "not a url" },
        });
        expect(bad.status).toBe(422);
        expect(bad.body.errors).toEqual([{ field: "imageUrl", message: expect.stringContaining("not a valid URL") }]);
    });

    it("reproduces the idle-after-prepare race: idle is read until the change completes", async () => {
        sim.configure({ timings: { idleAfterPrepareMs: 150 } });
        const prepared = await admin.prepare(gateway, sim.imageUrl(IMAGE));
        expect(await admin.upgrade(gateway)).toEqual({ status: "idle", details: "" });
        expect(await admin.change(gateway, prepared.body.id)).toEqual({
            id: prepared.body.id,
            status: "running",
            details: expect.any(String),
        });
        expect(sim.appliance(gateway).raceReads).toBe(1);
        // Nothing in the documented preconditions stops a second prepare while it still reads idle:
        // it is accepted and supersedes the first (what a client must never do).
        const second = await admin.prepare(gateway, sim.imageUrl(IMAGE));
        expect(second.status).toBe(202);
        expect(await admin.change(gateway, prepared.body.id)).toMatchObject({ status: "completed", result: "failure" });
        expect(sim.applianceCalls(gateway).prepare).toBe(2);
        await waitStatus(gateway, "ready");
    });

    it("complete with switchPartition reboots the gateway (502 through the controller), then idle on the new version and the other volume", async () => {
        await admin.prepare(gateway, sim.imageUrl(IMAGE));
        await waitStatus(gateway, "ready");
        const completed = await admin.complete(gateway, true);
        expect(completed.status).toBe(202);
        await eventually(() => (sim.appliance(gateway).online ? undefined : true));
        const during = await admin.call(`/appliances/${gateway}/upgrade`);
        expect(during.status).toBe(502);
        expect(during.body).toMatchObject({ id: "bad gateway", message: expect.stringContaining("gateway-1") });
        const entry = (await admin.call("/appliances/status")).body.data.find((a: { id: string }) => a.id === gateway);
        expect(entry).toMatchObject({ online: false, status: "offline", applianceVersion: "unknown" });
        expect((await admin.change(gateway, completed.body.id)).status).toBe("running");
        await eventually(() => (sim.appliance(gateway).online ? true : undefined), 200, 10);
        expect(sim.appliance(gateway)).toMatchObject({ version: IMAGE, volumeNumber: 2, upgrade: { status: "idle", details: "" } });
        expect(await admin.change(gateway, completed.body.id)).toMatchObject({ status: "completed", result: "success" });
    });

    it("complete without switchPartition stays success until upgrade/switch-partition", async () => {
        await admin.prepare(gateway, sim.imageUrl(IMAGE));
        await waitStatus(gateway, "ready");
        await admin.complete(gateway, false);
        await waitStatus(gateway, "success");
        expect(await admin.upgrade(gateway)).toEqual({ status: "success", details: REBOOT_REQUIRED_DETAILS });
        expect(sim.appliance(gateway)).toMatchObject({ version: "6.3.2+36260", volumeNumber: 1 });
        const switched = await admin.call(`/appliances/${gateway}/upgrade/switch-partition`, { method: "POST" });
        expect(switched.status).toBe(202);
        await eventually(() => (sim.appliance(gateway).online ? undefined : true));
        await eventually(() => (sim.appliance(gateway).online ? true : undefined), 200, 10);
        expect(sim.appliance(gateway)).toMatchObject({ version: IMAGE, volumeNumber: 2, upgrade: { status: "idle" } });
    });

    it("the primary controller's reboot refuses connections, drops tokens and moves the peer version", async () => {
        sim.configure({ peerVersionsBack: 0 });
        const controller = sim.appliance("controller-1").id;
        await admin.prepare(controller, sim.imageUrl(IMAGE));
        await waitStatus(controller, "ready");
        sim.configure({ timings: { installMs: 100 } });
        const offline = once(sim, "offline");
        await admin.complete(controller, true);
        // While it installs its services are stopped: the whole admin API answers 502.
        const installing = await admin.call("/appliances/status");
        expect(installing.status).toBe(502);
        await offline;
        expect(await httpOrErrorCode(`${sim.adminUrl}/version`)).toBe("ECONNREFUSED");
        await sim.whenOnline();
        expect(sim.peerVersionRange()).toEqual({ min: 21, max: 21 });
        expect((await admin.call("/appliances")).status).toBe(406); // old version
        const renegotiated = await adminClient(sim, 21);
        expect((await renegotiated.call("/appliances/status")).body.data[0]).toMatchObject({
            applianceVersion: IMAGE,
            details: { volumeNumber: 2 },
        });
        const stale = await http(`${sim.adminUrl}/appliances`, { headers: accept(21), token: admin.token });
        expect(stale.status).toBe(401); // tokens did not survive the reboot
    });

    it("cancel goes back to idle; its answer depends on the API version (202 without body at v20, {id} from v21)", async () => {
        await admin.prepare(gateway, sim.imageUrl(IMAGE));
        await waitStatus(gateway, "ready");
        const v20 = await admin.cancel(gateway);
        expect(v20).toMatchObject({ status: 202, text: "" });
        await waitStatus(gateway, "idle");
        expect(sim.appliance(gateway).preparedImage).toBeUndefined();
        const idle = await admin.cancel(gateway);
        expect(idle.status).toBe(202);
        expect(sim.applianceCalls(gateway).cancel).toBe(2);
        const s2 = await startAppgateSimulator({ timings: FAST, version: "6.4.0+40000" });
        try {
            const v21 = await adminClient(s2);
            const cancelled = await v21.cancel(s2.appliance("gateway-1").id);
            expect(cancelled).toMatchObject({ status: 202, body: { id: expect.any(String) } });
            expect(await v21.change(s2.appliance("gateway-1").id, cancelled.body.id)).toMatchObject({
                status: "completed",
                result: "success",
            });
        } finally {
            await s2.stop();
        }
    });

    it("bad images end failed with a reason; failed allows a new prepare", async () => {
        const corrupt = await admin.prepare(gateway, sim.imageUrl("appgate-6.4.1-40123-release-corrupt.img.zip"));
        const failed = await waitStatus(gateway, "failed");
        expect(failed.upgrade.details).toBe(
            "appgate-6.4.1-40123-release-corrupt.img.zip: image signature verification failed (checksum mismatch)",
        );
        expect(await admin.change(gateway, corrupt.body.id)).toMatchObject({ status: "completed", result: "success" }); // the prepare was taken

        await admin.prepare(gateway, `${sim.url}/__sim/images/${IMAGE_FILE}?payloadBytes=1000&x=corrupt`);
        await waitStatus(gateway, "ready"); // the query string does not make it corrupt

        const other = sim.appliance("gateway-2").id;
        await admin.prepare(other, sim.imageUrl("appgate-6.4.1.img.zip"));
        expect((await waitStatus(other, "failed")).upgrade.details).toContain("not an Appgate upgrade image");
        await admin.prepare(other, sim.imageUrl("missing/appgate-6.4.1-40123-release.img.zip"));
        expect((await waitStatus(other, "failed")).upgrade.details).toMatch(/HTTP 404/);
        sim.injectFailure("verify", { appliance: "gateway-2", reason: "signature mismatch (injected)" });
        await admin.prepare(other, sim.imageUrl(IMAGE));
        expect((await waitStatus(other, "failed")).upgrade.details).toBe("signature mismatch (injected)");
        await admin.prepare(other, "http://192.0.2.10/appgate-6.4.1-40123-release.img.zip");
        expect((await waitStatus(other, "failed")).upgrade.details).toContain("loopback");
        expect(sim.applianceCalls(other).prepare).toBe(4);
    });

    it("an injected installation failure ends failed on the old version and volume", async () => {
        const name = "appgate-6.4.1-40123-release.img.zip";
        sim.injectFailure("install", { appliance: gateway });
        await admin.prepare(gateway, `${sim.url}/__sim/images/${name}`);
        await waitStatus(gateway, "ready");
        await admin.complete(gateway, true);
        const failed = await waitStatus(gateway, "failed");
        expect(failed.upgrade.details).toContain("Installation failed");
        expect(failed).toMatchObject({ version: "6.3.2+36260", volumeNumber: 1, online: true });
        expect(appgateImageFileName("6.4.1+40123")).toBe(name);
    });
});

describe("Appgate simulator: control API, faults, fleets and the CLI", () => {
    it("exposes state, settings, injections and counters under /__sim; faults apply to the admin API", async () => {
        const sim = await startAppgateSimulator({ timings: FAST });
        try {
            const state = await http(`${sim.url}/__sim/state`);
            expect(state.body).toMatchObject({
                peerVersions: { min: 18, max: 20 },
                appliances: [{ name: "controller-1", primary: true }, {}, {}],
            });
            const patched = await http(`${sim.url}/__sim/settings`, {
                method: "PATCH",
                json: { tokenTtlMs: 2000, timings: { idleAfterPrepareMs: 7 } },
            });
            expect(patched.body).toMatchObject({ tokenTtlMs: 2000, timings: { idleAfterPrepareMs: 7, rebootMs: 250 } });
            expect((await http(`${sim.url}/__sim/settings`, { method: "PATCH", json: { peerVersionsBack: -1 } })).status).toBe(400);
            expect(
                (await http(`${sim.url}/__sim/inject`, { method: "POST", json: { phase: "install", appliance: "gateway-2" } })).status,
            ).toBe(201);
            expect(sim.state().injected).toEqual([
                { applianceId: sim.appliance("gateway-2").id, phase: "install", reason: expect.any(String) },
            ]);
            expect((await http(`${sim.url}/__sim/inject`, { method: "POST", json: { phase: "nope" } })).status).toBe(400);

            sim.faults.failNext(1, 503, "appliances.status");
            const admin = await adminClient(sim);
            const faulted = await admin.call("/appliances/status");
            expect(faulted).toMatchObject({ status: 503, body: { id: "service unavailable" } });
            expect((await admin.call("/appliances/status")).status).toBe(200);
            const calls = (await http(`${sim.url}/__sim/calls`)).body.calls;
            expect(calls["appliances.status"]).toEqual({ received: 2, faulted: 1, byStatus: { "200": 1, "503": 1 } });
            expect(calls["login"].byStatus).toEqual({ "200": 1 });
            const image = await http(`${sim.url}/__sim/images/${IMAGE_FILE}?payloadBytes=10`);
            expect(image.status).toBe(200);
            expect(Number(image.headers["content-length"])).toBe(image.text.length);
        } finally {
            await sim.stop();
        }
    });

    it("starts fleets of collectives on consecutive ports and validates appliance specs", async () => {
        const fleet = await startAppgateFleet(2, { timings: FAST });
        try {
            expect(fleet.devices.map((d) => d.name)).toEqual(["collective-1", "collective-2"]);
            expect(fleet.devices[0]!.url).not.toBe(fleet.devices[1]!.url);
        } finally {
            await fleet.stop();
        }
        await expect(startAppgateSimulator({ appliances: [{ name: "gw", role: "gateway" }] })).rejects.toThrow("role controller");
        await expect(startAppgateSimulator({ appliances: [{ name: "a", role: "controller" }, { name: "a" }] })).rejects.toThrow(
            "used twice",
        );
    });

    it("runs from the CLI: `pulumi-upgrades-sim appgate --port N` with credentials, sites and timings", async () => {
        const stdout: string[] = [];
        const stderr: string[] = [];
        const session = await runCli(
            [
                "appgate",
                "--port",
                "0",
                "--username",
                "ops",
                "--password",
                "pw",
                "--token-ttl",
                "3",
                "--gateways",
                "3",
                "--sites",
                "North,South",
                "--speed",
                "1000",
                "--idle-after-prepare-ms",
                "9",
            ],
            { stdout: (l) => stdout.push(l), stderr: (l) => stderr.push(l) },
        );
        try {
            expect(stdout).toEqual([expect.stringMatching(/^appgate collective-1 http:\/\/127\.0\.0\.1:\d+$/)]);
            expect(stderr.join("\n")).toContain(`gateway-3 id=${stableAppgateId("appliance", "gateway-3")}`);
            const url = stdout[0]!.split(" ")[2]!;
            const state = (await http(`${url}/__sim/state`)).body;
            expect(state.settings).toMatchObject({ tokenTtlMs: 3000, timings: { idleAfterPrepareMs: 9, installMs: 300 } });
            expect(state.appliances.map((a: { name: string; siteName: string }) => `${a.name}@${a.siteName}`)).toEqual([
                "controller-1@North",
                "gateway-1@North",
                "gateway-2@South",
                "gateway-3@North",
            ]);
            const login = await http(`${url}/admin/login`, {
                method: "POST",
                headers: accept(20),
                json: { providerName: "local", username: "ops", password: "pw", deviceId: DEVICE_ID },
            });
            expect(login.status).toBe(200);
        } finally {
            await session?.stop();
        }
        const io = { stdout: () => undefined, stderr: () => undefined };
        await expect(runCli(["appgate", "--gateways", "x"], io)).rejects.toThrow("--gateways");
        await expect(runCli(["appgate", "--controllers", "0"], io)).rejects.toThrow("--controllers");
        await expect(runCli(["appgate", "--bogus", "1"], io)).rejects.toThrow(CliUsageError);
    });
});
