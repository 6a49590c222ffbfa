/**
 * The vendor-neutral part of the control API under `/__sim/`.
 *
 * These routes are for tests, demos and dry runs, never part of a vendor API: they are not counted,
 * faults never apply to them, and they need no credentials. While a device reboots they are
 * unreachable too (the whole listener is closed), which is what a real appliance would do.
 *
 * | Route | Effect |
 * |---|---|
 * | `GET /__sim` | device name, state, API routes with their operation names |
 * | `GET /__sim/calls` | per-operation counters `{calls: {op: {received, faulted, byStatus}}}` |
 * | `DELETE /__sim/calls` | reset counters |
 * | `GET /__sim/faults` | active fault rules |
 * | `POST /__sim/faults` | add a rule (or an array of rules); see `faults.ts` for the fields |
 * | `DELETE /__sim/faults` | remove every rule |
 * | `DELETE /__sim/faults/:id` | remove one rule |
 * | `POST /__sim/reboot` | `{downtimeMs?}`: refuse connections for that long, then come back |
 *
 * Vendors add `GET /__sim/state` and `PATCH /__sim/settings` with {@link withStateAndSettingsRoutes}.
 */
import type { DeviceServer } from "./device-server";
import { parseFaultSpec } from "./faults";
import { SimulatorHttpError } from "./http-error";
import { isJsonObject, readJsonBody, sendJson, sendNoContent } from "./http-io";
import type { Router } from "./router";

/** Path prefix reserved for the control API. */
export const CONTROL_PREFIX = "/__sim";

/**
 * Add the core control routes to `router`.
 * @param defaultRebootMs downtime for `POST /__sim/reboot` when the body gives none.
 */
export function addCoreControlRoutes(router: Router, device: DeviceServer, defaultRebootMs: () => number): void {
    router
        .on("GET", CONTROL_PREFIX, "control.index", ({ res }) => {
            sendJson(res, 200, {
                name: device.name,
                state: device.state,
                routes: device.apiRoutes().map(({ method, path, operation }) => ({ method, path, operation })),
                control: router.list().map(({ method, path }) => ({ method, path })),
            });
        })
        .on("GET", `${CONTROL_PREFIX}/calls`, "control.calls.get", ({ res }) => {
            sendJson(res, 200, { calls: device.calls.snapshot() });
        })
        .on("DELETE", `${CONTROL_PREFIX}/calls`, "control.calls.reset", ({ res }) => {
            device.calls.reset();
            sendNoContent(res);
        })
        .on("GET", `${CONTROL_PREFIX}/faults`, "control.faults.list", ({ res }) => {
            sendJson(res, 200, { faults: device.faults.list() });
        })
        .on("POST", `${CONTROL_PREFIX}/faults`, "control.faults.add", async ({ req, res }) => {
            const body = await readJsonBody(req);
            const specs = (Array.isArray(body) ? body : [body]).map(parseFaultSpec);
            sendJson(res, 201, { faults: specs.map((spec) => device.faults.add(spec)) });
        })
        .on("DELETE", `${CONTROL_PREFIX}/faults`, "control.faults.clear", ({ res }) => {
            device.faults.clear();
            sendNoContent(res);
        })
        .on("DELETE", `${CONTROL_PREFIX}/faults/:id`, "control.faults.remove", ({ res, params }) => {
            if (!device.faults.remove(Number(params["id"]))) {
                throw new SimulatorHttpError(404, "UNKNOWN_FAULT", `No fault rule with id ${params["id"]}.`);
            }
            sendNoContent(res);
        })
        .on("POST", `${CONTROL_PREFIX}/reboot`, "control.reboot", async ({ req, res }) => {
            const body = await readJsonBody(req);
            const downtimeMs = isJsonObject(body) && body["downtimeMs"] !== undefined ? body["downtimeMs"] : defaultRebootMs();
            if (typeof downtimeMs !== "number" || !Number.isFinite(downtimeMs) || downtimeMs < 0) {
                throw new SimulatorHttpError(400, "INVALID_REBOOT", "[downtimeMs] must be a non-negative number.");
            }
            // Reboot only after the answer has left, so the caller learns the reboot was accepted.
            res.once("finish", () => {
                device.reboot(downtimeMs).catch(() => undefined);
            });
            sendJson(res, 202, { downtimeMs });
        });
}

/** What a vendor simulator exposes to the state and settings routes. */
export interface StateAndSettingsTarget<Patch> {
    /** Everything observable, as `GET /__sim/state` returns it. */
    state(): unknown;
    /** Applies a (partial) settings change; throws with a message naming the bad field. */
    configure(patch: Patch): unknown;
}

/**
 * Add `GET /__sim/state` (the vendor's full snapshot) and `PATCH /__sim/settings` (live settings
 * change; 400 `INVALID_SETTINGS` with the validation message) to `router`.
 */
export function withStateAndSettingsRoutes<Patch>(router: Router, target: StateAndSettingsTarget<Patch>): Router {
    return router
        .on("GET", `${CONTROL_PREFIX}/state`, "control.state", ({ res }) => sendJson(res, 200, target.state()))
        .on("PATCH", `${CONTROL_PREFIX}/settings`, "control.settings", async ({ req, res }) => {
            const body = await readJsonBody(req);
            if (!isJsonObject(body)) throw new SimulatorHttpError(400, "INVALID_SETTINGS", "Settings body must be a JSON object.");
            try {
                sendJson(res, 200, target.configure(body as Patch));
            } catch (error) {
                throw new SimulatorHttpError(400, "INVALID_SETTINGS", (error as Error).message);
            }
        });
}
