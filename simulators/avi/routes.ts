/**
 * The simulated controller REST API: which path maps to which operation and handler.
 *
 * Pipeline of every `/api` route: 503 while the controller's services start after a reboot →
 * session (401/419) → CSRF (401 plain text) / Referer / `X-Avi-Version` / tenant checks → handler.
 * Error bodies are `{"error": "<text>"}` ([unknown] real shape, avi.md §2).
 *
 * Operation names (call counters, fault targeting): `login`, `logout`, `initial-data.get`,
 * `images.list`, `images.get`, `images.upload`, `images.delete`, `upgrade.start`, `segroup.resume`, `usi.list`,
 * `usi.get`, `usi.put`, `usi.patch`, `usi.summary`, `cluster.get`, `cluster.runtime`,
 * `cluster.status`, `version.controller`, `segroups.list`.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { SimulatorHttpError } from "../core/http-error";
import { isJsonObject, readJsonBody, sendJson } from "../core/http-io";
import { Router, type RouteContext } from "../core/router";
import { PlainTextHttpError, type AviAuth, type AviRequestIdentity } from "./auth";
import { AviPaths, compareVersions, ImageFsm } from "./constants";
import { renderImage, type AviImageStore } from "./images";
import type { AviRuntimeSettings } from "./options";
import { READ_ONLY_FIELDS, renderRecord, renderSummary, type UsiRecord } from "./records";
import type { UpgradeEngine, UpgradeRequest } from "./upgrade";

/** What the routes need from the controller. */
export interface AviRouteDeps {
    readonly auth: AviAuth;
    readonly images: AviImageStore;
    readonly upgrade: UpgradeEngine;
    readonly records: () => readonly UsiRecord[];
    readonly settings: () => AviRuntimeSettings;
    /** Base URL used in `*_ref` values. */
    readonly baseUrl: () => string;
    /** True while services start after a reboot: every call answers 503. */
    readonly warmingUp: () => boolean;
    readonly controller: () => {
        version: string;
        buildNo: number;
        tag: string;
        clusterUuid: string;
        clusterName: string;
        sessionCookieName: string;
    };
    readonly seGroups: () => ReadonlyArray<{ uuid: string; name: string }>;
}

type ApiContext = RouteContext & { identity: AviRequestIdentity };

