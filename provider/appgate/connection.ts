/**
 * The runtime side of the `connection` input of every Appgate resource: its schema and its
 * resolution (no `@pulumi/pulumi` here: this runs in the provider process).
 *
 * Each setting comes from, first match wins: the resource's `connection` input → stack config
 * `appgate:<key>` → env `APPGATE_<KEY>` (`endpoint`, `username`, `password`, `caBundle`, `insecure`,
 * `identityProvider`, `apiVersion`). The endpoint is the controller's admin URL (`/admin` is
 * appended when missing).
 */

import { z } from "zod";
import { connectionFields, resolveConnection as resolveShared, type ConnectionInput } from "../core/connection";
import { InputError } from "../core/errors";
import { resolveSetting } from "../core/settings";
import { adminBaseUrl, MIN_PEER_API_VERSION, type AppgateConnection } from "./client";

/** The identity provider of the admin user when none is given. */
export const DEFAULT_IDENTITY_PROVIDER = "local";

/** Schema of the `connection` input. */
export const connectionSchema = z
    .object({
        ...connectionFields,
        endpoint: z.string().url("must be the controller URL, e.g. https://controller.example.com:8443/admin").optional(),
        identityProvider: z.string().min(1).optional(),
        apiVersion: z
            .number()
            .int("must be a whole peer API version number")
            .min(MIN_PEER_API_VERSION, `must be at least ${MIN_PEER_API_VERSION} (Appgate SDP 6.3); leave it unset to negotiate`)
            .max(99)
            .optional(),
    })
    .strict();

/** The `connection` input as the resource receives it. */
export type AppgateConnectionInput = ConnectionInput & { identityProvider?: string; apiVersion?: number };

/** Resolves the connection of a resource; throws an `InputError` naming what is missing or malformed. */
export function resolveConnection(input: AppgateConnectionInput | undefined): AppgateConnection {
    const c = input ?? {};
    const shared = resolveShared(c, "appgate");
    const apiVersionText = resolveSetting(c.apiVersion === undefined ? undefined : String(c.apiVersion), "appgate", "apiVersion");
    let apiVersion: number | undefined;
    if (apiVersionText !== undefined) {
        apiVersion = Number(apiVersionText);
        if (!Number.isInteger(apiVersion) || apiVersion < MIN_PEER_API_VERSION) {
            throw new InputError(
                "connection.apiVersion",
                `must be a peer API version of at least ${MIN_PEER_API_VERSION}, got ${apiVersionText}`,
            );
        }
    }
    return {
        ...shared,
        endpoint: adminBaseUrl(shared.endpoint),
        identityProvider: resolveSetting(c.identityProvider, "appgate", "identityProvider") ?? DEFAULT_IDENTITY_PROVIDER,
        apiVersion,
    };
}

/** `controller <url>`: how messages name the controller. */
export function controllerName(connection: Pick<AppgateConnection, "endpoint">): string {
    return `controller ${connection.endpoint}`;
}
