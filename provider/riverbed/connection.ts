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
import { connectionFields, resolveConnection as resolveShared, type ConnectionInput as SharedConnectionInput } from "../core/connection";
import type { RiverbedConnection } from "./client";

/** Schema of the `connection` input. */
export const connectionSchema = z.object(connectionFields).strict();

/** The `connection` input as the resource receives it. */
export type ConnectionInput = SharedConnectionInput;

/** Resolves the connection of a resource; throws {@link InputError} naming what is missing. */
export function resolveConnection(input: ConnectionInput | undefined): RiverbedConnection {
    return resolveShared(input, "riverbed");
}

/** `riverbed device <endpoint>`: how every message names the device. */
export function deviceName(connection: Pick<RiverbedConnection, "endpoint">): string {
    return `riverbed device ${connection.endpoint}`;
}