/** Build the API route table. */
export function buildAviRoutes(deps: AviRouteDeps): Router {
    const guard = async (context: RouteContext, run: () => Promise<void> | void) => {
        try {
            if (deps.warmingUp()) throw new SimulatorHttpError(503, "SERVICE_UNAVAILABLE", "Controller services are starting.");
            await run();
        } catch (error) {
            if (error instanceof PlainTextHttpError && !context.res.headersSent) {
                context.res.writeHead(error.status, { "Content-Type": "text/plain" });
                context.res.end(error.message);
                return;
            }
            throw error;
        }
    };
    const api = (handler: (context: ApiContext) => Promise<void> | void) => (context: RouteContext) =>
        guard(context, async () => {
            const identity = deps.auth.authenticate(context.req, deps.controller().version);
            if (identity.setCookies.length > 0) context.res.setHeader("Set-Cookie", identity.setCookies);
            await handler({ ...context, identity });
        });
    const configWrite = () => {
        if (deps.upgrade.busy)
            throw new SimulatorHttpError(403, "UPGRADE_IN_PROGRESS", "Configuration is read-only while an upgrade is in progress.");
    };
    const list = (res: ServerResponse, results: unknown[]) => sendJson(res, 200, { count: results.length, results });
    const record = (uuid: string) => {
        const found = deps.records().find((r) => r.uuid === uuid);
        if (found === undefined) throw new SimulatorHttpError(404, "NOT_FOUND", `UpgradeStatusInfo ${uuid} not found.`);
        return found;
    };

    const router = new Router()
        .on("POST", AviPaths.login, "login", (context) =>
            guard(context, async () => {
                const raw = await readText(context.req);
                const { username, setCookies } = deps.auth.login(raw, context.req.headers["content-type"]);
                context.res.setHeader("Set-Cookie", setCookies);
                sendJson(context.res, 200, loginDocument(deps, username));
            }),
        )
        .on("POST", AviPaths.logout, "logout", (context) =>
            guard(context, () => {
                deps.auth.logout(context.req);
                sendJson(context.res, 200, {});
            }),
        )
        .on("GET", AviPaths.initialData, "initial-data.get", (context) =>
            guard(context, () => sendJson(context.res, 200, { version: versionDocument(deps), user_initialized: true })),
        )
        .on(
            "GET",
            AviPaths.image,
            "images.list",
            api(({ res, url }) => {
                const name = url.searchParams.get("name");
                list(
                    res,
                    deps.images
                        .list()
                        .filter((i) => name === null || i.name === name)
                        .map((i) => renderImage(i, deps.baseUrl())),
                );
            }),
        )
        .on(
            "GET",
            `${AviPaths.image}/:uuid`,
            "images.get",
            api(({ res, params }) => {
                const image = deps.images.get(params["uuid"]!);
                if (image === undefined) throw new SimulatorHttpError(404, "NOT_FOUND", `Image ${params["uuid"]} not found.`);
                sendJson(res, 200, renderImage(image, deps.baseUrl()));
            }),
        )
        .on(
            "DELETE",
            `${AviPaths.image}/:uuid`,
            "images.delete",
            api(({ res, params }) => {
                configWrite();
                if (!deps.images.remove(params["uuid"]!))
                    throw new SimulatorHttpError(404, "NOT_FOUND", `Image ${params["uuid"]} not found.`);
                res.writeHead(204);
                res.end();
            }),
        )
        .on(
            "POST",
            AviPaths.image,
            "images.upload",
            api(async ({ req, res }) => {
                configWrite();
                const image = await deps.images.receive(req);
                if (deps.settings().imageUploadResponse === "status") sendJson(res, 200, { status: "Image upload successful" });
                else sendJson(res, 201, renderImage(image, deps.baseUrl()));
            }),
        )
        .on(
            "POST",
            AviPaths.upgrade,
            "upgrade.start",
            api(async ({ req, res, identity }) => {
                const request = parseUpgradeRequest(await readJsonBody(req), deps, identity.apiVersion);
                deps.upgrade.start(request);
                if (deps.settings().upgradeResponse === "empty") {
                    res.writeHead(200);
                    res.end();
                } else {
                    sendJson(res, 200, { status: request.prechecksOnly ? "Prechecks started" : "Upgrade started" });
                }
            }),
        )
        .on(
            "GET",
            AviPaths.upgradeStatusInfo,
            "usi.list",
            api(({ res, url, identity }) => {
                const name = url.searchParams.get("name");
                const nodeType = url.searchParams.get("node_type");
                const records = deps
                    .records()
                    .filter((r) => (name === null || r.name === name) && (nodeType === null || r.nodeType === nodeType));
                list(
                    res,
                    records.map((r) => renderRecord(r, deps.baseUrl(), identity.apiVersion)),
                );
            }),
        )
        .on(
            "GET",
            `${AviPaths.upgradeStatusInfo}/:uuid`,
            "usi.get",
            api(({ res, params, identity }) => {
                sendJson(res, 200, renderRecord(record(params["uuid"]!), deps.baseUrl(), identity.apiVersion));
            }),
        )
        .on(
            "PUT",
            `${AviPaths.upgradeStatusInfo}/:uuid`,
            "usi.put",
            api(async ({ req, res, params, identity }) => {
                configWrite();
                const target = record(params["uuid"]!);
                const body = await readJsonBody(req);
                if (!isJsonObject(body)) throw new SimulatorHttpError(400, "INVALID_BODY", "Body must be an UpgradeStatusInfo object.");
                target.extra = storableFields(body);
                sendJson(res, 200, renderRecord(target, deps.baseUrl(), identity.apiVersion));
            }),
        )
        .on(
            "PATCH",
            `${AviPaths.upgradeStatusInfo}/:uuid`,
            "usi.patch",
            api(async ({ req, res, params, identity }) => {
                configWrite();
                const target = record(params["uuid"]!);
                const body = await readJsonBody(req);
                const ops = isJsonObject(body) ? Object.keys(body) : [];
                if (ops.length === 0 || ops.some((op) => !["add", "replace", "delete"].includes(op) || !isJsonObject(body![op as never]))) {
                    throw new SimulatorHttpError(400, "INVALID_PATCH", 'PATCH body must be {"add"|"replace"|"delete": {...}}.');
                }
                const patch = body as Record<string, Record<string, unknown>>;
                target.extra = { ...target.extra, ...storableFields(patch["add"] ?? {}), ...storableFields(patch["replace"] ?? {}) };
                for (const key of Object.keys(patch["delete"] ?? {})) delete target.extra[key];
                sendJson(res, 200, renderRecord(target, deps.baseUrl(), identity.apiVersion));
            }),
        )
        .on(
            "GET",
            AviPaths.upgradeStatusSummary,
            "usi.summary",
            api(({ res, identity }) => {
                list(
                    res,
                    deps.records().map((r) => renderSummary(r, deps.baseUrl(), identity.apiVersion)),
                );
            }),
        )
        .on(
            "GET",
            AviPaths.cluster,
            "cluster.get",
            api(({ res }) => {
                const c = deps.controller();
                sendJson(res, 200, {
                    uuid: c.clusterUuid,
                    name: c.clusterName,
                    url: `${deps.baseUrl()}/api/cluster`,
                    nodes: [{ name: "node-1", ip: { addr: "127.0.0.1", type: "V4" } }],
                });
            }),
        )
        .on(
            "GET",
            AviPaths.clusterRuntime,
            "cluster.runtime",
            api(({ res }) => {
                sendJson(res, 200, {
                    cluster_state: { state: "CLUSTER_UP_HA_ACTIVE", progress: 100 },
                    node_states: [{ name: "node-1", state: "CLUSTER_ACTIVE", role: "CLUSTER_LEADER" }],
                });
            }),
        )
        .on(
            "GET",
            AviPaths.clusterStatus,
            "cluster.status",
            api(({ res }) => {
                sendJson(res, 200, { cluster_state: { state: "CLUSTER_UP_HA_ACTIVE", progress: 100 } });
            }),
        )
        .on(
            "GET",
            AviPaths.versionController,
            "version.controller",
            api(({ res }) => {
                const c = deps.controller();
                list(res, [{ name: "node-1", version: `${c.version}(${c.buildNo}) 2023-10-04 12:00:00 UTC` }]);
            }),
        )
        .on(
            "GET",
            AviPaths.serviceEngineGroup,
            "segroups.list",
            api(({ res }) => {
                list(
                    res,
                    deps
                        .seGroups()
                        .map((g) => ({ uuid: g.uuid, name: g.name, url: `${deps.baseUrl()}${AviPaths.serviceEngineGroup}/${g.uuid}` })),
                );
            }),
        );
    for (const path of ["/api/resumesegroup", "/api/upgrade/resumesegroup"]) {
        router.on(
            "POST",
            path,
            "segroup.resume",
            api(async ({ req, res }) => {
                if (!deps.settings().resumePaths.includes(path)) throw new SimulatorHttpError(404, "NOT_FOUND", `No resource at ${path}.`);
                const body = await readJsonBody(req);
                const refs = isJsonObject(body) && Array.isArray(body["se_group_refs"]) ? body["se_group_refs"] : [];
                deps.upgrade.resume(refs.map((r) => uuidOfRef(String(r))));
                sendJson(res, 200, { status: "SE group resume started" });
            }),
        );
    }
    return router;
}

