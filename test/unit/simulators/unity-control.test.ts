import { startUnitySimulator, type UnitySimulator } from "../../../simulators/unity";
import { http } from "./helpers";
import { RawUnity } from "./unity-helpers";

describe("Unity simulator: control routes and logout", () => {
    let sim: UnitySimulator;
    let api: RawUnity;
    beforeEach(async () => {
        sim = await startUnitySimulator();
        api = new RawUnity(sim);
        await api.login();
    });
    afterEach(() => sim.stop());

    it("changes settings with PATCH /__sim/settings and refuses a bad value naming the field", async () => {
        const ok = await http(`${sim.url}/__sim/settings`, {
            method: "PATCH",
            json: { degradedComponent: "SP B", timings: { postMs: 7 } },
        });
        expect(ok.status).toBe(200);
        expect(sim.currentSettings).toMatchObject({ degradedComponent: "SP B", timings: { postMs: 7 } });
        const bad = await http(`${sim.url}/__sim/settings`, { method: "PATCH", json: { failoverMode: "sometimes" } });
        expect(bad.status).toBe(400);
        expect(bad.body.message).toContain("[failoverMode]");
    });

    it("queues a failure with POST /__sim/inject, lists it in the state, and clears it", async () => {
        expect((await http(`${sim.url}/__sim/inject`, { method: "POST", json: { task: "post", outcome: "Failed_Lock" } })).status).toBe(
            201,
        );
        expect((await http(`${sim.url}/__sim/state`)).body.injected).toEqual({ post: "Failed_Lock" });
        expect((await http(`${sim.url}/__sim/inject`, { method: "POST", json: { task: "nowhere", outcome: "Failed" } })).status).toBe(400);
        expect((await http(`${sim.url}/__sim/inject`, { method: "DELETE" })).status).toBe(204);
        expect((await http(`${sim.url}/__sim/state`)).body.injected).toEqual({});
    });

    it("forgets every login with POST /__sim/logins/expire, and one login with logout", async () => {
        expect((await http(`${sim.url}/__sim/logins/expire`, { method: "POST" })).status).toBe(204);
        expect((await api.call("POST", "/api/types/loginSessionInfo/action/logout", { json: { localCleanupOnly: "true" } })).status).toBe(
            401,
        );
        await api.login();
        expect((await api.call("POST", "/api/types/loginSessionInfo/action/logout", { json: { localCleanupOnly: "true" } })).status).toBe(
            204,
        );
        expect((await http(`${sim.url}/__sim/state`)).body.activeLogins).toBe(0);
    });
});
