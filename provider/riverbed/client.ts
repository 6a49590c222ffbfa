/**
 * Wire client for Riverbed AppResponse `npm.system_update` 2.0 with `mgmt.aaa` bearer tokens
 * (facts: /work/shared/reference/riverbed.md; every call below is documented there).
 *
 * | call                 | request                                             | response                          |
 * |----------------------|-----------------------------------------------------|-----------------------------------|
 * | login                | `POST /api/mgmt.aaa/1.0/token {user_credentials, generate_refresh_token: true}` | 201 `{access_token, refresh_token, expires_at}` |
 * | refresh              | `POST /api/mgmt.aaa/1.0/token {refresh_token, generate_refresh_token: false}`   | 200 `{access_token, expires_at}` |
 * | list / read images   | `GET /images`, `GET /images/items/{id}`             | `{items:[image]}`, image          |
 * | delete an image      | `DELETE /images/items/{id}`                          | 204 (404: already gone)           |
 * | upload an image      | `POST /images/upload` (raw bytes, streamed)          | JSON with `id` (only `id` is read) |
 * | device fetches a URL | `POST /images/fetch {url}`                           | JSON with `id` (only `id` is read) |
 * | update object        | `GET /update`                                        | `{state, state_description, update_history, target_version?}` |
 * | update actions       | `POST /update/init`, `/update/start`, `/update/reset` (no body) | 2xx                    |
 *
 * Paths in the last six rows are under `/api/npm.system_update/2.0`. Tokens: the device says when the
 * access token expires (`expires_at`, epoch seconds — or a lifetime in seconds, as one vendor example
 * shows — or `expires_in`; 15 minutes when absent). The client renews it a little early (a fifth of
 * its lifetime, at most 30 s), falls back to a new login when the refresh token was revoked (every
 * reboot drops all tokens), and re-authenticates once on any 401.
 */

import { z } from "zod";
import type { ResolvedConnection } from "../core/connection";
import { BearerTokenAuth, type AuthContext, type TokenGrant } from "../core/auth";
import { HttpSession } from "../core/http";
import { processEnv, type HandlerEnv } from "../core/env";
import { uploadFile, type UploadProgress } from "../core/upload";

/** How to reach one appliance: the shared, resolved connection settings. */
export type RiverbedConnection = ResolvedConnection;

/** Base path of the upgrade service. */
export const SYSTEM_UPDATE = "/api/npm.system_update/2.0";
/** Token endpoint. */
export const TOKEN_PATH = "/api/mgmt.aaa/1.0/token";
/** Access-token lifetime the vendor documents, used when the device does not say. */
export const DEFAULT_TOKEN_LIFETIME_MS = 15 * 60_000;

const imageIdSchema = z.union([z.number().int(), z.string().regex(/^\d+$/).transform(Number)]);

/**
 * What the upload and fetch replies are read for: the new image's id, nothing else. The reference
 * says the reply "returns an image data object" but not which fields are present at that moment
 * (a device may answer only `{"id": 7}`), so the image itself is read with `GET images/items/{id}`.
 */
const createdImageSchema = z.object({ id: imageIdSchema }).passthrough();

const imageSchema = z.object({
    id: imageIdSchema,
    state: z.string(),
    state_description: z.string().optional().default(""),
    progress: z.number().optional(),
    version: z.string().optional(),
    checksum: z.string().optional(),
});

/** An image as the device reports it. `version`/`checksum` may read `"N/A"` until known. */
export type RiverbedImage = z.infer<typeof imageSchema>;

const imageListSchema = z.object({ items: z.array(imageSchema).optional() });

const historyEntrySchema = z.object({ time: z.number(), version: z.string() });

const updateSchema = z.object({
    state: z.string(),
    state_description: z.string().optional().default(""),
    last_state_time: z.number().optional(),
    target_version: z.string().optional(),
    update_history: z.array(historyEntrySchema).optional().default([]),
});

/** The device's update object. */
export type RiverbedUpdate = z.infer<typeof updateSchema>;
/** One `update_history` entry (`time` in epoch seconds). */
export type RiverbedHistoryEntry = z.infer<typeof historyEntrySchema>;

