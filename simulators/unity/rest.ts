/**
 * Unisphere REST conventions: envelopes, query parameters (`fields`, `compact`, `filter`,
 * `per_page`, `page`, `with_entrycount`), the `{"error":{...}}` body and the content type.
 *
 * - A collection query without `fields` returns only `id` per entry (documented). An instance query
 *   without `fields` returns every attribute ([unknown]; the client always asks for fields).
 * - An unknown field → 422. Dot notation (`candidate.id`) selects inside a reference.
 * - A repeated query parameter: the last one wins.
 * - Paging: `per_page` (at most 2000), `page` (from 1); a `next` link `&page=N` while more remain.
 */
import type { ServerResponse } from "node:http";
import { CoreErrorCodes, SimulatorHttpError } from "../core/http-error";
import { MAX_PER_PAGE, UNITY_CONTENT_TYPE, UnityErrorCodes } from "./constants";

/** A JSON object as the array stores it. */
export type UnityObject = Record<string, unknown>;

/** Answer with a JSON body in the array's content type. */
export function sendUnityJson(res: ServerResponse, status: number, body: unknown, headers: Readonly<Record<string, string>> = {}): void {
    const payload = Buffer.from(JSON.stringify(body));
    res.writeHead(status, { ...headers, "Content-Type": UNITY_CONTENT_TYPE, "Content-Length": String(payload.length) });
    res.end(payload);
}

const CORE_CODES: Record<string, number> = {
    [CoreErrorCodes.notFound]: UnityErrorCodes.unknownType,
    [CoreErrorCodes.methodNotAllowed]: UnityErrorCodes.methodNotAllowed,
    [CoreErrorCodes.invalidJson]: UnityErrorCodes.unprocessable,
    [CoreErrorCodes.bodyTooLarge]: UnityErrorCodes.unprocessable,
    [CoreErrorCodes.injectedServerError]: UnityErrorCodes.serviceUnavailable,
    [CoreErrorCodes.injectedThrottle]: UnityErrorCodes.serviceUnavailable,
    [CoreErrorCodes.internalError]: UnityErrorCodes.internal,
};

/** The documented error body. `code` is a numeric error code as a string, or a core code. */
export function formatUnityError(status: number, code: string, message: string): UnityObject {
    const errorCode = /^\d+$/.test(code) ? Number(code) : (CORE_CODES[code] ?? UnityErrorCodes.internal);
    return {
        error: {
            errorCode,
            httpStatusCode: status,
            messages: [{ "en-US": `${message} (Error Code:0x${errorCode.toString(16)})` }],
            created: new Date().toISOString(),
        },
    };
}

/** Shorthand for a Unity error answer. */
export function unityError(
    status: number,
    code: number,
    message: string,
    headers: Readonly<Record<string, string>> = {},
): SimulatorHttpError {
    return new SimulatorHttpError(status, String(code), message, headers);
}

/** The last value of a repeated query parameter. */
export function lastParam(url: URL, name: string): string | undefined {
    return url.searchParams.getAll(name).at(-1);
}

/** Select `fields` (comma-separated, dot notation) from `object`. @throws 422 naming an unknown field. */
export function project(object: UnityObject, fields: readonly string[], type: string): UnityObject {
    const out: UnityObject = {};
    for (const field of fields) {
        const path = field.split(".");
        let value: unknown = object;
        for (const key of path) {
            if (value === null || typeof value !== "object" || !(key in (value as UnityObject))) {
                throw unityError(
                    422,
                    UnityErrorCodes.unprocessable,
                    `The attribute ${field} is not a valid attribute of the ${type} resource type.`,
                );
            }
            value = (value as UnityObject)[key];
        }
        setPath(out, path, value);
    }
    return out;
}

function setPath(target: UnityObject, path: readonly string[], value: unknown): void {
    let cursor = target;
    for (const key of path.slice(0, -1)) {
        const next = cursor[key];
        cursor = (typeof next === "object" && next !== null ? next : (cursor[key] = {})) as UnityObject;
    }
    cursor[path.at(-1)!] = value;
}

/** Attributes of each type, so an unknown field is a 422 even when the collection is empty. */
const TYPE_ATTRIBUTES: Record<string, readonly string[]> = {
    basicSystemInfo: ["id", "model", "name", "softwareVersion", "softwareFullVersion", "apiVersion", "earliestApiVersion"],
    loginSessionInfo: ["id", "user", "roles", "idleTimeout", "isPasswordChangeRequired"],
    user: ["id", "name", "role"],
    candidateSoftwareVersion: ["id", "version", "fullVersion", "revision", "releaseDate", "type", "rebootRequired", "canPauseBeforeReboot"],
    installedSoftwareVersion: [
        "id",
        "version",
        "revision",
        "releaseDate",
        "fullVersion",
        "languages",
        "hotFixes",
        "packageVersions",
        "driveFirmware",
    ],
    softwareUpgradeSession: [
        "id",
        "type",
        "candidate",
        "caption",
        "status",
        "messages",
        "creationTime",
        "elapsedTime",
        "percentComplete",
        "tasks",
    ],
    upgradeSession: ["id", "type", "candidate", "caption", "status", "messages", "creationTime", "elapsedTime", "percentComplete", "tasks"],
};

