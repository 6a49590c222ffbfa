/**
 * The simulated Avisi Cloud API (avisi.md §3–7). Public routes take the user's token, admin routes
 * the admin token. The public GET and DELETE of scheduled upgrades are **not documented**: they are
 * served by analogy with the admin API and can be switched off (`publicRead`, `publicCancel`), in
 * which case they answer 404 like any unknown route.
 */
import { SimulatorHttpError } from "../core/http-error";
import { isJsonObject, readJsonBody, sendJson, sendNoContent } from "../core/http-io";
import { Router, type RouteContext, type RouteHandler } from "../core/router";
import type { AvisiAuth } from "./auth";
import type { CloudState } from "./cloud-state";
import { ADMIN_PREFIX, API_PREFIX } from "./constants";
import type { AvisiRuntimeSettings } from "./options";
import { springPage } from "./paging";
import { InvalidRequestError, type UpgradeScheduler } from "./upgrades";
import { parseKubeVersion } from "./versions";

/** What the routes act on. */
export interface AvisiRouteTarget {
    readonly auth: AvisiAuth;
    readonly cloud: CloudState;
    readonly upgrades: UpgradeScheduler;
    settings(): AvisiRuntimeSettings;
}

/** Answers 400 with `{message, details}` for validation failures; everything else goes to the device server. */
function withDetails(handler: RouteHandler): RouteHandler {
    return async (context) => {
        try {
            await handler(context);
        } catch (error) {
            if (!(error instanceof InvalidRequestError)) throw error;
            sendJson(context.res, 400, { message: error.message, details: error.details });
        }
    };
}