const tokenSchema = z.object({
    access_token: z.string().min(1),
    refresh_token: z.string().optional(),
    expires_at: z.number().optional(),
    expires_in: z.number().optional(),
});

/** Placeholder the device reports for unknown `version` / `checksum`. */
export const NOT_AVAILABLE = "N/A";

/** The value of a `version`/`checksum` field, or undefined for the `"N/A"` placeholder. */
export function known(value: string | undefined): string | undefined {
    return value === undefined || value === "" || value === NOT_AVAILABLE ? undefined : value;
}

/** The newest `update_history` entry (largest `time`; the later one on ties): the installed version. */
export function newestEntry(update: RiverbedUpdate): RiverbedHistoryEntry | undefined {
    let newest: RiverbedHistoryEntry | undefined;
    for (const entry of update.update_history) {
        if (!newest || entry.time >= newest.time) {
            newest = entry;
        }
    }
    return newest;
}

/**
 * Turns a token answer into a grant. `expires_at` above 10^9 is epoch seconds; a smaller value is a
 * lifetime in seconds (the vendor's example shows `expires_at: 900`); `expires_in` is a lifetime.
 * A device clock so far off that the token looks expired is ignored (the 15-minute default applies,
 * and a 401 still triggers a new login). The reported expiry is moved forward by a fifth of the
 * lifetime (at most 30 s) so the token is renewed before it runs out.
 */
export function grantFrom(body: unknown, now: number): TokenGrant {
    const t = tokenSchema.parse(body);
    let lifetimeMs: number | undefined;
    if (t.expires_at !== undefined) {
        lifetimeMs = t.expires_at > 1e9 ? t.expires_at * 1_000 - now : t.expires_at * 1_000;
    } else if (t.expires_in !== undefined) {
        lifetimeMs = t.expires_in * 1_000;
    }
    if (lifetimeMs === undefined || !(lifetimeMs > 0) || lifetimeMs > 24 * 3_600_000) {
        lifetimeMs = DEFAULT_TOKEN_LIFETIME_MS;
    }
    const margin = Math.min(30_000, lifetimeMs / 5);
    return { accessToken: t.access_token, refreshToken: t.refresh_token, expiresAt: now + lifetimeMs - margin };
}

/** Reads `{error_id, error_text}` (JSON) or `<error error_id=… error_text=…/>` (XML). */
export function parseRiverbedError(body: unknown, text: string): { code?: string; message?: string } {
    const b = body as { error_id?: unknown; error_text?: unknown } | undefined;
    if (b && typeof b === "object") {
        return {
            code: typeof b.error_id === "string" ? b.error_id : undefined,
            message: typeof b.error_text === "string" ? b.error_text : undefined,
        };
    }
    const id = /error_id="([^"]*)"/.exec(text)?.[1];
    const message = /error_text="([^"]*)"/.exec(text)?.[1];
    return { code: id, message };
}

/** What {@link RiverbedClient.uploadImage} returns. */
export interface UploadedImage {
    /** The id of the image the device created (read the image itself with {@link RiverbedClient.getImage}). */
    imageId: number;
    /** SHA-256 of the bytes sent, computed while streaming. */
    sha256: string;
    bytes: number;
    elapsedMs: number;
}

/** Calls of one appliance's upgrade API. */
export class RiverbedClient {
    constructor(
        readonly session: HttpSession,
        readonly auth: BearerTokenAuth,
    ) {}

    /**
     * The shared client for a connection: one session (one login, one connection pool) per device
     * and connection settings — TLS settings included — per provider process, whatever number of
     * resources use it. `env` gives the clock and the cache (default: the process's).
     */
    static for(connection: RiverbedConnection, env: HandlerEnv = processEnv): RiverbedClient {
        return env.clients.get("riverbed", connection, () => {
            const auth = riverbedAuth(connection);
            const session = new HttpSession({
                vendor: "riverbed",
                baseUrl: connection.endpoint,
                auth,
                tls: { caBundle: connection.caBundle, insecure: connection.insecure },
                parseError: parseRiverbedError,
                secrets: [connection.password],
                clock: env.clock,
            });
            return new RiverbedClient(session, auth);
        });
    }

    /** Closes the pooled connections. */
    close(): void {
        this.session.close();
    }

