import { ManualClock } from "../../../simulators/core";
import { startUnitySimulator, UpgradeStatus, type UnitySimulator } from "../../../simulators/unity";
import { eventually, http, httpOrErrorCode } from "./helpers";
import { FAST_UNITY_TIMINGS, RawUnity } from "./unity-helpers";

const SESSIONS = "/api/types/softwareUpgradeSession";
const FIELDS = "fields=status,percentComplete,tasks,messages,candidate.id";

describe("Unity simulator: upgrade sessions (manual clock, 503 failover)", () => {
    let clock: ManualClock;
    let sim: UnitySimulator;
    let api: RawUnity;
    const TIMINGS = { prepareMs: 1000, healthCheckMs: 1000, preinstallMs: 1000, primaryRebootMs: 5000, peerRebootMs: 1000, postMs: 1000 };
    beforeEach(async () => {
        clock = new ManualClock();
        sim = await startUnitySimulator({ clock, timings: TIMINGS, failoverMode: "503" });
        api = new RawUnity(sim);
        await api.login();
        expect((await api.upload({ version: "5.3.0.0.5.120" })).status).toBe(200);
    });
    afterEach(() => sim.stop());

    const create = (body: Record<string, unknown> = {}) =>
        api.call("POST", `${SESSIONS}/instances`, { json: { candidate: { id: sim.candidate!.id }, ...body } });
    const session = async (id: string) => (await api.call("GET", `/api/instances/softwareUpgradeSession/${id}?${FIELDS}`)).body.content;

    it("runs to Upgrade_Completed with progress, tasks and estRemainTime; the version changes after the failover", async () => {
        const created = await create();
        expect(created.status).toBe(201);
        const id = created.body.content.id;
        let view = await session(id);
        expect(view.status).toBe(UpgradeStatus.inProgress);
        expect(view.tasks[0]).toMatchObject({
            caption: "Preparing system",
            status: UpgradeStatus.inProgress,
            estRemainTime: "00:00:01.000",
        });
        clock.advance(3000); // prepare, health check, preinstall
        const during = await http(`${sim.url}/api/types/basicSystemInfo/instances`, { headers: { "X-EMC-REST-CLIENT": "true" } });
        expect(during.status).toBe(503);
        clock.advance(5000);
        // Every login was forgotten by the failover.
        expect((await api.call("POST", `${SESSIONS}/action/verifyUpgradeEligibility`, { json: {} })).status).toBe(401);
        await api.login();
        view = await session(id);
        expect(view.percentComplete).toBeGreaterThan(50);
        expect(sim.version).toBe("5.3.0.0.5.120");
        clock.advance(2000);
        view = await session(id);
        expect(view).toMatchObject({ status: UpgradeStatus.completed, percentComplete: 100 });
        expect(sim.candidate).toBeUndefined(); // the slot empties after success (default)
        expect(sim.sessionsCreated).toBe(1);
    });

    it("pauses before the reboot with pauseBeforeReboot and continues on resume (204)", async () => {
        const id = (await create({ pauseBeforeReboot: true })).body.content.id;
        clock.advance(3000);
        expect((await session(id)).status).toBe(UpgradeStatus.paused);
        clock.advance(60_000);
        expect((await session(id)).status).toBe(UpgradeStatus.paused);
        expect((await api.call("POST", `/api/instances/softwareUpgradeSession/${id}/action/resume`)).status).toBe(204);
        clock.advance(5000);
        await api.login();
        clock.advance(2000);
        expect((await session(id)).status).toBe(UpgradeStatus.completed);
    });

    it.each([
        ["Failed", UpgradeStatus.failed],
        ["Failed_Lock", UpgradeStatus.failedLock],
        ["Waiting_For_User", UpgradeStatus.waitingForUser],
    ] as const)("stops with %s after an injected failure, with messages; resume completes it", async (outcome, status) => {
        sim.injectFailure("preinstall", outcome);
        const id = (await create()).body.content.id;
        clock.advance(3000);
        const stopped = await session(id);
        expect(stopped.status).toBe(status);
        expect(stopped.messages[0].messages[0]["en-US"]).toEqual(expect.any(String));
        expect((await api.call("POST", `/api/instances/softwareUpgradeSession/${id}/action/resume`)).status).toBe(204);
        clock.advance(1000 + 5000);
        await api.login();
        clock.advance(2000);
        expect((await session(id)).status).toBe(UpgradeStatus.completed);
    });

    it("refuses a second session, a resume of a running one and an upload while one runs (409)", async () => {
        await create();
        expect((await create()).status).toBe(409);
        const id = sim.sessions()[0]!["id"] as string;
        expect((await api.call("POST", `/api/instances/softwareUpgradeSession/${id}/action/resume`)).status).toBe(409);
        expect((await api.upload({ version: "5.4.0.0.5.094" })).status).toBe(409);
    });

    it("reports eligibility: OK messages when healthy; ERROR messages (200) or 422 when a component is degraded", async () => {
        const ok = await api.call("POST", `${SESSIONS}/action/verifyUpgradeEligibility`, { json: {} });
        expect(ok.status).toBe(200);
        expect(ok.body.content.messages.every((m: { severity: number }) => m.severity > 3)).toBe(true);
        sim.configure({ degradedComponent: "SP B power supply" });
        const degraded = await api.call("POST", `${SESSIONS}/action/verifyUpgradeEligibility`, { json: {} });
        expect(degraded.status).toBe(200);
        expect(degraded.body.content.messages[0]).toMatchObject({
            severity: 3,
            messages: [{ "en-US": expect.stringContaining("SP B power supply") }],
        });
        sim.configure({ eligibilityFailureStyle: "error" });
        const asError = await api.call("POST", `${SESSIONS}/action/verifyUpgradeEligibility`, { json: {} });
        expect(asError.status).toBe(422);
        expect(asError.body.error.messages[0]["en-US"]).toContain("SP B power supply");
    });

    it("fails the health-check task of a session when a component is degraded", async () => {
        sim.configure({ degradedComponent: "DPE fan 2" });
        const id = (await create()).body.content.id;
        clock.advance(2000);
        const view = await session(id);
        expect(view.status).toBe(UpgradeStatus.failed);
        expect(view.messages[0].messages[0]["en-US"]).toContain("DPE fan 2");
    });

    it("serves the newer upgradeSession type with cancel and acknowledge", async () => {
        sim.injectFailure("prepare", "Failed");
        const created = await api.call("POST", "/api/types/upgradeSession/instances", { json: {} });
        const id = created.body.content.id;
        clock.advance(1000);
        expect((await api.call("POST", `/api/instances/upgradeSession/${id}/action/cancel`)).status).toBe(204);
        expect((await api.call("POST", `/api/instances/upgradeSession/${id}/action/acknowledge`)).status).toBe(204);
        expect(sim.candidate).toBeUndefined();
    });
});

describe("Unity simulator: unreachable failover (real time)", () => {
    it("closes the listener during the primary-SP reboot, then shows the new version", async () => {
        const sim = await startUnitySimulator({ timings: FAST_UNITY_TIMINGS });
        try {
            const api = new RawUnity(sim);
            await api.login();
            await api.upload({ version: "5.3.0.0.5.120" });
            await api.call("POST", `${SESSIONS}/instances`, { json: {} });
            await eventually(() => (sim.online ? undefined : true));
            expect(
                await httpOrErrorCode(`${sim.url}/api/types/basicSystemInfo/instances`, { headers: { "X-EMC-REST-CLIENT": "true" } }),
            ).toBe("ECONNREFUSED");
            await sim.whenOnline();
            const info = await http(`${sim.url}/api/types/basicSystemInfo/instances?fields=softwareVersion`, {
                headers: { "X-EMC-REST-CLIENT": "true" },
            });
            expect(info.body.entries[0].content.softwareVersion).toBe("5.3.0.0");
            await eventually(() => (sim.sessions()[0]!["status"] === UpgradeStatus.completed ? true : undefined));
        } finally {
            await sim.stop();
        }
    });
});
