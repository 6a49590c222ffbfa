/**
 * The simulated Unisphere REST API: which path maps to which operation and handler.
 *
 * Every request needs `X-EMC-REST-CLIENT: true` (302 without). During a `503` failover window every
 * request is answered 503. `basicSystemInfo` needs no login; everything else does (see `auth.ts`).
 *
 * Operation names (call counters, fault targeting): `system.basicInfo`, `auth.loginSessionInfo`,
 * `auth.user`, `auth.logout`, `candidate.list`, `candidate.get`, `candidate.upload`,
 * `installed.list`, `session.list`, `session.get`, `session.create`, `session.verify`,
 * `session.resume`, `session.cancel`, `session.acknowledge`.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { discardBody, isJsonObject, readJsonBody } from "../core/http-io";
import { Router, type RouteContext, type RouteHandler } from "../core/router";
import type { UnityAuth, UnityLogin } from "./auth";
import { judgeUnityCandidate, UNITY_CANDIDATE_HEADER_BYTES } from "./candidate-format";
import { UnityErrorCodes, UnityPaths, UNITY_DEFAULTS } from "./constants";
import { receiveMultipartFile } from "./multipart-upload";
import type { UnityRuntimeSettings } from "./options";
import { actionBody, collectionBody, instanceBody, sendUnityJson, unityError, type UnityObject } from "./rest";
import type { UnityUpgrades } from "./upgrade";

/** What the routes operate on. */
export interface UnityRouteDeps {
    readonly auth: UnityAuth;
    readonly upgrades: UnityUpgrades;
    readonly settings: () => UnityRuntimeSettings;
    /** True while management answers 503 (failover mode `503`). */
    readonly unavailable: () => boolean;
    readonly system: () => { readonly name: string; readonly model: string };
}

type AuthedHandler = (context: RouteContext, login: UnityLogin) => void | Promise<void>;

