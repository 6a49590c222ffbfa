/**
 * Connection settings of every Unity resource, and where each comes from (first match wins):
 * the resource's `connection` input → stack config `unity:<key>` → env `UNITY_<KEY>`.
 *
 * | key      | config                          | env                |
 * |----------|---------------------------------|--------------------|
 * | endpoint | `unity:endpoint` (the Unisphere management address, `https://10.0.0.5`) | `UNITY_ENDPOINT` |
 * | username | `unity:username`                | `UNITY_USERNAME`   |
 * | password | `unity:password` (`--secret`)   | `UNITY_PASSWORD`   |
 * | caBundle | `unity:caBundle`                | `UNITY_CA_BUNDLE`  |
 * | insecure | `unity:insecure`                | `UNITY_INSECURE`   |
 */

import { z } from "zod";
import { connectionFields, resolveConnection as resolveShared, type ConnectionInput, type ResolvedConnection } from "../core/connection";

/** Schema of the `connection` input. */
export const connectionSchema = z.object(connectionFields).strict();

/** Resolves the connection of a resource; throws `InputError` naming what is missing. */
export function resolveConnection(input: ConnectionInput | undefined): ResolvedConnection {
    return resolveShared(input, "unity");
}

/** `unity array <endpoint>`: how every message names the array. */
export function arrayName(connection: Pick<ResolvedConnection, "endpoint">): string {
    return `unity array ${connection.endpoint}`;
}
