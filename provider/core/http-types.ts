/**
 * The request and response shapes shared by {@link HttpSession} and the auth strategies. They live
 * apart from both so that `auth.ts` and `http.ts` do not import each other.
 */

import type * as http from "node:http";
import type { Readable } from "node:stream";

/** HTTP methods the vendor APIs use. */
export type HttpMethod = "GET" | "HEAD" | "POST" | "PUT" | "PATCH" | "DELETE";

/** One request. `path` is relative to the session's base URL. */
export interface RequestOptions {
    method: HttpMethod;
    path: string;
    /** JSON body (sets Content-Type). */
    json?: unknown;
    /** Raw body: a Buffer, a string, or a stream (a stream body is never retried). */
    body?: Buffer | string | Readable;
    headers?: Record<string, string>;
    searchParams?: Record<string, string | number | boolean>;
    /** Overrides idempotency: default true for GET/HEAD/PUT/DELETE, false for POST/PATCH. */
    idempotent?: boolean;
    /** Statuses treated as success besides 2xx (e.g. 404 for "already gone"). */
    acceptStatus?: number[];
    /** Skip the auth strategy (login calls). */
    anonymous?: boolean;
    /** Per-request override of the response timeout, e.g. for a slow upload acknowledgement. */
    responseTimeoutMs?: number;
    /**
     * Told the request-body bytes the socket has finished writing, after each written chunk: a
     * streamed body may reuse a chunk's buffer once this count has passed it.
     */
    onUploadProgress?: (transferredBytes: number) => void;
}

/** A response with its body parsed as JSON when possible. */
export interface HttpResponse<T = unknown> {
    status: number;
    headers: http.IncomingHttpHeaders;
    /** Parsed JSON body, or undefined when the body is empty or not JSON. */
    body: T;
    /** The raw body text. */
    text: string;
}