/** Build the API route table. */
export function buildUnityRoutes(deps: UnityRouteDeps): Router {
    const gate = (context: RouteContext) => {
        if (deps.unavailable()) {
            throw unityError(
                503,
                UnityErrorCodes.serviceUnavailable,
                "The REST service is temporarily unavailable: management is failing over to the peer storage processor.",
            );
        }
        deps.auth.requireRestClientHeader(context.req);
    };
    const open =
        (handler: RouteHandler): RouteHandler =>
        (context) => {
            gate(context);
            return handler(context);
        };
    const authed =
        (handler: AuthedHandler): RouteHandler =>
        (context) => {
            gate(context);
            return handler(context, deps.auth.authenticate(context.req, context.res));
        };
    const router = new Router();

    const basicSystemInfo = (): UnityObject => {
        const system = deps.system();
        const version = deps.upgrades.installedVersion;
        return {
            id: "0",
            model: system.model,
            name: system.name,
            softwareVersion: version.split(".").slice(0, 4).join("."),
            softwareFullVersion: `Unity ${version}`,
            apiVersion: UNITY_DEFAULTS.apiVersion,
            earliestApiVersion: UNITY_DEFAULTS.earliestApiVersion,
        };
    };
    router
        .on(
            "GET",
            UnityPaths.basicSystemInfoCollection,
            "system.basicInfo",
            open(({ res, url }) => sendUnityJson(res, 200, collectionBody(url, "basicSystemInfo", [basicSystemInfo()]))),
        )
        .on(
            "GET",
            UnityPaths.basicSystemInfoInstance,
            "system.basicInfo",
            open(({ res, url, params }) => {
                if (params["id"] !== "0")
                    throw unityError(404, UnityErrorCodes.notFound, `The basicSystemInfo instance ${params["id"]} does not exist.`);
                sendUnityJson(res, 200, instanceBody(url, "basicSystemInfo", basicSystemInfo()));
            }),
        );

    router
        .on(
            "GET",
            UnityPaths.loginSessionInfoCollection,
            "auth.loginSessionInfo",
            authed(({ res, url }, login) =>
                sendUnityJson(res, 200, collectionBody(url, "loginSessionInfo", [loginSessionInfo(login, deps.settings())])),
            ),
        )
        .on(
            "GET",
            UnityPaths.userCollection,
            "auth.user",
            authed(({ res, url }, login) =>
                sendUnityJson(
                    res,
                    200,
                    collectionBody(url, "user", [{ id: `user_${login.user}`, name: login.user, role: { id: "administrator" } }]),
                ),
            ),
        )
        .on(
            "POST",
            UnityPaths.logout,
            "auth.logout",
            authed(async ({ req, res }, login) => {
                const body = await readJsonBody(req);
                // localCleanupOnly=false ends the whole SSO login; the simulator has only this one.
                void (isJsonObject(body) ? body["localCleanupOnly"] : undefined);
                deps.auth.logout(login);
                res.writeHead(204).end();
            }),
        );

    router
        .on(
            "GET",
            UnityPaths.candidateCollection,
            "candidate.list",
            authed(({ res, url }) =>
                sendUnityJson(res, 200, collectionBody(url, "candidateSoftwareVersion", deps.upgrades.candidateObjects())),
            ),
        )
        .on(
            "GET",
            UnityPaths.candidateInstance,
            "candidate.get",
            authed(({ res, url, params }) => {
                const candidate = deps.upgrades.candidateObjects().find((c) => c["id"] === params["id"]);
                if (!candidate)
                    throw unityError(
                        404,
                        UnityErrorCodes.notFound,
                        `The candidateSoftwareVersion instance ${params["id"]} does not exist.`,
                    );
                sendUnityJson(res, 200, instanceBody(url, "candidateSoftwareVersion", candidate));
            }),
        )
        .on(
            "GET",
            UnityPaths.installedCollection,
            "installed.list",
            authed(({ res, url }) =>
                sendUnityJson(res, 200, collectionBody(url, "installedSoftwareVersion", deps.upgrades.installedObjects())),
            ),
        );

    const upload = authed(({ req, res }) => receiveCandidate(req, res, deps.upgrades));
    router.on("POST", UnityPaths.upload, "candidate.upload", upload).on("POST", UnityPaths.uploadSingular, "candidate.upload", upload);

    for (const type of UnityPaths.sessionTypes) {
        router
            .on(
                "GET",
                `/api/types/${type}/instances`,
                "session.list",
                authed(({ res, url }) => sendUnityJson(res, 200, collectionBody(url, type, deps.upgrades.sessionObjects(type)))),
            )
            .on(
                "GET",
                `/api/instances/${type}/:id`,
                "session.get",
                authed(({ res, url, params }) =>
                    sendUnityJson(res, 200, instanceBody(url, type, deps.upgrades.sessionObject(params["id"]!, type))),
                ),
            )
            .on(
                "POST",
                `/api/types/${type}/instances`,
                "session.create",
                authed(async ({ req, res }) => {
                    const body = await readJsonBody(req);
                    const session = deps.upgrades.create(type, isJsonObject(body) ? body : {});
                    sendUnityJson(res, 201, {
                        "@base": `/api/instances/${type}`,
                        updated: new Date().toISOString(),
                        links: [{ rel: "self", href: `/${session.id}` }],
                        content: { id: session.id },
                    });
                }),
            )
            .on(
                "POST",
                `/api/types/${type}/action/verifyUpgradeEligibility`,
                "session.verify",
                authed(async ({ req, res }) => {
                    await readJsonBody(req);
                    const { eligible, messages } = deps.upgrades.eligibility();
                    if (!eligible && deps.settings().eligibilityFailureStyle === "error") {
                        const text = messages.map((m) => ((m["messages"] as Array<Record<string, string>>)[0] ?? {})["en-US"]).join(" ");
                        throw unityError(422, UnityErrorCodes.notEligible, text);
                    }
                    sendUnityJson(res, 200, actionBody(type, { messages }));
                }),
            )
            .on(
                "POST",
                `/api/instances/${type}/:id/action/resume`,
                "session.resume",
                authed(noBodyAction((id) => deps.upgrades.resume(id))),
            );
    }
    router
        .on(
            "POST",
            "/api/instances/upgradeSession/:id/action/cancel",
            "session.cancel",
            authed(noBodyAction((id) => deps.upgrades.cancel(id))),
        )
        .on(
            "POST",
            "/api/instances/upgradeSession/:id/action/acknowledge",
            "session.acknowledge",
            authed(noBodyAction((id) => deps.upgrades.acknowledge(id))),
        );
    return router;
}

function noBodyAction(action: (id: string) => void): AuthedHandler {
    return async ({ req, res, params }) => {
        await discardBody(req);
        action(params["id"]!);
        res.writeHead(204).end();
    };
}

function loginSessionInfo(login: UnityLogin, settings: UnityRuntimeSettings): UnityObject {
    return {
        id: login.user,
        user: { id: `user_${login.user}` },
        roles: [{ id: "administrator" }],
        idleTimeout: settings.idleTimeoutSeconds,
        isPasswordChangeRequired: false,
    };
}

/** Stream the multipart body, judge the file, fill the candidate slot; 200 with an empty body. */
async function receiveCandidate(req: IncomingMessage, res: ServerResponse, upgrades: UnityUpgrades): Promise<void> {
    if (upgrades.busy) {
        throw unityError(
            409,
            UnityErrorCodes.sessionInProgress,
            "An upgrade session is in progress; the upgrade candidate cannot be replaced.",
            { Connection: "close" },
        );
    }
    const file = await receiveMultipartFile(req, { prefixBytes: UNITY_CANDIDATE_HEADER_BYTES });
    const verdict = judgeUnityCandidate(file.prefix, file.bytes);
    if (!verdict.ok) throw unityError(422, UnityErrorCodes.badUpload, verdict.reason);
    upgrades.storeCandidate(verdict.header, { sha256: file.sha256, fileName: file.fileName, bytes: file.bytes });
    res.writeHead(200, { "Content-Length": "0" }).end();
}
