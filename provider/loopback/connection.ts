/**
 * The runtime side of the `connection` input of every loopback resource: its schema and its
 * resolution (no `@pulumi/pulumi` here: this runs in the provider process).
 *
 * Each setting comes from, first match wins: the resource's `connection` input → stack config
 * `loopback:<key>` → env `LOOPBACK_<KEY>` (`endpoint`, `username`, `password`, `caBundle`, `insecure`).
 * Settings are resolved at call time, so a rotated password is used by the next run, `destroy` included.
 */

import { z } from "zod";
import { connectionFields, resolveConnection as resolveShared, type ConnectionInput, type ResolvedConnection } from "../core/connection";

/** Schema of the `connection` input. */
export const connectionSchema = z.object(connectionFields).strict();

/** How to reach a loopback settings server, resolved. */
export type LoopbackConnection = ResolvedConnection;

/** Resolves the connection of a resource; throws an `InputError` naming what is missing. */
export function resolveConnection(input: ConnectionInput | undefined): LoopbackConnection {
    return resolveShared(input, "loopback");
}

/** `loopback server <endpoint>`: how every message names the server. */
export function serverName(connection: Pick<LoopbackConnection, "endpoint">): string {
    return `loopback server ${connection.endpoint}`;
}