/** Build the API routes. */
export function buildAvisiRoutes(target: AvisiRouteTarget): Router {
    const { auth, cloud, upgrades } = target;
    const orgs = `${API_PREFIX}/orgs/:org`;
    const schedules = `${API_PREFIX}/organisations/:org/maintenance-schedule`;
    const upgradesPath = `${orgs}/scheduled-cluster-upgrades`;

    const user = (handler: RouteHandler): RouteHandler =>
        withDetails(async (context) => {
            auth.requireUser(context.req);
            if (context.params["org"] !== undefined && context.params["org"] !== cloud.organisation) {
                throw new SimulatorHttpError(404, "NOT_FOUND", `Organisation ${context.params["org"]} not found.`);
            }
            await handler(context);
        });
    const admin = (handler: RouteHandler): RouteHandler =>
        withDetails(async (context) => {
            auth.requireAdmin(context.req);
            await handler(context);
        });
    const analogy = (flag: "publicRead" | "publicCancel", handler: RouteHandler): RouteHandler =>
        user(async (context) => {
            if (!target.settings()[flag]) throw new SimulatorHttpError(404, "NOT_FOUND", `No resource at ${context.url.pathname}.`);
            await handler(context);
        });
    const page = <T>(context: RouteContext, items: readonly T[]) =>
        sendJson(context.res, 200, springPage(items, context.url, target.settings().pageSize));
    const listUpgrades = (context: RouteContext) =>
        page(
            context,
            upgrades
                .list({
                    clusterIdentities: context.url.searchParams.get("clusterIdentities"),
                    statuses: context.url.searchParams.get("statuses"),
                })
                .map((u) => upgrades.json(u)),
        );

    return new Router()
        .on(
            "GET",
            `${API_PREFIX}/cluster-versions`,
            "clusterVersions.list",
            user(({ res }) =>
                sendJson(
                    res,
                    200,
                    cloud.clusterVersions.map((version) => ({ version })),
                ),
            ),
        )
        .on(
            "GET",
            `${orgs}/update-channels`,
            "updateChannels.list",
            user((context) => page(context, cloud.updateChannels())),
        )
        .on(
            "GET",
            `${orgs}/clusters`,
            "clusters.list",
            user((context) =>
                page(
                    context,
                    cloud.clusters.map((c) => cloud.clusterJson(c)),
                ),
            ),
        )
        .on(
            "GET",
            `${orgs}/clusters/:env`,
            "clusters.listByEnvironment",
            user((context) =>
                page(
                    context,
                    cloud.clusters.filter((c) => c.environmentSlug === context.params["env"]).map((c) => cloud.clusterJson(c)),
                ),
            ),
        )
        .on(
            "GET",
            `${orgs}/clusters/:env/:cluster`,
            "clusters.get",
            user(({ res, params }) => sendJson(res, 200, cloud.clusterJson(cloud.clusterBySlug(params["env"]!, params["cluster"]!)))),
        )
        .on(
            "PATCH",
            `${orgs}/clusters/:env/:cluster`,
            "clusters.update",
            user(async ({ req, res, params }) => {
                const cluster = cloud.clusterBySlug(params["env"]!, params["cluster"]!);
                const body = await readJsonBody(req);
                if (!isJsonObject(body)) throw new InvalidRequestError("Invalid request parameters.", ["the body must be an object"]);
                if (body["maintenanceScheduleIdentity"] !== undefined) {
                    const identity = body["maintenanceScheduleIdentity"];
                    if (identity !== null && typeof identity !== "string")
                        throw new InvalidRequestError("Invalid request parameters.", ["maintenanceScheduleIdentity: must be a string"]);
                    cluster.maintenanceScheduleIdentity =
                        identity === null || identity === "" ? undefined : cloud.schedule(identity).identity;
                }
                if (typeof body["updateChannel"] === "string") cluster.updateChannel = body["updateChannel"];
                if (typeof body["enableAutoUpgrade"] === "boolean") cluster.autoUpgrade = body["enableAutoUpgrade"];
                if (typeof body["version"] === "string" && body["version"] !== cluster.version) {
                    if (!parseKubeVersion(body["version"]))
                        throw new InvalidRequestError("Invalid request parameters.", ["version: must look like 1.31.4"]);
                    cluster.version = body["version"];
                    upgrades.supersedeOpen(cluster, `The cluster version was changed to ${cluster.version} directly.`);
                }
                sendJson(res, 200, cloud.clusterJson(cluster));
            }),
        )
        .on(
            "POST",
            upgradesPath,
            "upgrades.request",
            user(async ({ req, res }) => sendJson(res, 200, upgrades.json(upgrades.request(await readJsonBody(req))))),
        )
        .on("GET", upgradesPath, "upgrades.list", analogy("publicRead", listUpgrades))
        .on(
            "GET",
            `${upgradesPath}/:id`,
            "upgrades.get",
            analogy("publicRead", ({ res, params }) => sendJson(res, 200, upgrades.json(upgrades.get(params["id"]!)))),
        )
        .on(
            "DELETE",
            `${upgradesPath}/:id`,
            "upgrades.cancel",
            analogy("publicCancel", ({ res, params }) => {
                const cancelled = upgrades.cancel(params["id"]!);
                if (cancelled) sendJson(res, 200, upgrades.json(cancelled));
                else sendNoContent(res);
            }),
        )
        .on(
            "GET",
            schedules,
            "schedules.list",
            user(({ res }) =>
                sendJson(
                    res,
                    200,
                    cloud.schedules.map((s) => cloud.scheduleJson(s)),
                ),
            ),
        )
        .on(
            "GET",
            `${schedules}/:id`,
            "schedules.get",
            user(({ res, params }) => sendJson(res, 200, cloud.scheduleJson(cloud.schedule(params["id"]!)))),
        )
        .on(
            "POST",
            schedules,
            "schedules.create",
            user(async ({ req, res }) => sendJson(res, 200, cloud.scheduleJson(cloud.createSchedule(await readJsonBody(req))))),
        )
        .on(
            "PATCH",
            `${schedules}/:id`,
            "schedules.update",
            user(async ({ req, res, params }) =>
                sendJson(res, 200, cloud.scheduleJson(cloud.updateSchedule(params["id"]!, await readJsonBody(req)))),
            ),
        )
        .on(
            "DELETE",
            `${schedules}/:id`,
            "schedules.delete",
            user(({ res, params }) => {
                cloud.deleteSchedule(params["id"]!);
                sendNoContent(res);
            }),
        )
        .on("GET", `${ADMIN_PREFIX}/scheduled-cluster-upgrades`, "admin.upgrades.list", admin(listUpgrades))
        .on(
            "GET",
            `${ADMIN_PREFIX}/scheduled-cluster-upgrades/:id`,
            "admin.upgrades.get",
            admin(({ res, params }) => sendJson(res, 200, upgrades.json(upgrades.get(params["id"]!)))),
        )
        .on(
            "DELETE",
            `${ADMIN_PREFIX}/scheduled-cluster-upgrades/:id`,
            "admin.upgrades.cancel",
            admin(({ res, params }) => {
                // The admin cancel answers with the object, not 204 (avisi.md §4).
                const upgrade = upgrades.get(params["id"]!);
                const cancelled = upgrades.cancel(params["id"]!);
                sendJson(res, 200, upgrades.json(cancelled ?? upgrade));
            }),
        );
}