function parseUpgradeRequest(body: unknown, deps: AviRouteDeps, apiVersion: string): UpgradeRequest {
    if (!isJsonObject(body)) throw new SimulatorHttpError(400, "INVALID_BODY", "Body must be an UpgradeParams object.");
    const bool = (key: string) => {
        const value = body[key];
        if (value !== undefined && typeof value !== "boolean")
            throw new SimulatorHttpError(400, "INVALID_FIELD", `[${key}] must be a boolean.`);
        return value === true;
    };
    if (body["prechecks_only"] !== undefined && compareVersions(apiVersion, "22.1.6") < 0) {
        throw new SimulatorHttpError(400, "FIELD_NOT_IN_VERSION", `Field prechecks_only is not allowed in version ${apiVersion}.`);
    }
    const imageUuid =
        typeof body["image_uuid"] === "string"
            ? body["image_uuid"]
            : typeof body["image_ref"] === "string"
              ? uuidOfRef(body["image_ref"])
              : undefined;
    if (imageUuid === undefined) throw new SimulatorHttpError(400, "IMAGE_REQUIRED", "Give image_ref or image_uuid.");
    const image = deps.images.get(imageUuid);
    if (image === undefined) throw new SimulatorHttpError(400, "IMAGE_NOT_FOUND", `Image ${imageUuid} not found.`);
    if (image.state !== ImageFsm.completed || image.info === undefined)
        throw new SimulatorHttpError(400, "IMAGE_NOT_READY", `Image ${image.name} is in state ${image.state}.`);
    if (image.type !== "IMAGE_TYPE_SYSTEM")
        throw new SimulatorHttpError(400, "IMAGE_TYPE", `Image ${image.name} is a ${image.type}; an upgrade needs a system image.`);
    const refs = [...arrayOf(body["se_group_refs"]).map(uuidOfRef), ...arrayOf(body["se_group_uuids"])];
    const known = deps.seGroups().map((g) => g.uuid);
    const unknown = refs.filter((uuid) => !known.includes(uuid));
    if (unknown.length > 0) throw new SimulatorHttpError(400, "SE_GROUP_NOT_FOUND", `SE group(s) not found: ${unknown.join(", ")}.`);
    const options = isJsonObject(body["se_group_options"]) ? body["se_group_options"] : {};
    const action = options["action_on_error"] ?? "SUSPEND_UPGRADE_OPS_ON_ERROR";
    if (
        action !== "SUSPEND_UPGRADE_OPS_ON_ERROR" &&
        action !== "CONTINUE_UPGRADE_OPS_ON_ERROR" &&
        action !== "ROLLBACK_UPGRADE_OPS_ON_ERROR"
    ) {
        throw new SimulatorHttpError(400, "INVALID_FIELD", `[se_group_options.action_on_error] ${String(action)} is not valid.`);
    }
    return {
        imageUuid,
        targetVersion: image.info.tag,
        system: bool("system"),
        seGroupUuids: refs,
        skipWarnings: bool("skip_warnings"),
        prechecksOnly: bool("prechecks_only"),
        actionOnError: action,
        params: body,
    };
}

