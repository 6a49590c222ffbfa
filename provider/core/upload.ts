/**
 * Streaming file upload: the file is read once, in 1 MiB chunks, and each chunk is hashed (SHA-256)
 * and counted on its way into the request body. Memory stays bounded by a pool of four reused chunk
 * buffers whatever the file size; `Content-Length` is computed up front (raw or multipart)
 * so devices that need it get it. Uploads are never retried by the session (a consumed stream cannot
 * be replayed); the caller decides whether to start over.
 */

import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { open, stat } from "node:fs/promises";
import { basename } from "node:path";
import { Readable } from "node:stream";
import type { HttpResponse, HttpSession } from "./http";
import { multipartFraming } from "./multipart";

/** Body chunks in flight at most (each `chunkBytes` long). */
const POOL_BUFFERS = 4;

/** Progress of an upload, reported at most every `progressIntervalMs`. */
export interface UploadProgress {
    bytesSent: number;
    totalBytes: number;
    percent: number;
    /** Average throughput since the start, in bytes per second. */
    bytesPerSecond: number;
    elapsedMs: number;
}

/** Options of {@link uploadFile}. */
export interface UploadOptions {
    method?: "POST" | "PUT";
    path: string;
    filePath: string;
    /** Content type of a raw upload. Default `application/octet-stream`. */
    contentType?: string;
    /** Send as `multipart/form-data` with the file in this field (plus plain fields). */
    multipart?: { fieldName: string; fileName?: string; fields?: Record<string, string> };
    headers?: Record<string, string>;
    searchParams?: Record<string, string | number | boolean>;
    /** Time allowed between the last byte sent and the response headers. Default 10 minutes. */
    responseTimeoutMs?: number;
    onProgress?: (progress: UploadProgress) => void;
    /** Minimum interval between progress callbacks. Default 2 000 ms. */
    progressIntervalMs?: number;
    /** Chunk size. Default 1 MiB. */
    chunkBytes?: number;
}

/** What an upload produced. */
export interface UploadResult<T> {
    response: HttpResponse<T>;
    /** Hex SHA-256 of the file bytes sent (the file only, not multipart framing). */
    sha256: string;
    bytes: number;
    elapsedMs: number;
}

/**
 * Uploads a local file as the request body, hashing it in the same pass.
 *
 * @example
 * ```ts
 * const { response, sha256 } = await uploadFile(session, {
 *     path: "/api/npm.system_update/2.0/images/upload",
 *     filePath: "/images/appresponse-11.14.img",
 *     onProgress: (p) => log(`${p.percent.toFixed(0)}% ${(p.bytesPerSecond / 2 ** 20).toFixed(1)} MiB/s`),
 * });
 * ```
 */
export async function uploadFile<T = unknown>(session: HttpSession, options: UploadOptions): Promise<UploadResult<T>> {
    const size = (await stat(options.filePath)).size;
    const hash = createHash("sha256");
    // Wall time on purpose: it measures the throughput of real bytes on a real socket; no deadline reads it.
    const started = Date.now();
    const interval = options.progressIntervalMs ?? 2_000;
    let sent = 0;
    let lastReport = 0;

    let head = Buffer.alloc(0);
    let tail = Buffer.alloc(0);
    let contentType = options.contentType ?? "application/octet-stream";
    if (options.multipart) {
        const framing = multipartFraming({
            fieldName: options.multipart.fieldName,
            fileName: options.multipart.fileName ?? basename(options.filePath),
            fields: options.multipart.fields,
        });
        head = framing.head;
        tail = framing.tail;
        contentType = framing.contentType;
    }

    const report = (force: boolean) => {
        const now = Date.now();
        if (!options.onProgress || (!force && now - lastReport < interval)) {
            return;
        }
        lastReport = now;
        const elapsedMs = now - started;
        options.onProgress({
            bytesSent: sent,
            totalBytes: size,
            percent: size === 0 ? 100 : (sent / size) * 100,
            bytesPerSecond: elapsedMs > 0 ? (sent / elapsedMs) * 1_000 : 0,
            elapsedMs,
        });
    };

    // The file is read into a small pool of reused buffers: a buffer goes back to the pool once the
    // socket has finished writing it (the session reports written body bytes). Fresh buffers per
    // chunk would be garbage V8 collects only every ~64 MiB of external memory, adding that much RSS.
    const chunkBytes = options.chunkBytes ?? 1 << 20;
    const free: Buffer[] = [];
    const inFlight: { end: number; buf: Buffer }[] = []; // in send order; `end` = body offset after the chunk
    let allocated = 0;
    let wake: (() => void) | undefined;
    let settled = false;
    const written = (transferred: number) => {
        while (inFlight.length > 0 && inFlight[0].end <= transferred) {
            free.push(inFlight.shift()!.buf);
        }
        wake?.();
    };

    async function* body(): AsyncGenerator<Buffer> {
        if (head.length) {
            yield head;
        }
        const file = await open(options.filePath, "r");
        try {
            let offset = head.length;
            while (sent < size) {
                let buf = free.pop();
                if (!buf && allocated < POOL_BUFFERS) {
                    buf = Buffer.allocUnsafeSlow(chunkBytes);
                    allocated++;
                }
                if (!buf) {
                    await new Promise<void>((resolve) => (wake = resolve));
                    wake = undefined;
                    if (settled) {
                        return;
                    }
                    continue;
                }
                const { bytesRead } = await file.read(buf, 0, Math.min(chunkBytes, size - sent), sent);
                if (bytesRead === 0) {
                    throw new Error(`${options.filePath} changed during the upload: it ended after ${sent} bytes, expected ${size}`);
                }
                const view = buf.subarray(0, bytesRead);
                hash.update(view);
                sent += bytesRead;
                offset += bytesRead;
                inFlight.push({ end: offset, buf });
                report(false);
                yield view;
            }
        } finally {
            await file.close();
        }
        if (tail.length) {
            yield tail;
        }
    }

    let response: HttpResponse<T>;
    try {
        response = await session.request<T>({
            method: options.method ?? "POST",
            path: options.path,
            body: Readable.from(body(), { objectMode: false }),
            headers: {
                ...(options.headers ?? {}),
                "content-type": contentType,
                "content-length": String(head.length + size + tail.length),
            },
            searchParams: options.searchParams,
            idempotent: false,
            responseTimeoutMs: options.responseTimeoutMs ?? 10 * 60_000,
            onUploadProgress: written,
        });
    } finally {
        // A failed request stops reporting progress: let a body waiting for a buffer finish.
        settled = true;
        wake?.();
    }
    if (sent !== size) {
        throw new Error(`${options.filePath} changed during the upload: sent ${sent} bytes, expected ${size}`);
    }
    report(true);
    return { response, sha256: hash.digest("hex"), bytes: sent, elapsedMs: Date.now() - started };
}

/** SHA-256 of a file, streamed. */
export async function sha256File(filePath: string): Promise<string> {
    const hash = createHash("sha256");
    for await (const chunk of createReadStream(filePath, { highWaterMark: 1 << 20 })) {
        hash.update(chunk as Buffer);
    }
    return hash.digest("hex");
}
