/**
 * Unity-specific control routes under `/__sim/` (the core adds calls, faults and reboot):
 *
 * | Route | Effect |
 * |---|---|
 * | `GET /__sim/state` | version, candidate, sessions, settings, logins, queued failures |
 * | `PATCH /__sim/settings` | e.g. `{"degradedComponent":"SP B","failoverMode":"503","timings":{"primaryRebootMs":500}}` |
 * | `POST /__sim/inject` | `{"task":"preinstall"\|"primaryReboot"\|…,"outcome":"Failed"\|"Failed_Lock"\|"Waiting_For_User"}` |
 * | `DELETE /__sim/inject` | drop queued failures |
 * | `POST /__sim/logins/expire` | forget every login and CSRF token now (as after a failover) |
 */
import { CONTROL_PREFIX, withStateAndSettingsRoutes } from "../core/control-routes";
import { SimulatorHttpError } from "../core/http-error";
import { isJsonObject, readJsonBody, sendJson, sendNoContent } from "../core/http-io";
import { Router } from "../core/router";
import type { UnityRuntimeSettings, UnityTimings } from "./options";
import type { UnityFailureOutcome, UnityFailureTask } from "./upgrade";

/** A partial settings change; `timings` may be partial too. */
export type UnitySettingsPatch = Partial<Omit<UnityRuntimeSettings, "timings">> & { readonly timings?: Partial<UnityTimings> };

/** What the control routes need from the simulator. */
export interface UnityControlTarget {
    state(): unknown;
    configure(patch: UnitySettingsPatch): UnityRuntimeSettings;
    injectFailure(task: UnityFailureTask, outcome: UnityFailureOutcome): void;
    clearInjectedFailures(): void;
    expireLogins(): void;
}

/** Build the Unity control routes. */
export function buildUnityControlRoutes(target: UnityControlTarget): Router {
    return withStateAndSettingsRoutes<UnitySettingsPatch>(new Router(), target)
        .on("POST", `${CONTROL_PREFIX}/inject`, "control.inject", async ({ req, res }) => {
            const body = await readJsonBody(req);
            if (!isJsonObject(body))
                throw new SimulatorHttpError(400, "INVALID_INJECTION", "Injection body must be a JSON object with [task] and [outcome].");
            try {
                target.injectFailure(body["task"] as UnityFailureTask, body["outcome"] as UnityFailureOutcome);
            } catch (error) {
                throw new SimulatorHttpError(400, "INVALID_INJECTION", (error as Error).message);
            }
            sendJson(res, 201, body);
        })
        .on("DELETE", `${CONTROL_PREFIX}/inject`, "control.inject.clear", ({ res }) => {
            target.clearInjectedFailures();
            sendNoContent(res);
        })
        .on("POST", `${CONTROL_PREFIX}/logins/expire`, "control.logins.expire", ({ res }) => {
            target.expireLogins();
            sendNoContent(res);
        });
}