function fieldsOf(url: URL, type: string): string[] | undefined {
    const raw = lastParam(url, "fields");
    if (raw === undefined) return undefined;
    const fields = raw
        .split(",")
        .map((f) => f.trim())
        .filter((f) => f !== "");
    const known = TYPE_ATTRIBUTES[type];
    const unknown = fields.find((field) => known !== undefined && !known.includes(field.split(".")[0]!));
    if (unknown !== undefined) {
        throw unityError(
            422,
            UnityErrorCodes.unprocessable,
            `The attribute ${unknown} is not a valid attribute of the ${type} resource type.`,
        );
    }
    return fields.includes("id") ? fields : ["id", ...fields];
}

/** `GET /api/types/{type}/instances` with the documented semantics. */
export function collectionBody(url: URL, type: string, objects: readonly UnityObject[]): UnityObject {
    const fields = fieldsOf(url, type) ?? ["id"];
    const matching = objects.filter(filterOf(url, type));
    const perPage = clampInteger(lastParam(url, "per_page"), MAX_PER_PAGE, 1, MAX_PER_PAGE, "per_page");
    const page = clampInteger(lastParam(url, "page"), 1, 1, Number.MAX_SAFE_INTEGER, "page");
    const slice = matching.slice((page - 1) * perPage, page * perPage);
    const compact = lastParam(url, "compact") === "true";
    const updated = new Date().toISOString();
    const entries = slice.map((object) => {
        const content = project(object, fields, type);
        if (compact) return { content };
        return { "@base": `/api/instances/${type}`, updated, links: [{ rel: "self", href: `/${String(object["id"])}` }], content };
    });
    const links = [{ rel: "self", href: `&page=${page}` }];
    if (page * perPage < matching.length) links.push({ rel: "next", href: `&page=${page + 1}` });
    const body: UnityObject = { "@base": `${url.pathname}?${url.searchParams.toString()}`, updated, links };
    if (lastParam(url, "with_entrycount") === "true") body["entryCount"] = matching.length;
    body["entries"] = entries;
    return body;
}

/** `GET /api/instances/{type}/{id}`. */
export function instanceBody(url: URL, type: string, object: UnityObject): UnityObject {
    const fields = fieldsOf(url, type);
    const content = fields === undefined ? object : project(object, fields, type);
    if (lastParam(url, "compact") === "true") return { content };
    return {
        "@base": `/api/instances/${type}`,
        updated: new Date().toISOString(),
        links: [{ rel: "self", href: `/${String(object["id"])}` }],
        content,
    };
}

/** An action's output: `{"@base", "updated", "links", "content": {...}}`. */
export function actionBody(type: string, content: UnityObject): UnityObject {
    return { "@base": `/api/types/${type}/action`, updated: new Date().toISOString(), links: [], content };
}

function clampInteger(raw: string | undefined, fallback: number, min: number, max: number, name: string): number {
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min) throw unityError(422, UnityErrorCodes.unprocessable, `The value of ${name} is invalid.`);
    return Math.min(value, max);
}

/**
 * A small subset of the filter language: `attr eq "x"`, `attr ne 3`, `attr lk "a%"` (`%` wildcard),
 * combined with `and` / `or` (`and` binds tighter). Anything else → 422.
 */
function filterOf(url: URL, type: string): (object: UnityObject) => boolean {
    const raw = lastParam(url, "filter");
    if (raw === undefined || raw.trim() === "") return () => true;
    const alternatives = raw.split(/\s+or\s+/i).map((clause) => clause.split(/\s+and\s+/i).map((term) => parseTerm(term, type)));
    return (object) => alternatives.some((terms) => terms.every((test) => test(object)));
}

function parseTerm(term: string, type: string): (object: UnityObject) => boolean {
    const match = /^\s*([A-Za-z][\w.]*)\s+(eq|ne|lk)\s+(?:"([^"]*)"|(-?\d+(?:\.\d+)?|true|false))\s*$/i.exec(term);
    if (!match) throw unityError(422, UnityErrorCodes.unprocessable, `The filter expression "${term.trim()}" is invalid.`);
    const [, attribute, operator, quoted, bare] = match;
    const expected = quoted ?? bare!;
    return (object) => {
        let value: unknown = object;
        for (const key of attribute!.split(".")) {
            if (value === null || typeof value !== "object" || !(key in (value as UnityObject))) {
                throw unityError(
                    422,
                    UnityErrorCodes.unprocessable,
                    `The attribute ${attribute} is not a valid attribute of the ${type} resource type.`,
                );
            }
            value = (value as UnityObject)[key];
        }
        const actual = String(value);
        switch (operator!.toLowerCase()) {
            case "eq":
                return actual === expected;
            case "ne":
                return actual !== expected;
            default: {
                const pattern = new RegExp(
                    `^${expected
                        .split("%")
                        .map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))
                        .join(".*")}$`,
                );
                return pattern.test(actual);
            }
        }
    };
}
