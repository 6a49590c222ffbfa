import { startRiverbedFleet, startRiverbedSimulator, type RiverbedSimulator } from "../../../simulators/riverbed";
import { FAST_TIMINGS, http, imageSettled, login, uploadImage } from "./helpers";

describe("Riverbed simulator: control API", () => {
    let sim: RiverbedSimulator;
    beforeEach(async () => {
        sim = await startRiverbedSimulator({ timings: FAST_TIMINGS, username: "ops", password: "s3cret" });
    });
    afterEach(() => sim.stop());

    it("reports state and accepts settings changes", async () => {
        const state = await http(`${sim.url}/__sim/state`);
        expect(state.body).toMatchObject({
            name: "device-1",
            online: true,
            product: "AppResponse",
            version: "11.6.0 #23947",
            update: { state: "IDLE" },
            images: [],
            tokens: { access: 0, refresh: 0 },
            settings: { accessTokenTtlMs: 900_000, maxRefreshTokensPerUser: 25, timings: FAST_TIMINGS },
        });
        const patched = await http(`${sim.url}/__sim/settings`, {
            method: "PATCH",
            json: { accessTokenTtlMs: 2_000, timings: { rebootMs: 42 } },
        });
        expect(patched.body).toMatchObject({ accessTokenTtlMs: 2_000, timings: { ...FAST_TIMINGS, rebootMs: 42 } });
        const invalid = await http(`${sim.url}/__sim/settings`, { method: "PATCH", json: { accessTokenTtlMs: -1 } });
        expect(invalid).toMatchObject({
            status: 400,
            body: { code: "INVALID_SETTINGS", message: expect.stringContaining("[accessTokenTtlMs]") },
        });
    });

    it("injects image and update failures over HTTP", async () => {
        expect((await http(`${sim.url}/__sim/inject`, { method: "POST", json: { target: "image", outcome: "INVALID" } })).status).toBe(201);
        expect(
            (
                await http(`${sim.url}/__sim/inject`, {
                    method: "POST",
                    json: { target: "update", phase: "start", outcome: "FAILED_CRITICAL" },
                })
            ).status,
        ).toBe(201);
        expect((await http(`${sim.url}/__sim/inject`, { method: "POST", json: { target: "update", outcome: "nope" } })).status).toBe(400);
        expect(sim.state().injected).toEqual({ images: ["INVALID"], update: [{ phase: "start", outcome: "FAILED_CRITICAL" }] });
        const token = (await login(sim)).access_token;
        const reply = await uploadImage(sim, token, { version: "11.7.0 #24010" });
        expect((await imageSettled(sim, reply.body.id)).state).toBe("INVALID");
        expect((await http(`${sim.url}/__sim/inject`, { method: "DELETE" })).status).toBe(204);
        expect(sim.state().injected).toEqual({ images: [], update: [] });
    });

    it("uses configured credentials", async () => {
        const wrong = await http(`${sim.url}/api/mgmt.aaa/1.0/token`, {
            method: "POST",
            json: { user_credentials: { username: "admin", password: "admin" } },
        });
        expect(wrong.status).toBe(401);
        expect((await login(sim)).token_type).toBe("bearer");
    });

    it("answers unknown control routes in a neutral shape", async () => {
        expect(await http(`${sim.url}/__sim/nothing`)).toMatchObject({ status: 404, body: { code: "UNKNOWN_CONTROL_ROUTE" } });
    });
});

describe("startRiverbedFleet", () => {
    it("starts several devices on distinct ports with independent state", async () => {
        const fleet = await startRiverbedFleet(3, { timings: FAST_TIMINGS });
        try {
            expect(fleet.devices.map((device) => device.name)).toEqual(["device-1", "device-2", "device-3"]);
            expect(new Set(fleet.devices.map((device) => device.port)).size).toBe(3);
            const [first, second] = fleet.devices;
            const token = (await login(first!)).access_token;
            await uploadImage(first!, token, { version: "11.7.0 #24010" });
            expect(first!.images()).toHaveLength(1);
            expect(second!.images()).toHaveLength(0);
            // A token of one device means nothing to another.
            expect((await http(`${second!.systemUpdateUrl}/images`, { token })).status).toBe(401);
        } finally {
            await fleet.stop();
        }
        expect(fleet.devices.every((device) => !device.online)).toBe(true);
    });

    it("accepts per-device options", async () => {
        const fleet = await startRiverbedFleet([{ name: "edge-a", version: "11.5.0 #1" }, { name: "edge-b" }], { speed: 1000 });
        try {
            expect(fleet.devices.map((device) => [device.name, device.version])).toEqual([
                ["edge-a", "11.5.0 #1"],
                ["edge-b", "11.6.0 #23947"],
            ]);
            expect(fleet.devices[0]!.currentSettings.timings.rebootMs).toBe(180);
        } finally {
            await fleet.stop();
        }
    });
});
