/**
 * Connection settings of every Avi resource and of {@link getUpgradeStatusInfo}, and where each
 * comes from (first match wins): the `connection` input → stack config `avi:<key>` → env `AVI_<KEY>`.
 *
 * | key        | config            | env               |
 * |------------|-------------------|-------------------|
 * | endpoint   | `avi:endpoint`    | `AVI_ENDPOINT`    |
 * | username   | `avi:username`    | `AVI_USERNAME`    |
 * | password   | `avi:password` (`--secret`) | `AVI_PASSWORD` |
 * | apiVersion | `avi:apiVersion`  | `AVI_API_VERSION` (default: the controller's version from login) |
 * | tenant     | `avi:tenant`      | `AVI_TENANT` (default: the user's default tenant) |
 * | caBundle   | `avi:caBundle`    | `AVI_CA_BUNDLE`   |
 * | insecure   | `avi:insecure`    | `AVI_INSECURE`    |
 */

import { z } from "zod";
import {
    connectionFields,
    resolveConnection as resolveShared,
    type ConnectionInput as SharedConnectionInput,
    type ResolvedConnection,
} from "../core/connection";
import { InputError } from "../core/errors";
import { resolveSetting } from "../core/settings";

/** Schema of the `connection` input. */
export const connectionSchema = z
    .object({
        ...connectionFields,
        apiVersion: z
            .string()
            .regex(/^\d+\.\d+\.\d+$/, "must be a version such as 22.1.6")
            .optional(),
        tenant: z.string().min(1).optional(),
    })
    .strict();

/** The `connection` input as the resource receives it. */
export type ConnectionInput = SharedConnectionInput & { apiVersion?: string; tenant?: string };

/** Resolved settings of one controller. */
export interface AviConnection extends ResolvedConnection {
    apiVersion?: string;
    tenant?: string;
}

/** Resolves the connection; throws {@link InputError} naming what is missing or malformed. */
export function resolveConnection(input: ConnectionInput | undefined): AviConnection {
    const shared = resolveShared(input, "avi");
    const apiVersion = resolveSetting(input?.apiVersion, "avi", "apiVersion");
    if (apiVersion !== undefined && !/^\d+\.\d+\.\d+$/.test(apiVersion)) {
        throw new InputError("connection.apiVersion", `must be a version such as 22.1.6, got ${apiVersion}`);
    }
    const tenant = resolveSetting(input?.tenant, "avi", "tenant");
    return { ...shared, ...(apiVersion ? { apiVersion } : {}), ...(tenant ? { tenant } : {}) };
}

/** `avi controller <endpoint>`: how every message names the controller. */
export function controllerName(connection: Pick<AviConnection, "endpoint">): string {
    return `avi controller ${connection.endpoint}`;
}
