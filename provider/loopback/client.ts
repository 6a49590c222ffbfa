/**
 * Wire client for the loopback settings API — the package's self-test vendor. It is deliberately tiny
 * but shaped like the real vendors: a login that returns an expiring bearer token, an asynchronous
 * operation (`PUT` a setting → `APPLYING` → `APPLIED` | `FAILED`), and vendor error bodies
 * `{code, message}`. The simulator is `test/fixtures/loopback-server.ts`.
 *
 * | call                    | request                        | response                               |
 * |-------------------------|--------------------------------|----------------------------------------|
 * | login                   | `POST /login {username,password}` | `{token, expiresInSeconds}`         |
 * | read a setting          | `GET /settings/{key}`          | `{key, value, state, message?}` or 404 |
 * | apply a setting         | `PUT /settings/{key} {value}`  | 202 `{key, value, state: "APPLYING"}`  |
 * | remove a setting        | `DELETE /settings/{key}`       | 204                                    |
 */

import { z } from "zod";
import type { ResolvedConnection } from "../core/connection";
import { BearerTokenAuth } from "../core/auth";
import { HttpSession } from "../core/http";
import { sharedSession } from "../core/sessions";

/** How to reach a loopback settings server. */
export type LoopbackConnection = ResolvedConnection;

const settingSchema = z.object({
    key: z.string(),
    value: z.string(),
    state: z.string(),
    message: z.string().optional(),
});

/** A setting as the server reports it. */
export type LoopbackSettingState = z.infer<typeof settingSchema>;

const loginSchema = z.object({ token: z.string(), expiresInSeconds: z.number().optional() });

/** Calls of the loopback settings API. */
export class LoopbackClient {
    constructor(readonly session: HttpSession) {}

    /** The shared client for a connection (one session per server per process). */
    static for(connection: LoopbackConnection): LoopbackClient {
        const session = sharedSession(
            { vendor: "loopback", endpoint: connection.endpoint, user: connection.username, secret: connection.password },
            () =>
                new HttpSession({
                    vendor: "loopback",
                    baseUrl: connection.endpoint,
                    tls: { caBundle: connection.caBundle, insecure: connection.insecure },
                    parseError: (body) => {
                        const b = body as { code?: unknown; message?: unknown } | undefined;
                        return { code: typeof b?.code === "string" ? b.code : undefined, message: typeof b?.message === "string" ? b.message : undefined };
                    },
                    secrets: [connection.password],
                    auth: new BearerTokenAuth({
                        secrets: [connection.password],
                        login: async (ctx) => {
                            const res = await ctx.send({
                                method: "POST",
                                path: "/login",
                                json: { username: connection.username, password: connection.password },
                            });
                            const grant = loginSchema.parse(res.body);
                            return {
                                accessToken: grant.token,
                                expiresAt: grant.expiresInSeconds !== undefined ? ctx.now() + grant.expiresInSeconds * 1_000 : undefined,
                            };
                        },
                    }),
                }),
        );
        return new LoopbackClient(session);
    }

    /** Reads a setting; undefined when it does not exist. */
    async get(key: string): Promise<LoopbackSettingState | undefined> {
        const res = await this.session.request({ method: "GET", path: `/settings/${encodeURIComponent(key)}`, acceptStatus: [404] });
        if (res.status === 404) {
            return undefined;
        }
        return settingSchema.parse(res.body);
    }

    /** Starts applying a value (asynchronous on the server). */
    async apply(key: string, value: string): Promise<LoopbackSettingState> {
        const res = await this.session.request({ method: "PUT", path: `/settings/${encodeURIComponent(key)}`, json: { value } });
        return settingSchema.parse(res.body);
    }

    /** Removes a setting; a missing one counts as removed. */
    async remove(key: string): Promise<void> {
        await this.session.request({ method: "DELETE", path: `/settings/${encodeURIComponent(key)}`, acceptStatus: [404] });
    }
}
