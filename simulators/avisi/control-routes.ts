/**
 * Avisi-specific control routes under `/__sim/` (the core adds calls, faults and reboot):
 *
 * | Route | Effect |
 * |---|---|
 * | `GET /__sim/state` | simulated time (`now`, `originMs`, `scale`), settings, clusters, schedules, upgrades, queued outcomes, accepted POSTs |
 * | `PATCH /__sim/settings` | e.g. `{"publicRead": false, "publicCancel": false, "timings": {"upgradeMs": 60000}}` |
 * | `POST /__sim/inject` | `{"status": "MISSED"\|"FAILED"\|"SUPERSEDED", "cluster"?: identity or slug, "reason"?: text}`: the next upgrade reaching its window ends so |
 * | `DELETE /__sim/inject` | drop queued outcomes |
 * | `POST /__sim/time/skip` | `{"ms": N}`: jump simulated time forward, firing what falls due |
 */
import { CONTROL_PREFIX, withStateAndSettingsRoutes } from "../core/control-routes";
import { SimulatorHttpError } from "../core/http-error";
import { isJsonObject, readJsonBody, sendJson, sendNoContent } from "../core/http-io";
import { Router } from "../core/router";
import { INJECTABLE_OUTCOMES, type InjectableOutcome } from "./constants";
import type { AvisiRuntimeSettings, AvisiTimings } from "./options";

/** A partial settings change. */
export type AvisiSettingsPatch = Partial<Omit<AvisiRuntimeSettings, "timings">> & { readonly timings?: Partial<AvisiTimings> };

/** What the control routes act on. */
export interface AvisiControlTarget {
    state(): unknown;
    configure(patch: AvisiSettingsPatch): AvisiRuntimeSettings;
    inject(status: InjectableOutcome, options?: { cluster?: string; reason?: string }): void;
    clearInjected(): void;
    skipTime(ms: number): void;
}

/** Build the Avisi control routes. */
export function buildAvisiControlRoutes(target: AvisiControlTarget): Router {
    return withStateAndSettingsRoutes<AvisiSettingsPatch>(new Router(), target)
        .on("POST", `${CONTROL_PREFIX}/inject`, "control.inject", async ({ req, res }) => {
            const body = await readJsonBody(req);
            const usage = `Use {"status":${INJECTABLE_OUTCOMES.map((s) => `"${s}"`).join("|")},"cluster"?:"<identity or slug>","reason"?:"<text>"}.`;
            if (!isJsonObject(body) || !(INJECTABLE_OUTCOMES as readonly unknown[]).includes(body["status"]))
                throw new SimulatorHttpError(400, "INVALID_INJECTION", usage);
            const { cluster, reason } = body;
            if ((cluster !== undefined && typeof cluster !== "string") || (reason !== undefined && typeof reason !== "string"))
                throw new SimulatorHttpError(400, "INVALID_INJECTION", usage);
            try {
                target.inject(body["status"] as InjectableOutcome, { cluster, reason });
            } catch (error) {
                throw new SimulatorHttpError(404, "UNKNOWN_CLUSTER", (error as Error).message);
            }
            sendJson(res, 201, body);
        })
        .on("DELETE", `${CONTROL_PREFIX}/inject`, "control.inject.clear", ({ res }) => {
            target.clearInjected();
            sendNoContent(res);
        })
        .on("POST", `${CONTROL_PREFIX}/time/skip`, "control.time.skip", async ({ req, res }) => {
            const body = await readJsonBody(req);
            const ms = isJsonObject(body) ? body["ms"] : undefined;
            if (typeof ms !== "number" || !Number.isFinite(ms) || ms < 0)
                throw new SimulatorHttpError(400, "INVALID_SKIP", 'Use {"ms": <non-negative number>}.');
            try {
                target.skipTime(ms);
            } catch (error) {
                throw new SimulatorHttpError(409, "CLOCK_CANNOT_SKIP", (error as Error).message);
            }
            sendJson(res, 200, { skippedMs: ms });
        });
}