function arrayOf(value: unknown): string[] {
    return Array.isArray(value) ? value.map(String) : [];
}

/** `https://ctrl/api/image/image-1#name` → `image-1`; a bare uuid stays as it is. */
export function uuidOfRef(ref: string): string {
    return ref.split("#", 1)[0]!.replace(/\/+$/, "").split("/").pop()!;
}

function storableFields(body: Record<string, unknown>): Record<string, unknown> {
    return Object.fromEntries(Object.entries(body).filter(([key]) => !READ_ONLY_FIELDS.has(key)));
}

function versionDocument(deps: AviRouteDeps): Record<string, unknown> {
    const c = deps.controller();
    return {
        Version: c.version,
        build: c.buildNo,
        Tag: c.tag,
        ProductName: "Avi Cloud Controller",
        Product: "controller",
        min_version: "15.2",
        Date: "2023-10-04T12:00:00+00:00",
    };
}

function loginDocument(deps: AviRouteDeps, username: string): Record<string, unknown> {
    const c = deps.controller();
    return {
        version: versionDocument(deps),
        user: {
            username,
            name: username,
            is_superuser: true,
            default_tenant_ref: `${deps.baseUrl()}/api/tenant/tenant-admin`,
            uuid: `user-${username}`,
        },
        tenants: [{ name: "admin", uuid: "tenant-admin", url: `${deps.baseUrl()}/api/tenant/tenant-admin` }],
        system_config: { portal_configuration: { allow_basic_authentication: false, api_force_timeout: 24 } },
        controller: { api_idle_timeout: Math.max(1, Math.round(deps.settings().sessionIdleMs / 60_000)) },
        session_cookie_name: c.sessionCookieName,
        user_initialized: true,
    };
}

async function readText(req: IncomingMessage): Promise<string> {
    const chunks: Buffer[] = [];
    let total = 0;
    for await (const chunk of req as AsyncIterable<Buffer>) {
        total += chunk.length;
        if (total > 64 * 1024) throw new SimulatorHttpError(413, "REQUEST_TOO_LARGE", "Login body too large.");
        chunks.push(chunk);
    }
    return Buffer.concat(chunks).toString("utf8");
}
