import { ManualClock } from "../../../simulators/core/clock";
import { startRiverbedSimulator, type RiverbedSimulator } from "../../../simulators/riverbed";
import { http, login } from "./helpers";

describe("Riverbed simulator: authentication", () => {
    let clock: ManualClock;
    let sim: RiverbedSimulator;
    beforeEach(async () => {
        clock = new ManualClock(Date.UTC(2026, 0, 1));
        sim = await startRiverbedSimulator({ clock, accessTokenTtlMs: 5_000 });
    });
    afterEach(() => sim.stop());

    const updateUrl = () => `${sim.systemUpdateUrl}/update`;

    it("logs in with 201 and the documented token fields", async () => {
        const result = await http(`${sim.url}/api/mgmt.aaa/1.0/token`, {
            method: "POST",
            json: { user_credentials: { username: "admin", password: "admin" }, generate_refresh_token: true },
        });
        expect(result.status).toBe(201);
        expect(result.body).toEqual({
            access_token: expect.any(String),
            refresh_token: expect.any(String),
            expires_at: Math.floor((clock.now() + 5_000) / 1000),
            token_type: "bearer",
        });
        expect((await http(updateUrl(), { token: result.body.access_token })).status).toBe(200);
    });

    it("serves mgmt.aaa 2.0 too, echoes state, and omits the refresh token when not asked for", async () => {
        const result = await http(`${sim.url}/api/mgmt.aaa/2.0/token`, {
            method: "POST",
            json: { user_credentials: { username: "admin", password: "admin" }, generate_refresh_token: false, state: "xyz" },
        });
        expect(result.status).toBe(201);
        expect(result.body.state).toBe("xyz");
        expect(result.body.refresh_token).toBeUndefined();
    });

    it("refreshes with 200 and a new access token", async () => {
        const tokens = await login(sim);
        const refreshed = await http(`${sim.url}/api/mgmt.aaa/1.0/token`, {
            method: "POST",
            json: { refresh_token: tokens.refresh_token },
        });
        expect(refreshed.status).toBe(200);
        expect(refreshed.body).toEqual({ access_token: expect.any(String), expires_at: expect.any(Number), token_type: "bearer" });
        expect(refreshed.body.access_token).not.toBe(tokens.access_token);
        const refreshWithGenerate = await http(`${sim.url}/api/mgmt.aaa/1.0/token`, {
            method: "POST",
            json: { refresh_token: tokens.refresh_token, generate_refresh_token: true },
        });
        expect(refreshWithGenerate).toMatchObject({ status: 400, body: { error_id: "INVALID_REQUEST" } });
    });

    it("answers 401 {error_id, error_text} for missing, malformed, unknown and expired tokens", async () => {
        const missing = await http(updateUrl());
        expect(missing.status).toBe(401);
        expect(Object.keys(missing.body).sort()).toEqual(["error_id", "error_text"]);
        expect(missing.body.error_id).toBe("AUTH_REQUIRED");

        const tokens = await login(sim);
        const lowercase = await http(updateUrl(), { headers: { Authorization: `bearer ${tokens.access_token}` } });
        expect(lowercase).toMatchObject({ status: 401, body: { error_id: "AUTH_REQUIRED" } });
        expect((await http(updateUrl(), { token: "made-up" })).body.error_id).toBe("AUTH_INVALID_TOKEN");

        clock.advance(5_000);
        const expired = await http(updateUrl(), { token: tokens.access_token });
        expect(expired).toMatchObject({ status: 401, body: { error_id: "AUTH_EXPIRED_TOKEN", error_text: expect.any(String) } });
        expect(expired.headers["www-authenticate"]).toBe("Bearer");
    });

    it("rejects wrong credentials and malformed token requests", async () => {
        const wrong = await http(`${sim.url}/api/mgmt.aaa/1.0/token`, {
            method: "POST",
            json: { user_credentials: { username: "admin", password: "nope" } },
        });
        expect(wrong).toMatchObject({ status: 401, body: { error_id: "AUTH_INVALID_CREDENTIALS" } });
        const both = await http(`${sim.url}/api/mgmt.aaa/1.0/token`, {
            method: "POST",
            json: { user_credentials: {}, refresh_token: "x" },
        });
        expect(both).toMatchObject({ status: 400, body: { error_id: "INVALID_REQUEST" } });
        const notJson = await http(`${sim.url}/api/mgmt.aaa/1.0/token`, {
            method: "POST",
            body: Buffer.from("{"),
            headers: { "Content-Type": "application/json" },
        });
        expect(notJson).toMatchObject({ status: 400, body: { error_id: "INVALID_JSON" } });
    });

    it("expires refresh tokens after the idle period", async () => {
        sim.configure({ refreshTokenIdleMs: 60_000 });
        const tokens = await login(sim);
        clock.advance(59_000);
        expect(
            (await http(`${sim.url}/api/mgmt.aaa/1.0/token`, { method: "POST", json: { refresh_token: tokens.refresh_token } })).status,
        ).toBe(200);
        clock.advance(60_000);
        const stale = await http(`${sim.url}/api/mgmt.aaa/1.0/token`, { method: "POST", json: { refresh_token: tokens.refresh_token } });
        expect(stale).toMatchObject({ status: 401, body: { error_id: "AUTH_EXPIRED_REFRESH_TOKEN" } });
    });

    it("keeps at most 25 refresh tokens per user, revoking the oldest", async () => {
        const first = await login(sim);
        for (let i = 0; i < 25; i++) await login(sim);
        expect(sim.state().tokens.refresh).toBe(25);
        const revoked = await http(`${sim.url}/api/mgmt.aaa/1.0/token`, { method: "POST", json: { refresh_token: first.refresh_token } });
        expect(revoked).toMatchObject({ status: 401, body: { error_id: "AUTH_INVALID_REFRESH_TOKEN" } });
    });

    it("can report expires_at as a lifetime, like the vendor's documentation example", async () => {
        sim.configure({ expiresAtFormat: "lifetime-seconds", accessTokenTtlMs: 900_000 });
        expect((await login(sim)).expires_at).toBe(900);
    });

    it("expires access tokens on demand while refresh tokens keep working", async () => {
        const tokens = await login(sim);
        expect((await http(`${sim.url}/__sim/tokens/expire`, { method: "POST" })).status).toBe(204);
        expect((await http(updateUrl(), { token: tokens.access_token })).body.error_id).toBe("AUTH_EXPIRED_TOKEN");
        expect(
            (await http(`${sim.url}/api/mgmt.aaa/1.0/token`, { method: "POST", json: { refresh_token: tokens.refresh_token } })).status,
        ).toBe(200);
    });

    it("serves the unauthenticated discovery endpoints", async () => {
        expect((await http(`${sim.url}/api/common/1.0/ping`)).status).toBe(204);
        expect((await http(`${sim.url}/api/common/1.0/services`)).body).toContainEqual({ id: "npm.system_update", versions: ["2.0"] });
        expect((await http(`${sim.url}/api/common/1.0/auth_info`)).body.supported_methods).toEqual(["OAUTH_2_0"]);
        expect((await http(`${sim.url}/api/npm.system_update/2.0`)).body).toMatchObject({ name: "npm.system_update", version: "2.0" });
    });
});
