/**
 * Connection settings of every Riverbed resource, and where each comes from (first match wins):
 * the resource's `connection` input → stack config `riverbed:<key>` → env `RIVERBED_<KEY>`.
 *
 * | key        | config                | env                   |
 * |------------|-----------------------|-----------------------|
 * | endpoint   | `riverbed:endpoint`   | `RIVERBED_ENDPOINT`   |
 * | username   | `riverbed:username`   | `RIVERBED_USERNAME`   |
 * | password   | `riverbed:password` (`--secret`) | `RIVERBED_PASSWORD` |
 * | caBundle   | `riverbed:caBundle`   | `RIVERBED_CA_BUNDLE`  |
 * | insecure   | `riverbed:insecure`   | `RIVERBED_INSECURE`   |
 *
 * Settings are resolved at call time in the provider process, so a rotated password in config or
 * env is used by the next run, `destroy` included.
 */

import { z } from "zod";
import { InputError } from "../core/errors";
import { resolveSetting } from "../core/settings";
import type { RiverbedConnection } from "./client";

/** Schema of the `connection` input. */
export const connectionSchema = z
    .object({
        endpoint: z.string().url("must be a URL such as https://10.0.0.5").optional(),
        username: z.string().min(1).optional(),
        password: z.string().min(1).optional(),
        caBundle: z.string().optional(),
        insecure: z.boolean().optional(),
    })
    .strict();

/** The `connection` input as the resource receives it. */
export type ConnectionInput = z.infer<typeof connectionSchema>;

/** Resolves the connection of a resource; throws {@link InputError} naming what is missing. */
export function resolveConnection(input: ConnectionInput | undefined): RiverbedConnection {
    const c = input ?? {};
    const endpoint = resolveSetting(c.endpoint, "riverbed", "endpoint");
    const username = resolveSetting(c.username, "riverbed", "username");
    const password = resolveSetting(c.password, "riverbed", "password");
    if (!endpoint) {
        throw new InputError("connection.endpoint", "not set: give connection.endpoint, stack config riverbed:endpoint or env RIVERBED_ENDPOINT");
    }
    if (!/^https?:\/\/[^/\s]+/.test(endpoint)) {
        throw new InputError("connection.endpoint", `must be an http(s) URL such as https://10.0.0.5, got ${endpoint}`);
    }
    if (!username) {
        throw new InputError("connection.username", "not set: give connection.username, stack config riverbed:username or env RIVERBED_USERNAME");
    }
    if (!password) {
        throw new InputError("connection.password", "not set: give connection.password, stack config riverbed:password (--secret) or env RIVERBED_PASSWORD");
    }
    const insecureSetting = c.insecure ?? parseBool(resolveSetting(undefined, "riverbed", "insecure"));
    return {
        endpoint: endpoint.replace(/\/+$/, ""),
        username,
        password,
        caBundle: resolveSetting(c.caBundle, "riverbed", "caBundle"),
        insecure: insecureSetting === true ? true : undefined,
    };
}

function parseBool(value: string | undefined): boolean | undefined {
    if (value === undefined) {
        return undefined;
    }
    if (/^(true|1|yes)$/i.test(value.trim())) {
        return true;
    }
    if (/^(false|0|no)$/i.test(value.trim())) {
        return false;
    }
    throw new InputError("connection.insecure", `riverbed:insecure / RIVERBED_INSECURE must be true or false, got ${value}`);
}

/** `riverbed device <endpoint>`: how every message names the device. */
export function deviceName(connection: Pick<RiverbedConnection, "endpoint">): string {
    return `riverbed device ${connection.endpoint}`;
}