    /** Every image on the device. */
    async listImages(): Promise<RiverbedImage[]> {
        return (
            imageListSchema.parse((await this.session.request({ method: "GET", path: `${SYSTEM_UPDATE}/images` })).body ?? {}).items ?? []
        );
    }

    /** One image; undefined when the device has no image with that id. */
    async getImage(id: number): Promise<RiverbedImage | undefined> {
        const res = await this.session.request({ method: "GET", path: `${SYSTEM_UPDATE}/images/items/${id}`, acceptStatus: [404] });
        return res.status === 404 ? undefined : imageSchema.parse(res.body);
    }

    /** Deletes an image; returns false when it was already gone. */
    async deleteImage(id: number): Promise<boolean> {
        const res = await this.session.request({ method: "DELETE", path: `${SYSTEM_UPDATE}/images/items/${id}`, acceptStatus: [404] });
        return res.status !== 404;
    }

    /**
     * Streams a local image file to the device as the raw request body, hashing it on the way
     * (one read of the file). Resolves once the device acknowledged the bytes, with the id of the
     * image it created: only the reply's `id` is read (see {@link createdImageId}).
     */
    async uploadImage(filePath: string, onProgress?: (p: UploadProgress) => void, progressIntervalMs?: number): Promise<UploadedImage> {
        const r = await uploadFile(this.session, {
            method: "POST",
            path: `${SYSTEM_UPDATE}/images/upload`,
            filePath,
            contentType: "application/octet-stream",
            onProgress,
            progressIntervalMs,
        });
        return { imageId: createdImageId("POST images/upload", r.response.body), sha256: r.sha256, bytes: r.bytes, elapsedMs: r.elapsedMs };
    }

    /** Asks the device to download an image itself; returns the id of the image it created. */
    async fetchImage(url: string): Promise<number> {
        const res = await this.session.request({ method: "POST", path: `${SYSTEM_UPDATE}/images/fetch`, json: { url } });
        return createdImageId("POST images/fetch", res.body);
    }

    /** The update object. */
    async getUpdate(): Promise<RiverbedUpdate> {
        return updateSchema.parse((await this.session.request({ method: "GET", path: `${SYSTEM_UPDATE}/update` })).body);
    }

    /** `POST /update/init`: prepares the update from the device's single VALID image. */
    async initUpdate(): Promise<void> {
        await this.session.request({ method: "POST", path: `${SYSTEM_UPDATE}/update/init` });
    }

    /** `POST /update/start`: installs and reboots. Never retried unless the request provably did not arrive. */
    async startUpdate(): Promise<void> {
        await this.session.request({ method: "POST", path: `${SYSTEM_UPDATE}/update/start` });
    }

    /** `POST /update/reset`: back to IDLE (from INITIALIZING, INITIALIZED or FAILED_GRACEFUL). */
    async resetUpdate(): Promise<void> {
        await this.session.request({ method: "POST", path: `${SYSTEM_UPDATE}/update/reset` });
    }
}

/** The `id` of a reply that created an image; an error quoting the reply when it names none. */
export function createdImageId(call: string, reply: unknown): number {
    const parsed = createdImageSchema.safeParse(reply);
    if (!parsed.success) {
        throw new Error(
            `the device accepted ${call} but its reply names no image id: ${JSON.stringify(reply)?.slice(0, 200) ?? "(no body)"}`,
        );
    }
    return parsed.data.id;
}

function riverbedAuth(connection: RiverbedConnection): BearerTokenAuth {
    return new BearerTokenAuth({
        secrets: [connection.password],
        // grantFrom already reports the expiry early; renew exactly then.
        renewBeforeMs: 0,
        login: async (ctx: AuthContext) => {
            const res = await ctx.send({
                method: "POST",
                path: TOKEN_PATH,
                json: { user_credentials: { username: connection.username, password: connection.password }, generate_refresh_token: true },
            });
            return grantFrom(res.body, ctx.now());
        },
        refresh: async (ctx: AuthContext, refreshToken: string) => {
            const res = await ctx.send({
                method: "POST",
                path: TOKEN_PATH,
                json: { refresh_token: refreshToken, generate_refresh_token: false },
            });
            return grantFrom(res.body, ctx.now());
        },
    });
}
