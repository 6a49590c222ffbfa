/**
 * The connection settings every vendor shares — endpoint, username, password, CA bundle and the
 * explicit TLS opt-out — with one schema and one resolution order:
 * the resource's `connection` input → stack config `<namespace>:<key>` → env `<NAMESPACE>_<KEY>`
 * (see {@link resolveSetting}). Vendors extend the schema with their own fields (an identity
 * provider, an API version) and add their own checks on the result.
 */

import { z } from "zod";
import { InputError } from "./errors";
import { envName, resolveSetting } from "./settings";

/** Zod fields of the shared part of a `connection` input; extend with `.extend({...})`. */
export const connectionFields = {
    endpoint: z.string().url("must be a URL such as https://10.0.0.5").optional(),
    username: z.string().min(1).optional(),
    password: z.string().min(1).optional(),
    caBundle: z.string().optional(),
    insecure: z.boolean().optional(),
};

/** The shared `connection` input as a resource receives it. */
export interface ConnectionInput {
    endpoint?: string;
    username?: string;
    password?: string;
    caBundle?: string;
    insecure?: boolean;
}

/** Resolved shared settings: everything a session needs to reach and log in to a device. */
export interface ResolvedConnection {
    /** Base URL without a trailing slash. */
    endpoint: string;
    username: string;
    password: string;
    caBundle?: string;
    /** True only when set explicitly (input, config or env); verification stays on otherwise. */
    insecure?: boolean;
}

/**
 * Resolves the shared settings of `input` for vendor namespace `namespace` (e.g. `riverbed`).
 *
 * @throws InputError naming the missing or malformed setting and every place it can come from.
 */
export function resolveConnection(input: ConnectionInput | undefined, namespace: string): ResolvedConnection {
    const c = input ?? {};
    const where = (key: string, secret = false) =>
        `give connection.${key}, stack config ${namespace}:${key}${secret ? " (--secret)" : ""} or env ${envName(namespace, key)}`;
    const endpoint = resolveSetting(c.endpoint, namespace, "endpoint");
    if (!endpoint) {
        throw new InputError("connection.endpoint", `not set: ${where("endpoint")}`);
    }
    if (!/^https?:\/\/[^/\s]+/.test(endpoint)) {
        throw new InputError("connection.endpoint", `must be an http(s) URL such as https://10.0.0.5, got ${endpoint}`);
    }
    const username = resolveSetting(c.username, namespace, "username");
    if (!username) {
        throw new InputError("connection.username", `not set: ${where("username")}`);
    }
    const password = resolveSetting(c.password, namespace, "password");
    if (!password) {
        throw new InputError("connection.password", `not set: ${where("password", true)}`);
    }
    const insecure = c.insecure ?? parseBoolean(resolveSetting(undefined, namespace, "insecure"), namespace);
    return {
        endpoint: endpoint.replace(/\/+$/, ""),
        username,
        password,
        caBundle: resolveSetting(c.caBundle, namespace, "caBundle"),
        insecure: insecure === true ? true : undefined,
    };
}

function parseBoolean(value: string | undefined, namespace: string): boolean | undefined {
    if (value === undefined) {
        return undefined;
    }
    if (/^(true|1|yes)$/i.test(value.trim())) {
        return true;
    }
    if (/^(false|0|no)$/i.test(value.trim())) {
        return false;
    }
    throw new InputError(
        "connection.insecure",
        `${namespace}:insecure / ${envName(namespace, "insecure")} must be true or false, got ${value}`,
    );
}

/**
 * The canonical form of an endpoint for comparisons: scheme and host lower-case, the default port
 * dropped, no trailing slash (`HTTPS://Dev.example:443/` → `https://dev.example`). A string that is
 * not a URL is only stripped of trailing slashes.
 */
export function normaliseEndpoint(endpoint: string): string {
    try {
        const u = new URL(endpoint);
        return `${u.protocol}//${u.host}${u.pathname.replace(/\/+$/, "")}`;
    } catch {
        return endpoint.replace(/\/+$/, "");
    }
}

/**
 * True when the `connection.endpoint` input of `olds` and `news` name different devices — the one
 * rule every `diff` uses to decide that a resource moved to another device (a replacement). Both
 * sides go through {@link normaliseEndpoint} and then `vendorForm` (e.g. Appgate's `/admin` suffix),
 * so `https://x/` and `https://X:443` are the same device. An endpoint taken from stack config or
 * env (unset in the inputs) compares as empty.
 */
export function endpointChanged(
    olds: { connection?: { endpoint?: string } } | undefined,
    news: { connection?: { endpoint?: string } } | undefined,
    vendorForm: (endpoint: string) => string = (e) => e,
): boolean {
    const canonical = (e: string | undefined) => (e ? vendorForm(normaliseEndpoint(e)) : "");
    return canonical(olds?.connection?.endpoint) !== canonical(news?.connection?.endpoint);
}
