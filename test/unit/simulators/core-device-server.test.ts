import { once } from "node:events";
import { DeviceServer } from "../../../simulators/core/device-server";
import { SimulatorHttpError } from "../../../simulators/core/http-error";
import { readJsonBody, sendJson } from "../../../simulators/core/http-io";
import { Router } from "../../../simulators/core/router";
import { http, httpOrErrorCode } from "./helpers";

/** A two-route device with a vendor-style error shape. */
function makeDevice(): DeviceServer {
    const routes = new Router()
        .on("GET", "/thing/:id", "thing.get", ({ res, params }) => sendJson(res, 200, { id: params["id"] }))
        .on("POST", "/thing", "thing.create", async ({ req, res }) => {
            const body = await readJsonBody(req);
            if (body === undefined) throw new SimulatorHttpError(400, "EMPTY", "Body required.");
            sendJson(res, 201, body);
        });
    return new DeviceServer({ name: "dev", routes, formatError: (_status, code, message) => ({ code, message }) });
}

describe("DeviceServer", () => {
    let device: DeviceServer;
    beforeEach(async () => {
        device = makeDevice();
        await device.start();
    });
    afterEach(() => device.stop());

    it("routes requests and answers errors in the vendor's shape", async () => {
        expect(device.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
        expect((await http(`${device.url}/thing/7`)).body).toEqual({ id: "7" });
        expect(await http(`${device.url}/thing`, { method: "POST" })).toMatchObject({
            status: 400,
            body: { code: "EMPTY", message: "Body required." },
        });
        expect(await http(`${device.url}/nothing`)).toMatchObject({ status: 404, body: { code: "RESOURCE_NOT_FOUND" } });
        const wrongMethod = await http(`${device.url}/thing/7`, { method: "DELETE" });
        expect(wrongMethod).toMatchObject({ status: 405, headers: { allow: "GET" } });
    });

    it("answers a 5xx burst, then recovers", async () => {
        device.faults.failNext(2, 503, "thing.get");
        const statuses = [];
        for (let i = 0; i < 3; i++) statuses.push((await http(`${device.url}/thing/1`)).status);
        expect(statuses).toEqual([503, 503, 200]);
        const first = await http(`${device.url}/thing/1`);
        expect(first.status).toBe(200);
        expect(device.calls.snapshot()["thing.get"]).toEqual({ received: 4, faulted: 2, byStatus: { "503": 2, "200": 2 } });
    });

    it("throttles with 429 and Retry-After", async () => {
        device.faults.throttleNext(1, 3);
        const throttled = await http(`${device.url}/thing/1`);
        expect(throttled.status).toBe(429);
        expect(throttled.headers["retry-after"]).toBe("3");
        expect(throttled.body).toMatchObject({ code: "TOO_MANY_REQUESTS" });
    });

    it("resets connections", async () => {
        device.faults.resetNext(1);
        expect(await httpOrErrorCode(`${device.url}/thing/1`)).toBe("ECONNRESET");
        expect(device.calls.snapshot()["thing.get"]?.byStatus).toEqual({ reset: 1 });
        expect((await http(`${device.url}/thing/1`)).status).toBe(200);
    });

    it("delays responses (slow device) and still answers", async () => {
        device.faults.slowDown(30, 1);
        expect((await http(`${device.url}/thing/1`)).status).toBe(200);
        expect(device.faults.list()).toEqual([]);
    });

    it("exposes faults and counters through /__sim without counting control calls", async () => {
        const added = await http(`${device.url}/__sim/faults`, {
            method: "POST",
            json: [
                { kind: "error", status: 500, count: 1 },
                { kind: "throttle", retryAfterSeconds: 2 },
            ],
        });
        expect(added.status).toBe(201);
        expect(added.body.faults).toHaveLength(2);
        expect((await http(`${device.url}/__sim/faults`)).body.faults).toHaveLength(2);
        expect((await http(`${device.url}/thing/1`)).status).toBe(500);
        expect((await http(`${device.url}/thing/1`)).status).toBe(429);
        const bad = await http(`${device.url}/__sim/faults`, { method: "POST", json: { kind: "error", status: 200 } });
        expect(bad).toMatchObject({ status: 400, body: { code: "INVALID_FAULT" } });
        const calls = await http(`${device.url}/__sim/calls`);
        expect(calls.body).toEqual({ calls: { "thing.get": { received: 2, faulted: 2, byStatus: { "500": 1, "429": 1 } } } });
        expect((await http(`${device.url}/__sim/calls`, { method: "DELETE" })).status).toBe(204);
        expect((await http(`${device.url}/__sim/calls`)).body).toEqual({ calls: {} });
        const index = await http(`${device.url}/__sim`);
        expect(index.body.routes).toContainEqual({ method: "GET", path: "/thing/:id", operation: "thing.get" });
    });

    it("refuses connections during a reboot window and comes back on the same port", async () => {
        const port = device.port;
        const offline = once(device, "offline");
        const accepted = await http(`${device.url}/__sim/reboot`, { method: "POST", json: { downtimeMs: 200 } });
        expect(accepted).toMatchObject({ status: 202, body: { downtimeMs: 200 } });
        await offline;
        expect(device.state).toBe("rebooting");
        expect(await httpOrErrorCode(`${device.url}/thing/1`)).toBe("ECONNREFUSED");
        await device.whenOnline();
        expect(device.port).toBe(port);
        expect((await http(`${device.url}/thing/1`)).status).toBe(200);
    });

    it("stops while rebooting without leaving timers behind", async () => {
        await device.reboot(60_000);
        await device.stop();
        expect(device.state).toBe("stopped");
        await expect(device.whenOnline()).resolves.toBeUndefined();
    });
});
