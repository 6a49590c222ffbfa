/**
 * The simulated Controller admin API (paths under `/admin`): which path maps to which operation and
 * handler.
 *
 * Request pipeline of every route: 502 while the primary controller's services are stopped for
 * an install → `Accept` peer-version check (406 with min/max; not for `GET /version`) → bearer
 * token (401; not for `/login`, `/version`, `/identity-providers/names`) → handler. Calls about an
 * appliance that is rebooting (not the primary controller, whose whole API is then down) get 502,
 * as the controller cannot reach it: a JSON 502 for upgrade calls, or, with
 * `rebootingApplianceReplies: "plain-502-every-call"`, a plain-text `Bad Gateway` for every request
 * about it (`GET /appliances/{id}` and `…/change/{id}` included).
 *
 * Operation names (call counters, fault targeting): `version.get`, `login`,
 * `identity-providers.names`, `appliances.list`, `appliances.get`, `appliances.status`,
 * `sites.list`, `upgrade.get`, `upgrade.prepare`, `upgrade.complete`, `upgrade.switch-partition`,
 * `upgrade.cancel`, `upgrade.start` (one-shot), `appliance.switch-partition`, `change.get`.
 *
 * Version-dependent answers: `GET /appliances/status` exists from peer v20 (404 before);
 * cancel answers 204 up to v18, 202 without a body in v19–v20 and 202 `{id}` from v21.
 */
import type { ServerResponse } from "node:http";
import { SimulatorHttpError } from "../core/http-error";
import { discardBody, isJsonObject, readJsonBody, sendJson, sendNoContent } from "../core/http-io";
import { Router, type RouteContext } from "../core/router";
import { AppgateHttpError, PlainTextHttpError, type SimAppliance } from "./appliance";
import type { RebootingApplianceReplies } from "./options";
import type { AppgateAuth, PeerVersionRange } from "./auth";
import type { ChangeLog, ChangeRecord } from "./changes";
import { ADMIN_PREFIX, APPLIANCE_STATUS_MIN_PEER_VERSION, AppgateErrorIds } from "./constants";

/** What the routes need from the simulator. */
export interface AppgateRouteDeps {
    readonly auth: AppgateAuth;
    /** Peer versions the controller accepts right now. */
    readonly peerRange: () => PeerVersionRange;
    /** A reason when the admin API is down (the primary controller installs), else `undefined`. */
    readonly unavailable: () => string | undefined;
    readonly appliances: () => readonly SimAppliance[];
    readonly sites: () => ReadonlyArray<{ id: string; name: string }>;
    readonly changes: ChangeLog;
    readonly identityProvider: () => string;
    /** How requests about a rebooting appliance are answered. */
    readonly rebootingApplianceReplies: () => RebootingApplianceReplies;
}

type Access = "public" | "versioned" | "authenticated";
type Handler = (context: RouteContext & { peerVersion: number }) => void | Promise<void>;

