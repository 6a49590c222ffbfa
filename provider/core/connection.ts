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
    throw new InputError("connection.insecure", `${namespace}:insecure / ${envName(namespace, "insecure")} must be true or false, got ${value}`);
}
