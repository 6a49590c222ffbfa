/**
 * Test helpers: a tiny HTTP client over node:http (no pooling, so nothing outlives a test), login
 * and upload shortcuts for the Riverbed simulator, and bounded polling.
 */
import { request as httpRequest, type IncomingHttpHeaders } from "node:http";
import type { Readable } from "node:stream";
import { setTimeout as sleep } from "node:timers/promises";
import type { RiverbedSimulator } from "../../../simulators/riverbed";
import { riverbedImageStream, type RiverbedImageSpec } from "../../../simulators/riverbed";

export interface HttpResult {
    readonly status: number;
    readonly headers: IncomingHttpHeaders;
    readonly text: string;
    /** Parsed JSON body, or undefined when empty / not JSON. */
    readonly body: any;
}

export interface HttpOptions {
    readonly method?: string;
    readonly headers?: Record<string, string>;
    readonly json?: unknown;
    /** A raw body: a buffer, or a stream piped into the request. */
    readonly body?: Buffer | Readable;
    readonly token?: string;
}

/** Send one request; rejects with the socket error (its `code` is ECONNREFUSED, ECONNRESET, ...). */
export function http(url: string, options: HttpOptions = {}): Promise<HttpResult> {
    const headers: Record<string, string> = { ...(options.headers ?? {}) };
    let payload: Buffer | Readable | undefined = options.body;
    if (options.json !== undefined) {
        payload = Buffer.from(JSON.stringify(options.json));
        headers["Content-Type"] = "application/json";
    }
    if (Buffer.isBuffer(payload)) headers["Content-Length"] = String(payload.length);
    if (options.token !== undefined) headers["Authorization"] = `Bearer ${options.token}`;
    return new Promise((resolve, reject) => {
        const req = httpRequest(url, { method: options.method ?? "GET", headers, agent: false }, (res) => {
            const chunks: Buffer[] = [];
            res.on("data", (chunk: Buffer) => chunks.push(chunk));
            res.on("error", reject);
            res.on("end", () => {
                const text = Buffer.concat(chunks).toString("utf8");
                let body: unknown;
                try {
                    body = text === "" ? undefined : JSON.parse(text);
                } catch {
                    body = undefined;
                }
                resolve({ status: res.statusCode ?? 0, headers: res.headers, text, body });
            });
        });
        req.on("error", reject);
        if (payload === undefined) req.end();
        else if (Buffer.isBuffer(payload)) req.end(payload);
        else {
            payload.on("error", (error) => req.destroy(error));
            payload.pipe(req);
        }
    });
}

/** Like {@link http} but resolves with the error code instead of rejecting on a socket error. */
export async function httpOrErrorCode(url: string, options: HttpOptions = {}): Promise<HttpResult | string> {
    try {
        return await http(url, options);
    } catch (error) {
        return (error as NodeJS.ErrnoException).code ?? String(error);
    }
}

/** Log in with the simulator's credentials; returns the token response body. */
export async function login(
    sim: RiverbedSimulator,
): Promise<{ access_token: string; refresh_token: string; expires_at: number; token_type: string }> {
    const result = await http(`${sim.url}/api/mgmt.aaa/1.0/token`, {
        method: "POST",
        json: { user_credentials: { username: sim.username, password: sim.password }, generate_refresh_token: true },
    });
    if (result.status !== 201) throw new Error(`login failed: ${result.status} ${result.text}`);
    return result.body;
}

/** Upload a generated image (streamed, never buffered). */
export function uploadImage(sim: RiverbedSimulator, token: string, spec: RiverbedImageSpec): Promise<HttpResult> {
    const { stream, sizeBytes } = riverbedImageStream(spec);
    return http(`${sim.systemUpdateUrl}/images/upload`, {
        method: "POST",
        token,
        body: stream,
        headers: { "Content-Type": "application/octet-stream", "Content-Length": String(sizeBytes) },
    });
}

/**
 * Poll `probe` until it returns a value other than `undefined`; bounded by `attempts` (not a timed
 * assertion: the interval only paces the loop).
 */
export async function eventually<T>(probe: () => T | undefined | Promise<T | undefined>, attempts = 400, intervalMs = 10): Promise<T> {
    for (let attempt = 0; attempt < attempts; attempt++) {
        const value = await probe();
        if (value !== undefined) return value;
        await sleep(intervalMs);
    }
    throw new Error(`condition not met after ${attempts} attempts`);
}

/** Wait until image `id` reaches a terminal state and return it. */
export function imageSettled(sim: RiverbedSimulator, id: number) {
    return eventually(() => {
        const image = sim.images().find((candidate) => candidate.id === id);
        return image !== undefined && image.state !== "UPLOADING" && image.state !== "VALIDATING" ? image : undefined;
    });
}

/** Fast phase timings for tests (milliseconds). */
export const FAST_TIMINGS = { validateMs: 5, initMs: 5, runningMs: 5, rebootMs: 150, resetMs: 5 } as const;
