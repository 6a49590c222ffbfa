/**
 * Appgate-specific control routes under `/__sim/` (the core adds calls, faults and reboot):
 *
 * | Route | Effect |
 * |---|---|
 * | `GET /__sim/state` | peer versions, settings, token count, appliances (version, volume, upgrade status, accepted calls), changes, queued failures |
 * | `PATCH /__sim/settings` | e.g. `{"tokenTtlMs": 3000, "peerVersionsBack": 0, "timings": {"idleAfterPrepareMs": 1500}}` |
 * | `POST /__sim/inject` | `{"phase": "download"\|"verify"\|"install", "appliance"?: id or name, "reason"?: text}` |
 * | `DELETE /__sim/inject` | drop queued failures |
 * | `POST /__sim/tokens/expire` | expire every login token now; `{"untilRefused": true}`: also tokens issued before the next 401 |
 * | `GET /__sim/images/:name` | serve a generated image; `?payloadBytes=N` sets its size; names with `corrupt` fail verification, with `missing` answer 404 |
 */
import type { AppgateFailurePhase } from "./appliance";
import { CONTROL_PREFIX, withStateAndSettingsRoutes } from "../core/control-routes";
import { SimulatorHttpError } from "../core/http-error";
import { isJsonObject, readJsonBody, sendJson, sendNoContent } from "../core/http-io";
import { Router } from "../core/router";
import { appgateImageStream, DEFAULT_APPGATE_IMAGE_PAYLOAD_BYTES } from "./image-format";
import type { AppgateRuntimeSettings, AppgateTimings } from "./options";
import type { AppgateSimulatorSnapshot } from "./simulator";

/** Largest image the control API serves (keeps a typo from streaming for hours). */
const MAX_SERVED_PAYLOAD_BYTES = 8 * 1024 ** 3;

/** A partial settings change. */
export type AppgateSettingsPatch = Partial<Omit<AppgateRuntimeSettings, "timings">> & { readonly timings?: Partial<AppgateTimings> };

/** What the control routes act on. */
export interface AppgateControlTarget {
    state(): AppgateSimulatorSnapshot;
    configure(patch: AppgateSettingsPatch): AppgateRuntimeSettings;
    injectFailure(phase: AppgateFailurePhase, options?: { appliance?: string; reason?: string }): void;
    clearInjectedFailures(): void;
    expireTokens(options?: { untilRefused?: boolean }): void;
}

/** Build the Appgate control routes. */
export function buildAppgateControlRoutes(target: AppgateControlTarget): Router {
    return withStateAndSettingsRoutes<AppgateSettingsPatch>(new Router(), target)
        .on("POST", `${CONTROL_PREFIX}/inject`, "control.inject", async ({ req, res }) => {
            const body = await readJsonBody(req);
            const usage = 'Use {"phase":"download"|"verify"|"install","appliance"?:"<id or name>","reason"?:"<text>"}.';
            if (!isJsonObject(body)) throw new SimulatorHttpError(400, "INVALID_INJECTION", usage);
            const { phase, appliance, reason } = body;
            if (phase !== "download" && phase !== "verify" && phase !== "install")
                throw new SimulatorHttpError(400, "INVALID_INJECTION", usage);
            if ((appliance !== undefined && typeof appliance !== "string") || (reason !== undefined && typeof reason !== "string")) {
                throw new SimulatorHttpError(400, "INVALID_INJECTION", usage);
            }
            try {
                target.injectFailure(phase, { appliance, reason });
            } catch (error) {
                throw new SimulatorHttpError(404, "UNKNOWN_APPLIANCE", (error as Error).message);
            }
            sendJson(res, 201, body);
        })
        .on("DELETE", `${CONTROL_PREFIX}/inject`, "control.inject.clear", ({ res }) => {
            target.clearInjectedFailures();
            sendNoContent(res);
        })
        .on("POST", `${CONTROL_PREFIX}/tokens/expire`, "control.tokens.expire", async ({ req, res }) => {
            const body = await readJsonBody(req);
            target.expireTokens({ untilRefused: isJsonObject(body) && body["untilRefused"] === true });
            sendNoContent(res);
        })
        .on("GET", `${CONTROL_PREFIX}/images/:name`, "control.images", ({ res, params, url }) => {
            const name = params["name"]!;
            if (name.includes("missing")) throw new SimulatorHttpError(404, "NO_SUCH_IMAGE", `No image ${name} on this server.`);
            const raw = url.searchParams.get("payloadBytes");
            const payloadBytes = raw === null ? DEFAULT_APPGATE_IMAGE_PAYLOAD_BYTES : Number(raw);
            if (!Number.isSafeInteger(payloadBytes) || payloadBytes < 0 || payloadBytes > MAX_SERVED_PAYLOAD_BYTES) {
                throw new SimulatorHttpError(
                    400,
                    "INVALID_SIZE",
                    `[payloadBytes] must be an integer from 0 to ${MAX_SERVED_PAYLOAD_BYTES}.`,
                );
            }
            const { stream, sizeBytes } = appgateImageStream(name, payloadBytes);
            res.writeHead(200, { "Content-Type": "application/zip", "Content-Length": String(sizeBytes) });
            stream.pipe(res);
        });
}
