/**
 * Wire client for the Avi controller upgrade API (facts: /work/shared/reference/avi.md).
 *
 * | call                 | request                                               | parsed from the answer |
 * |----------------------|-------------------------------------------------------|------------------------|
 * | login                | `POST /login {username, password}` (see auth.ts)      | `version.Version`, cookies |
 * | images               | `GET /api/image`, `GET /api/image/{uuid}`             | `uuid, name, type, img_state.state/reason, controller_info.build.tag` |
 * | upload               | `POST /api/image`, multipart field `file`, streamed (core multipart framing) | the Image when present (its uuid may be missing) |
 * | start                | `POST /api/upgrade {image_ref, system, se_group_refs, skip_warnings, prechecks_only, se_group_options}` | nothing (body [unknown]) |
 * | resume an SE group   | `POST <resumePath> {se_group_refs}` (path [unknown])   | nothing |
 * | status records       | `GET /api/upgradestatusinfo`                          | see {@link UpgradeStatusInfo} |
 * | cluster              | `GET /api/cluster`, `/api/cluster/runtime`, `/api/version/controller` | `uuid`, `cluster_state.state`, `version` |
 *
 * Only the fields a next step needs are required; everything [unknown] or added in later versions
 * is optional (`state` may even arrive as a bare string), and unknown fields are kept.
 */

import { z } from "zod";
import { HttpSession } from "../core/http";
import type { HandlerEnv } from "../core/env";
import { uploadFile, type UploadProgress } from "../core/upload";
import { AviSessionAuth } from "./auth";
import { usiSchema, type UpgradeStatusInfo } from "./upgrade-status-schema";
import type { AviConnection } from "./connection";

export type { UpgradeStatusInfo };

const buildSchema = z.looseObject({ version: z.string().optional(), build_no: z.number().optional(), tag: z.string().optional() });

const imageSchema = z.looseObject({
    uuid: z.string(),
    name: z.string().optional(),
    type: z.string().optional(),
    url: z.string().optional(),
    progress: z.number().optional(),
    img_state: z.looseObject({ state: z.string(), reason: z.string().optional() }).optional(),
    controller_info: z.looseObject({ build: buildSchema.optional() }).optional(),
    se_info: z.looseObject({ build: buildSchema.optional() }).optional(),
});

/** An Image as the controller reports it. */
export type AviImage = z.infer<typeof imageSchema>;

const listSchema = <T extends z.ZodType>(item: T) =>
    z.looseObject({ count: z.number().optional(), results: z.array(item).default([]), next: z.string().optional() });

/** Parameters of `POST /api/upgrade` (UpgradeParams, avi.md §4). */
export interface UpgradeParams {
    imageRef: string;
    system: boolean;
    seGroupRefs?: string[];
    skipWarnings?: boolean;
    prechecksOnly?: boolean;
    actionOnError?: "SUSPEND_UPGRADE_OPS_ON_ERROR" | "CONTINUE_UPGRADE_OPS_ON_ERROR" | "ROLLBACK_UPGRADE_OPS_ON_ERROR";
}

/** What an upload produced. */
export interface AviUploadResult {
    /** The Image from the answer, when the controller returned one with a uuid. */
    image?: AviImage;
    sha256: string;
    bytes: number;
    elapsedMs: number;
}

/** Calls to one controller. */
export class AviClient {
    constructor(
        readonly session: HttpSession,
        readonly auth: AviSessionAuth,
    ) {}

    /**
     * The shared client of `connection`: one session (one login, one connection pool) per controller
     * and connection settings — TLS, API version and tenant included — per provider process.
     */
    static for(connection: AviConnection, env: HandlerEnv): AviClient {
        return env.clients.get("avi", connection, () => {
            const auth = new AviSessionAuth({
                endpoint: connection.endpoint,
                username: connection.username,
                password: connection.password,
                apiVersion: connection.apiVersion,
                tenant: connection.tenant,
            });
            const session = new HttpSession({
                vendor: "avi",
                baseUrl: connection.endpoint,
                auth,
                clock: env.clock,
                secrets: [connection.password],
                tls: { caBundle: connection.caBundle, insecure: connection.insecure },
                parseError: parseAviError,
            });
            return new AviClient(session, auth);
        });
    }

    /** Closes the pooled connections. */
    close(): void {
        this.session.close();
    }

    async listImages(): Promise<AviImage[]> {
        return listSchema(imageSchema).parse(await this.session.getJson("/api/image")).results;
    }

