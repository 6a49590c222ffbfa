/**
 * Wire client for the loopback settings API — the package's self-test vendor. It is deliberately tiny
 * but shaped like the real vendors: a login that returns an expiring bearer token, an asynchronous
 * operation (`PUT` a setting → `APPLYING` → `APPLIED` | `FAILED`), and vendor error bodies
 * `{code, message}`. The simulator is `test/fixtures/loopback-server.ts`. No Pulumi here.
 *
 * | call                    | request                           | response                               |
 * |-------------------------|-----------------------------------|----------------------------------------|
 * | login                   | `POST /login {username,password}` | `{token, expiresInSeconds, apiVersion?}` |
 * | read a setting          | `GET /settings/{key}`             | `{key, value, state, message?}` or 404 |
 * | apply a setting         | `PUT /settings/{key} {value}`     | 202 `{key, value, state: "APPLYING"}`  |
 * | remove a setting        | `DELETE /settings/{key}`          | 204 (404: already gone)                |
 */

import { z } from "zod";
import { BearerTokenAuth } from "../core/auth";
import type { HandlerEnv } from "../core/env";
import { HttpSession } from "../core/http";
import type { LoopbackConnection } from "./connection";
import { unsupportedApiVersion } from "./versions";

const settingSchema = z.object({
    key: z.string(),
    value: z.string(),
    state: z.string(),
    message: z.string().optional(),
});

/** A setting as the server reports it. */
export type LoopbackSetting = z.infer<typeof settingSchema>;

const loginSchema = z.object({ token: z.string(), expiresInSeconds: z.number().optional(), apiVersion: z.string().optional() });

/** Reads the server's `{code, message}` error body. */
export function parseLoopbackError(body: unknown): { code?: string; message?: string } {
    const b = body as { code?: unknown; message?: unknown } | undefined;
    return { code: typeof b?.code === "string" ? b.code : undefined, message: typeof b?.message === "string" ? b.message : undefined };
}

/** Calls of the loopback settings API. */
export class LoopbackClient {
    constructor(readonly session: HttpSession) {}

    /**
     * The shared client for a connection: one session (one login, one connection pool) per server
     * and connection settings — TLS settings included — per provider process.
     */
    static for(connection: LoopbackConnection, env: HandlerEnv): LoopbackClient {
        return env.clients.get("loopback", connection, () => new LoopbackClient(newSession(connection, env)));
    }

    /** Reads a setting; undefined when it does not exist. */
    async get(key: string): Promise<LoopbackSetting | undefined> {
        const res = await this.session.request({ method: "GET", path: `/settings/${encodeURIComponent(key)}`, acceptStatus: [404] });
        return res.status === 404 ? undefined : settingSchema.parse(res.body);
    }

    /** Starts applying a value (asynchronous on the server). */
    async apply(key: string, value: string): Promise<LoopbackSetting> {
        const res = await this.session.request({ method: "PUT", path: `/settings/${encodeURIComponent(key)}`, json: { value } });
        return settingSchema.parse(res.body);
    }

    /** Removes a setting; a missing one counts as removed. */
    async remove(key: string): Promise<void> {
        await this.session.request({ method: "DELETE", path: `/settings/${encodeURIComponent(key)}`, acceptStatus: [404] });
    }

    /** Closes the pooled connections. */
    close(): void {
        this.session.close();
    }
}

function newSession(connection: LoopbackConnection, env: HandlerEnv): HttpSession {
    return new HttpSession({
        vendor: "loopback",
        baseUrl: connection.endpoint,
        tls: { caBundle: connection.caBundle, insecure: connection.insecure },
        parseError: parseLoopbackError,
        secrets: [connection.password],
        clock: env.clock,
        auth: new BearerTokenAuth({
            secrets: [connection.password],
            login: async (ctx) => {
                const res = await ctx.send({
                    method: "POST",
                    path: "/login",
                    json: { username: connection.username, password: connection.password },
                });
                const grant = loginSchema.parse(res.body);
                const unsupported = unsupportedApiVersion(grant.apiVersion);
                if (unsupported) {
                    throw new Error(`loopback server ${connection.endpoint}: ${unsupported}`);
                }
                return {
                    accessToken: grant.token,
                    expiresAt: grant.expiresInSeconds !== undefined ? ctx.now() + grant.expiresInSeconds * 1_000 : undefined,
                };
            },
        }),
    });
}
