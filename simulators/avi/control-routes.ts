/**
 * Avi-specific control routes under `/__sim/` (the core adds calls, faults and reboot):
 *
 * | Route | Effect |
 * |---|---|
 * | `GET /__sim/state` | version, records, images, settings, sessions, queued failures |
 * | `PATCH /__sim/settings` | change runtime settings, e.g. `{"precheckWarnings": [{"check_code": "SYSERR_X", "description": "…"}]}` |
 * | `POST /__sim/inject` | queue a failure for the next operation (see {@link AviInjection}) |
 * | `DELETE /__sim/inject` | drop queued failures |
 * | `POST /__sim/sessions/expire` | every session expires now (next call: 401/419) |
 */
import { CONTROL_PREFIX, withStateAndSettingsRoutes } from "../core/control-routes";
import { SimulatorHttpError } from "../core/http-error";
import { isJsonObject, readJsonBody, sendJson, sendNoContent } from "../core/http-io";
import { Router } from "../core/router";
import type { AviRuntimeSettings, AviTimings } from "./options";

/** A failure to queue. `reason` defaults to a plausible vendor message. */
export type AviInjection =
    | { readonly target: "image"; readonly reason?: string }
    | { readonly target: "controller"; readonly outcome: "ERROR"; readonly task?: string; readonly reason?: string }
    | { readonly target: "controller"; readonly outcome: "ABORTED"; readonly reason?: string }
    | { readonly target: "upgrade"; readonly outcome: "ENQUEUE_FAILED"; readonly reason?: string }
    | { readonly target: "segroup"; readonly seGroup?: string; readonly reason?: string };

/** A partial settings change; `timings` may be partial too. */
export type AviSettingsPatch = Partial<Omit<AviRuntimeSettings, "timings">> & { readonly timings?: Partial<AviTimings> };

/** What the control routes need from the simulator. */
export interface AviControlTarget {
    state(): unknown;
    configure(patch: AviSettingsPatch): AviRuntimeSettings;
    inject(injection: AviInjection): void;
    clearInjected(): void;
    expireSessions(): void;
}

/** Check an untrusted injection body. @throws Error describing the accepted shapes. */
export function parseInjection(body: unknown): AviInjection {
    const ok =
        isJsonObject(body) &&
        (body["reason"] === undefined || typeof body["reason"] === "string") &&
        (body["target"] === "image" ||
            (body["target"] === "controller" &&
                (body["outcome"] === "ERROR" || body["outcome"] === "ABORTED") &&
                (body["task"] === undefined || typeof body["task"] === "string")) ||
            (body["target"] === "upgrade" && body["outcome"] === "ENQUEUE_FAILED") ||
            (body["target"] === "segroup" && (body["seGroup"] === undefined || typeof body["seGroup"] === "string")));
    if (!ok) {
        throw new Error(
            'Use {"target":"image"}, {"target":"controller","outcome":"ERROR","task"?}, {"target":"controller","outcome":"ABORTED"}, ' +
                '{"target":"upgrade","outcome":"ENQUEUE_FAILED"} or {"target":"segroup","seGroup"?}, each with an optional "reason".',
        );
    }
    return body as unknown as AviInjection;
}

/** Build the Avi control routes. */
export function buildAviControlRoutes(target: AviControlTarget): Router {
    return withStateAndSettingsRoutes<AviSettingsPatch>(new Router(), target)
        .on("POST", `${CONTROL_PREFIX}/inject`, "control.inject", async ({ req, res }) => {
            const body = await readJsonBody(req);
            try {
                target.inject(parseInjection(body));
            } catch (error) {
                throw new SimulatorHttpError(400, "INVALID_INJECTION", (error as Error).message);
            }
            sendJson(res, 201, body);
        })
        .on("DELETE", `${CONTROL_PREFIX}/inject`, "control.inject.clear", ({ res }) => {
            target.clearInjected();
            sendNoContent(res);
        })
        .on("POST", `${CONTROL_PREFIX}/sessions/expire`, "control.sessions.expire", ({ res }) => {
            target.expireSessions();
            sendNoContent(res);
        });
}
