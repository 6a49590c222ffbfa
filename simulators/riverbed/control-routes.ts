/**
 * Riverbed-specific control routes under `/__sim/` (the core adds calls, faults and reboot):
 *
 * | Route | Effect |
 * |---|---|
 * | `GET /__sim/state` | version, update object, images, settings, token counts, queued failures |
 * | `PATCH /__sim/settings` | change runtime settings, e.g. `{"accessTokenTtlMs": 2000, "timings": {"rebootMs": 500}}` |
 * | `POST /__sim/inject` | `{"target":"image","outcome":"INVALID"|"UPLOAD_ERROR"}` or `{"target":"update","phase":"init"|"start","outcome":"FAILED_GRACEFUL"|"FAILED_CRITICAL"}` |
 * | `DELETE /__sim/inject` | drop queued failures |
 * | `POST /__sim/repair` | FAILED_CRITICAL (or any state) → IDLE on the installed version |
 * | `POST /__sim/tokens/expire` | expire every access token now (refresh tokens stay valid) |
 */
import { CONTROL_PREFIX, withStateAndSettingsRoutes } from "../core/control-routes";
import { SimulatorHttpError } from "../core/http-error";
import { isJsonObject, readJsonBody, sendJson, sendNoContent } from "../core/http-io";
import { Router } from "../core/router";
import type { RiverbedImageFailure } from "./images";
import type { RiverbedRuntimeSettings, RiverbedTimings } from "./options";
import type { RiverbedUpdateFailure, RiverbedUpdatePhase } from "./update";

/** What the control routes need from the simulator. */
export interface RiverbedControlTarget {
    state(): unknown;
    configure(settings: RiverbedSettingsPatch): RiverbedRuntimeSettings;
    injectImageFailure(outcome: RiverbedImageFailure): void;
    injectUpdateFailure(phase: RiverbedUpdatePhase, outcome: RiverbedUpdateFailure): void;
    clearInjectedFailures(): void;
    repair(): void;
    expireAccessTokens(): void;
}

/** A partial settings change; `timings` may be partial too. */
export type RiverbedSettingsPatch = Partial<Omit<RiverbedRuntimeSettings, "timings">> & { readonly timings?: Partial<RiverbedTimings> };

/** Build the Riverbed control routes. */
export function buildRiverbedControlRoutes(target: RiverbedControlTarget): Router {
    return withStateAndSettingsRoutes<RiverbedSettingsPatch>(new Router(), target)
        .on("POST", `${CONTROL_PREFIX}/inject`, "control.inject", async ({ req, res }) => {
            const body = await readJsonBody(req);
            if (!isJsonObject(body)) throw new SimulatorHttpError(400, "INVALID_INJECTION", "Injection body must be a JSON object.");
            const { target: kind, outcome, phase } = body;
            if (kind === "image" && (outcome === "INVALID" || outcome === "UPLOAD_ERROR")) {
                target.injectImageFailure(outcome);
            } else if (
                kind === "update" &&
                (phase === "init" || phase === "start") &&
                (outcome === "FAILED_GRACEFUL" || outcome === "FAILED_CRITICAL")
            ) {
                target.injectUpdateFailure(phase, outcome);
            } else {
                throw new SimulatorHttpError(
                    400,
                    "INVALID_INJECTION",
                    'Use {"target":"image","outcome":"INVALID"|"UPLOAD_ERROR"} or {"target":"update","phase":"init"|"start","outcome":"FAILED_GRACEFUL"|"FAILED_CRITICAL"}.',
                );
            }
            sendJson(res, 201, body);
        })
        .on("DELETE", `${CONTROL_PREFIX}/inject`, "control.inject.clear", ({ res }) => {
            target.clearInjectedFailures();
            sendNoContent(res);
        })
        .on("POST", `${CONTROL_PREFIX}/repair`, "control.repair", ({ res }) => {
            target.repair();
            sendNoContent(res);
        })
        .on("POST", `${CONTROL_PREFIX}/tokens/expire`, "control.tokens.expire", ({ res }) => {
            target.expireAccessTokens();
            sendNoContent(res);
        });
}