    /** One image, or undefined when the controller no longer has it. */
    async getImage(uuid: string): Promise<AviImage | undefined> {
        const response = await this.session.request({ method: "GET", path: `/api/image/${encodeURIComponent(uuid)}`, acceptStatus: [404] });
        return response.status === 404 ? undefined : imageSchema.parse(response.body);
    }

    /**
     * Stream `filePath` to `POST /api/image` (multipart field `file`), hashing it in the same pass.
     * A cheap GET first makes sure the session is fresh: an upload body cannot be replayed after a 401.
     */
    async uploadImage(filePath: string, onProgress?: (progress: UploadProgress) => void): Promise<AviUploadResult> {
        await this.session.getJson("/api/cluster");
        const result = await uploadFile(this.session, {
            path: "/api/image",
            filePath,
            multipart: { fieldName: "file" },
            onProgress,
            responseTimeoutMs: 60 * 60_000,
        });
        const parsed = imageSchema.safeParse(result.response.body);
        return { image: parsed.success ? parsed.data : undefined, sha256: result.sha256, bytes: result.bytes, elapsedMs: result.elapsedMs };
    }

    /** Removes an image; one already gone counts as removed. */
    async deleteImage(uuid: string): Promise<void> {
        await this.session.request({ method: "DELETE", path: `/api/image/${encodeURIComponent(uuid)}`, acceptStatus: [404] });
    }

    /** `POST /api/upgrade`. Not retried except when the controller provably never saw it. */
    async startUpgrade(params: UpgradeParams): Promise<void> {
        const body: Record<string, unknown> = { image_ref: params.imageRef, system: params.system };
        if (params.seGroupRefs?.length) body["se_group_refs"] = params.seGroupRefs;
        if (params.skipWarnings !== undefined) body["skip_warnings"] = params.skipWarnings;
        if (params.prechecksOnly) body["prechecks_only"] = true;
        if (params.actionOnError) body["se_group_options"] = { action_on_error: params.actionOnError };
        await this.session.request({ method: "POST", path: "/api/upgrade", json: body });
    }

    /** Resume suspended SE groups (`ResumeSeGroupParams`; the path is [unknown], hence configurable). */
    async resumeSeGroups(seGroupRefs: string[], path: string): Promise<void> {
        await this.session.request({ method: "POST", path, json: { se_group_refs: seGroupRefs } });
    }

    /** Every UpgradeStatusInfo record (follows `next` pages). */
    async listUpgradeStatus(): Promise<UpgradeStatusInfo[]> {
        const records: UpgradeStatusInfo[] = [];
        let path: string | undefined = "/api/upgradestatusinfo";
        for (let page = 0; path !== undefined && page < 100; page++) {
            const list = listSchema(usiSchema).parse(await this.session.getJson(path));
            records.push(...list.results);
            path = list.next ? relativePath(list.next) : undefined;
        }
        return records;
    }

    /** The controller cluster's uuid (= the uuid of its UpgradeStatusInfo record). */
    async clusterUuid(): Promise<string> {
        return z.looseObject({ uuid: z.string() }).parse(await this.session.getJson("/api/cluster")).uuid;
    }

    /** `cluster_state.state` of `GET /api/cluster/runtime`, e.g. `CLUSTER_UP_HA_ACTIVE`. */
    async clusterState(): Promise<string | undefined> {
        const runtime = z
            .looseObject({ cluster_state: z.looseObject({ state: z.string().optional() }).optional() })
            .parse(await this.session.getJson("/api/cluster/runtime"));
        return runtime.cluster_state?.state;
    }

    /** The `X-Avi-Version` in use (logs in when needed). */
    async apiVersion(): Promise<string | undefined> {
        if (this.auth.apiVersion === undefined) await this.session.getJson("/api/cluster");
        return this.auth.apiVersion;
    }
}

/** The JSON error shape is [unknown]: `{error}`, `{detail}` or `{message}`, else the raw text. */
export function parseAviError(body: unknown, text: string): { code?: string; message?: string } {
    if (body && typeof body === "object") {
        const b = body as Record<string, unknown>;
        for (const key of ["error", "detail", "message"]) if (typeof b[key] === "string") return { message: b[key] as string };
    }
    return { message: text.trim().slice(0, 500) || undefined };
}

function relativePath(next: string): string {
    try {
        const url = new URL(next);
        return url.pathname + url.search;
    } catch {
        return next;
    }
}

/** The uuid of a `*_ref` (`https://ctrl/api/image/image-1#name` → `image-1`); a bare uuid stays as it is. */
export function uuidOfRef(ref: string): string {
    return ref.split("#", 1)[0]!.replace(/\/+$/, "").split("/").pop()!;
}
