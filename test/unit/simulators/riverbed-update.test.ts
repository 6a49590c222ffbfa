import { once } from "node:events";
import { startRiverbedSimulator, type RiverbedSimulator, type RiverbedUpdate } from "../../../simulators/riverbed";
import { eventually, FAST_TIMINGS, http, httpOrErrorCode, imageSettled, login, uploadImage } from "./helpers";

describe("Riverbed simulator: update state machine", () => {
    let sim: RiverbedSimulator;
    let token: string;
    beforeEach(async () => {
        sim = await startRiverbedSimulator({ timings: FAST_TIMINGS });
        token = (await login(sim)).access_token;
    });
    afterEach(() => sim.stop());

    const action = (name: "init" | "start" | "reset", bearer = token) =>
        http(`${sim.systemUpdateUrl}/update/${name}`, { method: "POST", token: bearer });
    const getUpdate = async (bearer = token): Promise<RiverbedUpdate> =>
        (await http(`${sim.systemUpdateUrl}/update`, { token: bearer })).body;
    const waitForState = (state: RiverbedUpdate["state"]) => eventually(() => (sim.update().state === state ? sim.update() : undefined));

    async function uploadValid(version = "11.7.0 #24010"): Promise<number> {
        const reply = await uploadImage(sim, token, { version });
        expect((await imageSettled(sim, reply.body.id)).state).toBe("VALID");
        return reply.body.id;
    }

    it("starts IDLE with the installation in the history", async () => {
        const update = await getUpdate();
        expect(update).toEqual({
            state: "IDLE",
            state_description: expect.any(String),
            last_state_time: expect.any(Number),
            update_history: [{ time: expect.any(Number), version: "11.6.0 #23947" }],
        });
        expect(update.target_version).toBeUndefined();
    });

    it("runs init → start → reboot (connections refused) → IDLE with a new history entry and version", async () => {
        const states: string[] = [];
        sim.on("update-state", (update) => states.push(update.state));
        await uploadValid();
        expect(await action("init")).toMatchObject({ status: 204, text: "" });
        expect((await getUpdate()).target_version).toBe("11.7.0 #24010");
        await waitForState("INITIALIZED");

        const offline = once(sim, "offline");
        expect((await action("start")).status).toBe(204);
        await offline;
        expect(states).toEqual(["INITIALIZING", "INITIALIZED", "RUNNING"]);
        expect(await httpOrErrorCode(`${sim.url}/api/common/1.0/ping`)).toBe("ECONNREFUSED");

        await sim.whenOnline();
        expect((await http(`${sim.url}/api/common/1.0/ping`)).status).toBe(204);
        // Tokens do not survive the reboot.
        expect((await http(`${sim.systemUpdateUrl}/update`, { token })).body.error_id).toBe("AUTH_INVALID_TOKEN");
        const fresh = (await login(sim)).access_token;
        const update = await getUpdate(fresh);
        expect(update.state).toBe("IDLE");
        expect(states).toEqual(["INITIALIZING", "INITIALIZED", "RUNNING", "IDLE"]);
        expect(update.target_version).toBeUndefined();
        expect(update.update_history.map((entry) => entry.version)).toEqual(["11.6.0 #23947", "11.7.0 #24010"]);
        expect(sim.version).toBe("11.7.0 #24010");
        // The installer consumed the image.
        expect((await http(`${sim.systemUpdateUrl}/images`, { token: fresh })).body).toEqual({ items: [] });
        expect(sim.calls.succeeded("update.start")).toBe(1);
        expect(sim.calls.received("update.init")).toBe(1);
    });

    it("answers wrong-state calls with 400 {error_id, error_text}", async () => {
        const expectError = async (name: "init" | "start" | "reset", errorId: string) => {
            const reply = await action(name);
            expect(reply.status).toBe(400);
            expect(Object.keys(reply.body).sort()).toEqual(["error_id", "error_text"]);
            expect(reply.body.error_id).toBe(errorId);
        };
        await expectError("init", "NO_VALID_IMAGE");
        await expectError("start", "INVALID_STATE");
        await expectError("reset", "INVALID_STATE");
        await uploadValid();
        await uploadValid("11.8.0 #25000");
        await expectError("init", "MULTIPLE_VALID_IMAGES");
        await http(`${sim.systemUpdateUrl}/images/items/2`, { method: "DELETE", token });
        expect((await action("init")).status).toBe(204);
        await expectError("init", "INVALID_STATE");
        const held = await http(`${sim.systemUpdateUrl}/images/items/1`, { method: "DELETE", token });
        expect(held).toMatchObject({ status: 400, body: { error_id: "IMAGE_IN_USE" } });
        await waitForState("INITIALIZED");
        expect((await action("reset")).status).toBe(204);
        await waitForState("IDLE");
        expect(sim.update().target_version).toBeUndefined();
    });

    it("FAILED_GRACEFUL at start keeps the old version and is recovered by reset", async () => {
        sim.injectUpdateFailure("start", "FAILED_GRACEFUL");
        await uploadValid();
        await action("init");
        await waitForState("INITIALIZED");
        await action("start");
        const failed = await waitForState("FAILED_GRACEFUL");
        expect(failed.state_description).toContain("reset");
        expect(sim.online).toBe(true); // no reboot happened
        expect(sim.version).toBe("11.6.0 #23947");
        expect((await action("reset")).status).toBe(204);
        await waitForState("IDLE");
        expect(sim.update().update_history).toHaveLength(1);
    });

    it("FAILED_CRITICAL at init refuses reset until repaired", async () => {
        sim.injectUpdateFailure("init", "FAILED_CRITICAL");
        await uploadValid();
        await action("init");
        await waitForState("FAILED_CRITICAL");
        const refused = await action("reset");
        expect(refused).toMatchObject({ status: 400, body: { error_id: "RESET_NOT_ALLOWED" } });
        expect((await http(`${sim.url}/__sim/repair`, { method: "POST" })).status).toBe(204);
        expect(sim.update().state).toBe("IDLE");
    });

    it("counts exactly one effective start even when the client retried through a 503", async () => {
        await uploadValid();
        await action("init");
        await waitForState("INITIALIZED");
        sim.faults.failNext(1, 503, "update.start");
        expect((await action("start")).status).toBe(503);
        const offline = once(sim, "offline");
        expect((await action("start")).status).toBe(204);
        expect(sim.calls.snapshot()["update.start"]).toEqual({ received: 2, faulted: 1, byStatus: { "503": 1, "204": 1 } });
        expect(sim.calls.succeeded("update.start")).toBe(1);
        await offline;
        await sim.whenOnline();
    });
});
