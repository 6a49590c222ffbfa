/**
 * The simulated Riverbed REST API: which path maps to which operation and handler.
 *
 * Unauthenticated ([unknown] for the real appliance; chosen so clients can discover the API before
 * logging in): `common` ping/services/auth_info, the service definitions and the token endpoints.
 * Everything under `npm.system_update` 2.0 needs a bearer token.
 *
 * Operation names (for call counters and fault targeting): `auth.token`, `common.ping`,
 * `common.services`, `common.auth_info`, `service.definition`, `images.list`, `images.get`,
 * `images.delete`, `images.upload`, `images.fetch`, `update.get`, `update.init`, `update.start`,
 * `update.reset`.
 */
import { SimulatorHttpError } from "../core/http-error";
import { discardBody, readJsonBody, sendJson, sendNoContent } from "../core/http-io";
import { Router, type RouteHandler } from "../core/router";
import type { RiverbedAuth } from "./auth";
import { RiverbedErrorIds, RiverbedPaths } from "./constants";
import type { RiverbedImageStore } from "./images";
import { receiveUpload, startFetch, type TransferDeps } from "./transfers";
import type { RiverbedUpdateMachine } from "./update";

/** The device parts the routes operate on. */
export interface RiverbedRouteDeps {
    readonly auth: RiverbedAuth;
    readonly images: RiverbedImageStore;
    readonly update: RiverbedUpdateMachine;
    readonly transfers: TransferDeps;
}

/** Services listed by `GET /api/common/1.0/services`. */
const SERVICES = [
    { id: "common", versions: ["1.0"] },
    { id: "mgmt.aaa", versions: ["1.0", "2.0"] },
    { id: "npm.system_update", versions: ["2.0"] },
] as const;

/** Build the API route table. */
export function buildRiverbedRoutes(deps: RiverbedRouteDeps): Router {
    const authenticated =
        (handler: RouteHandler): RouteHandler =>
        (context) => {
            deps.auth.authenticate(context.req);
            return handler(context);
        };
    const base = RiverbedPaths.systemUpdate;
    const router = new Router();

    const token: RouteHandler = async ({ req, res }) => {
        const result = deps.auth.handleTokenRequest(await readJsonBody(req));
        sendJson(res, result.status, result.body);
    };
    router.on("POST", RiverbedPaths.tokenV1, "auth.token", token).on("POST", RiverbedPaths.tokenV2, "auth.token", token);

    router
        // Liveness: an empty 204 ([unknown] status; steelscript only drains the body).
        .on("GET", RiverbedPaths.ping, "common.ping", ({ res }) => sendNoContent(res))
        .on("GET", RiverbedPaths.services, "common.services", ({ res }) => sendJson(res, 200, SERVICES))
        // Only bearer tokens are implemented, so only OAuth 2.0 is advertised ([unknown] spelling).
        .on("GET", RiverbedPaths.authInfo, "common.auth_info", ({ res }) =>
            sendJson(res, 200, { supported_methods: ["OAUTH_2_0"], specify_purpose: false, login_banner: "" }),
        );
    for (const service of SERVICES) {
        for (const version of service.versions) {
            router.on("GET", `/api/${service.id}/${version}`, "service.definition", ({ res }) =>
                sendJson(res, 200, serviceDefinition(service.id, version)),
            );
        }
    }

    router
        .on(
            "GET",
            `${base}/images`,
            "images.list",
            authenticated(({ res }) => sendJson(res, 200, { items: deps.images.list() })),
        )
        .on(
            "GET",
            `${base}/images/items/:id`,
            "images.get",
            authenticated(({ res, params }) => sendJson(res, 200, requireImage(deps, params["id"]!))),
        )
        .on(
            "DELETE",
            `${base}/images/items/:id`,
            "images.delete",
            authenticated(({ res, params }) => {
                const image = requireImage(deps, params["id"]!);
                refuseDeletingImageInUse(deps, image.id);
                deps.images.delete(image.id);
                sendNoContent(res);
            }),
        )
        .on(
            "POST",
            `${base}/images/upload`,
            "images.upload",
            authenticated(({ req, res }) => receiveUpload(req, res, deps.transfers)),
        )
        .on(
            "POST",
            `${base}/images/fetch`,
            "images.fetch",
            authenticated(({ req, res }) => startFetch(req, res, deps.transfers)),
        )
        .on(
            "GET",
            `${base}/update`,
            "update.get",
            authenticated(({ res }) => sendJson(res, 200, deps.update.snapshot())),
        )
        .on("POST", `${base}/update/init`, "update.init", authenticated(updateAction(() => deps.update.init())))
        .on("POST", `${base}/update/start`, "update.start", authenticated(updateAction(() => deps.update.start())))
        .on("POST", `${base}/update/reset`, "update.reset", authenticated(updateAction(() => deps.update.reset())));
    return router;
}

/** The update actions take no body and answer 204 without one (as documented). */
function updateAction(action: () => void): RouteHandler {
    return async ({ req, res }) => {
        await discardBody(req);
        action();
        sendNoContent(res);
    };
}

function requireImage(deps: RiverbedRouteDeps, rawId: string) {
    const id = /^\d+$/.test(rawId) ? Number(rawId) : Number.NaN;
    const image = Number.isSafeInteger(id) ? deps.images.get(id) : undefined;
    if (image === undefined) throw new SimulatorHttpError(404, RiverbedErrorIds.notFound, `Image ${rawId} does not exist.`);
    return image;
}

/**
 * [unknown] on the real appliance: while an update runs no image may be deleted, and the image an
 * initialized update holds may not be deleted until it is reset.
 */
function refuseDeletingImageInUse(deps: RiverbedRouteDeps, imageId: number): void {
    const state = deps.update.snapshot().state;
    if (state === "RUNNING") {
        throw new SimulatorHttpError(400, RiverbedErrorIds.imageInUse, "Images cannot be deleted while an update is running.");
    }
    if ((state === "INITIALIZING" || state === "INITIALIZED") && deps.update.targetImage === imageId) {
        throw new SimulatorHttpError(
            400,
            RiverbedErrorIds.imageInUse,
            `Image ${imageId} is held by the initialized update; reset the update first.`,
        );
    }
}

/**
 * A minimal service definition. The real one is a full reschema document; clients such as
 * steelscript only need it to exist, so the simulator returns the identifying fields.
 */
function serviceDefinition(service: string, version: string): Record<string, unknown> {
    return {
        $schema: "http://support.riverbed.com/apis/service_def/2.2",
        id: `http://support.riverbed.com/apis/${service}/${version}`,
        provider: "riverbed",
        name: service,
        version,
        title: `${service} ${version} (simulated)`,
    };
}
