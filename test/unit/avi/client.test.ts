import { handlerEnv, type HandlerEnv } from "../../../provider/core/env";
import { VendorApiError } from "../../../provider/core/errors";
import { AviClient, parseAviError } from "../../../provider/avi/client";
import { resolveConnection } from "../../../provider/avi/connection";
import { startAviSimulator, type AviSimulator } from "../../../simulators/avi";
import { FAST_AVI } from "./sim-helpers";

let sim: AviSimulator;
let env: HandlerEnv;
beforeEach(async () => {
    env = handlerEnv();
    sim = await startAviSimulator({ timings: FAST_AVI, tenants: ["prod"] });
});
afterEach(async () => {
    env.clients.close();
    await sim.stop();
});

const client = (extra: Record<string, string> = {}) =>
    AviClient.for(resolveConnection({ endpoint: sim.url, username: "admin", password: "admin", ...extra }), env);

test("X-Avi-Version defaults to the controller's version from the login answer; a pinned older version gets older records", async () => {
    const c = client();
    expect(await c.apiVersion()).toBe("22.1.6");
    expect((await c.listUpgradeStatus())[0]!.history).toEqual([]);
    const old = client({ apiVersion: "20.1.1" });
    const records = await old.listUpgradeStatus();
    expect(records[0]!.history).toBeUndefined();
    expect(records).toHaveLength(3);
});

test("one shared client per connection settings; a tenant travels as X-Avi-Tenant and an unknown one surfaces the controller's words", async () => {
    expect(client()).toBe(client());
    expect(client({ tenant: "prod" })).not.toBe(client());
    expect(await client({ tenant: "prod" }).clusterUuid()).toBe(sim.clusterUuid);
    const error = await client({ tenant: "nope" })
        .clusterUuid()
        .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VendorApiError);
    expect((error as Error).message).toMatch(/400 Tenant nope not found/);
});

test("a rotated CSRF token is followed and a refused login is not retried", async () => {
    sim.configure({ rotateCsrfEvery: 2 });
    const c = client();
    for (let i = 0; i < 5; i++) await c.resumeSeGroups([], "/api/resumesegroup").catch((e: VendorApiError) => expect(e.status).toBe(400));
    expect(sim.logins).toBe(1);
    const bad = AviClient.for(resolveConnection({ endpoint: sim.url, username: "admin", password: "wrong" }), env);
    await expect(bad.listImages()).rejects.toThrow(/POST \/login.*401 Invalid credentials/);
    expect(sim.calls.received("login")).toBe(2);
});

test("error bodies: {error}, {detail}, {message}, or the raw text", () => {
    expect(parseAviError({ error: "e" }, "")).toEqual({ message: "e" });
    expect(parseAviError({ detail: "d" }, "")).toEqual({ message: "d" });
    expect(parseAviError(undefined, "CSRF token missing or incorrect.\n")).toEqual({ message: "CSRF token missing or incorrect." });
});
