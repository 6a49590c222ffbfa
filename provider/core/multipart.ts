/**
 * `multipart/form-data` uploads of one file, streamed from disk.
 *
 * {@link multipartStream} sends the file in one named field (plus optional plain fields) through
 * {@link uploadFile}: the file is read once in pooled chunks, hashed with SHA-256 in the same pass,
 * memory stays flat whatever its size, and `Content-Length` is exact. What this module adds is the
 * RFC 7578 hygiene of the part headers: field and file names are escaped so a quote or a line break
 * in a file name can never break the framing or smuggle a header.
 */

import { basename } from "node:path";
import type { HttpSession } from "./http";
import { uploadFile, type UploadProgress, type UploadResult } from "./upload";

/** Options of {@link multipartStream}. */
export interface MultipartStreamOptions {
    /** Request path, e.g. `/api/image`. */
    path: string;
    method?: "POST" | "PUT";
    /** The local file to send. */
    filePath: string;
    /** Form field that carries the file, e.g. `file`. */
    fieldName: string;
    /** File name announced to the server; default: the file's base name. */
    fileName?: string;
    /** Plain form fields sent before the file. */
    fields?: Record<string, string>;
    headers?: Record<string, string>;
    /** Time allowed between the last byte sent and the response headers. Default 10 minutes. */
    responseTimeoutMs?: number;
    onProgress?: (progress: UploadProgress) => void;
    progressIntervalMs?: number;
}

/**
 * Escapes a name for a `Content-Disposition` parameter (RFC 7578 §4.2, as browsers do it):
 * `"` → `%22`, CR → `%0D`, LF → `%0A`.
 */
export function escapeMultipartName(name: string): string {
    return name.replace(/"/g, "%22").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
}

/**
 * Uploads `filePath` as a multipart form, hashing it in the same pass. Never retried by the session
 * (a consumed stream cannot be replayed): a caller that wants another attempt starts over.
 *
 * @example
 * ```ts
 * const { response, sha256 } = await multipartStream(session, { path: "/api/image", filePath: "controller.pkg", fieldName: "file" });
 * ```
 */
export function multipartStream<T = unknown>(session: HttpSession, options: MultipartStreamOptions): Promise<UploadResult<T>> {
    const fields = Object.fromEntries(Object.entries(options.fields ?? {}).map(([k, v]) => [escapeMultipartName(k), v]));
    return uploadFile<T>(session, {
        method: options.method ?? "POST",
        path: options.path,
        filePath: options.filePath,
        multipart: {
            fieldName: escapeMultipartName(options.fieldName),
            fileName: escapeMultipartName(options.fileName ?? basename(options.filePath)),
            fields,
        },
        headers: options.headers,
        responseTimeoutMs: options.responseTimeoutMs,
        onProgress: options.onProgress,
        progressIntervalMs: options.progressIntervalMs,
    });
}