/** Build the admin API route table. */
export function buildAppgateRoutes(deps: AppgateRouteDeps): Router {
    const route = (access: Access, handler: Handler) => async (context: RouteContext) => {
        try {
            const reason = deps.unavailable();
            if (reason !== undefined) throw new AppgateHttpError(502, AppgateErrorIds.badGateway, reason);
            const peerVersion = access === "public" ? 0 : deps.auth.negotiate(context.req, deps.peerRange());
            if (access === "authenticated") deps.auth.authenticate(context.req);
            await handler({ ...context, peerVersion });
        } catch (error) {
            if (error instanceof PlainTextHttpError && !context.res.headersSent) {
                context.res.writeHead(error.status, { "content-type": "text/plain" });
                context.res.end(error.text);
                return;
            }
            if (!(error instanceof AppgateHttpError) || context.res.headersSent) throw error;
            sendJson(context.res, error.status, { id: error.code, message: error.message, ...error.extra }, error.headers);
        }
    };
    const find = (id: string): SimAppliance => {
        const appliance = deps.appliances().find((candidate) => candidate.id === id);
        if (appliance === undefined) throw new SimulatorHttpError(404, AppgateErrorIds.notFound, `Appliance ${id} not found.`);
        if (!appliance.online && deps.rebootingApplianceReplies() === "plain-502-every-call") {
            // A proxy in front of the unreachable appliance answers, not the Controller's API.
            throw new PlainTextHttpError(502, "Bad Gateway");
        }
        return appliance;
    };
    const reachable = (id: string): SimAppliance => {
        const appliance = find(id);
        if (!appliance.online) throw new AppgateHttpError(502, AppgateErrorIds.badGateway, `Appliance ${appliance.name} is not reachable.`);
        return appliance;
    };
    const accepted = (res: ServerResponse, change: ChangeRecord) => sendJson(res, 202, { id: change.id });
    const list = (data: unknown[]) => ({
        data,
        range: `0-${data.length}/${data.length}`,
        orderBy: "name",
        descending: false,
        filterBy: [],
    });
    const p = (path: string) => `${ADMIN_PREFIX}${path}`;

    return new Router()
        .on(
            "GET",
            p("/version"),
            "version.get",
            route("public", ({ res }) => {
                const range = deps.peerRange();
                sendJson(res, 200, { peerVersion: range.max, lowestPeerVersionSupported: range.min });
            }),
        )
        .on(
            "POST",
            p("/login"),
            "login",
            route("versioned", async ({ req, res }) => sendJson(res, 200, deps.auth.login(await readJsonBody(req)))),
        )
        .on(
            "GET",
            p("/identity-providers/names"),
            "identity-providers.names",
            route("versioned", ({ res }) => sendJson(res, 200, list([{ name: deps.identityProvider(), type: "LocalDatabase" }]))),
        )
        .on(
            "GET",
            p("/appliances"),
            "appliances.list",
            route("authenticated", ({ res }) => sendJson(res, 200, list(deps.appliances().map((a) => a.applianceObject())))),
        )
        .on(
            "GET",
            p("/appliances/status"),
            "appliances.status",
            route("authenticated", ({ res, peerVersion }) => {
                if (peerVersion < APPLIANCE_STATUS_MIN_PEER_VERSION) {
                    throw new SimulatorHttpError(
                        404,
                        AppgateErrorIds.notFound,
                        `GET /appliances/status needs peer API v${APPLIANCE_STATUS_MIN_PEER_VERSION} or later; use /stats/appliances before that.`,
                    );
                }
                sendJson(res, 200, list(deps.appliances().map((a) => a.statusObject())));
            }),
        )
        .on(
            "GET",
            p("/appliances/:id"),
            "appliances.get",
            route("authenticated", ({ res, params }) => sendJson(res, 200, find(params["id"]!).applianceObject())),
        )
        .on(
            "GET",
            p("/sites"),
            "sites.list",
            route("authenticated", ({ res }) =>
                sendJson(res, 200, list(deps.sites().map((site) => ({ id: site.id, name: site.name, shortName: site.name, tags: [] })))),
            ),
        )
        .on(
            "GET",
            p("/appliances/:id/upgrade"),
            "upgrade.get",
            route("authenticated", ({ res, params }) => sendJson(res, 200, reachable(params["id"]!).readUpgrade())),
        )
        .on(
            "POST",
            p("/appliances/:id/upgrade/prepare"),
            "upgrade.prepare",
            route("authenticated", async ({ req, res, params }) => {
                const body = await readJsonBody(req);
                const appliance = reachable(params["id"]!);
                accepted(res, appliance.prepare(isJsonObject(body) ? body["imageUrl"] : undefined));
            }),
        )
        .on(
            "POST",
            p("/appliances/:id/upgrade"),
            "upgrade.start",
            route("authenticated", async ({ req, res, params }) => {
                const body = await readJsonBody(req);
                const appliance = reachable(params["id"]!);
                accepted(res, appliance.prepare(isJsonObject(body) ? body["imageUrl"] : undefined, true));
            }),
        )
        .on(
            "POST",
            p("/appliances/:id/upgrade/complete"),
            "upgrade.complete",
            route("authenticated", async ({ req, res, params }) => {
                const body = await readJsonBody(req);
                const switchPartition = isJsonObject(body) ? body["switchPartition"] : undefined;
                if (switchPartition !== undefined && typeof switchPartition !== "boolean") {
                    throw new AppgateHttpError(422, AppgateErrorIds.validation, "Validation failed.", {
                        errors: [{ field: "switchPartition", message: "must be a boolean" }],
                    });
                }
                accepted(res, reachable(params["id"]!).complete(switchPartition === true));
            }),
        )
        .on(
            "POST",
            p("/appliances/:id/upgrade/switch-partition"),
            "upgrade.switch-partition",
            route("authenticated", async ({ req, res, params }) => {
                await discardBody(req);
                accepted(res, reachable(params["id"]!).switchPartitionAfterUpgrade());
            }),
        )
        .on(
            "POST",
            p("/appliances/:id/switch-partition"),
            "appliance.switch-partition",
            route("authenticated", async ({ req, res, params }) => {
                await discardBody(req);
                accepted(res, reachable(params["id"]!).switchPartition());
            }),
        )
        .on(
            "DELETE",
            p("/appliances/:id/upgrade"),
            "upgrade.cancel",
            route("authenticated", async ({ req, res, params, peerVersion }) => {
                await discardBody(req);
                const change = reachable(params["id"]!).cancel();
                // The answer changed over API versions (appgate.md §7): 204 up to v18, 202 without a body in
                // v19–v20, 202 {id} from v21. The change is registered either way.
                if (peerVersion <= 18) sendNoContent(res, 204);
                else if (peerVersion <= 20) sendNoContent(res, 202);
                else accepted(res, change);
            }),
        )
        .on(
            "GET",
            p("/appliances/:id/change/:changeId"),
            "change.get",
            route("authenticated", ({ res, params }) => {
                const appliance = find(params["id"]!);
                const change = deps.changes.get(appliance.id, params["changeId"]!);
                if (change === undefined)
                    throw new SimulatorHttpError(
                        404,
                        AppgateErrorIds.notFound,
                        `Change ${params["changeId"]} not found for appliance ${appliance.name}.`,
                    );
                sendJson(res, 200, change);
            }),
        );
}
