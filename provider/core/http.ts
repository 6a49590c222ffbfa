/**
 * The HTTP session every vendor client is built on (got underneath).
 *
 * What it guarantees:
 * - per-phase timeouts (lookup, connect, TLS, response headers, idle socket) and never a whole-transfer
 *   timeout, so a multi-GB upload is bounded only by an idle socket;
 * - retries with full-jitter exponential backoff for idempotent requests on 408/429/5xx and network
 *   errors, honouring `Retry-After` (inside a waiter's poll, which the waiter retries itself, one
 *   retry after a connection error and none after an error status: see wait-poll.ts); a non-idempotent request (an operation-starting POST) is retried
 *   only when the connection was refused (the request provably never reached the device) or when
 *   authentication was rejected (401: the vendor did not act on it);
 * - a pluggable {@link AuthStrategy}; on a rejection the strategy re-authenticates and the request is
 *   sent once more;
 * - TLS verification on unless `tls.insecure` is set explicitly; a CA bundle can be supplied;
 * - keep-alive connection pooling per session (one session per device, shared by all resources);
 * - one error type, {@link VendorApiError}, for every failure, scrubbed of every credential.
 *
 * What got does here: the transport — connection pooling through our agents, per-phase timeouts,
 * TLS options, upload progress events, streaming request bodies. What stays our own code, and why:
 * - **The retry loop** (`request`): got's retry waits on its own `setTimeout`, which the handler's
 *   {@link Clock} cannot drive, so backoff could not follow the operation's deadline nor run on a
 *   fake clock in tests; and its rules are per method, while ours are per request (a POST that
 *   starts an operation is retried only when the connection was refused — the device provably never
 *   saw it — and a streamed body is never replayed). `Retry-After` is parsed here for the same reason.
 * - **Re-authentication** (the strategy's `rejected`, then one more attempt): a re-login is itself a
 *   request through this session (same retries, same clock, same redaction), which got's
 *   `afterResponse` hook could only do by re-entering got outside those rules.
 * - **Cookies** (`CookieJar` in auth.ts): a session talks to one host and the CSRF strategies must
 *   read a cookie's value by name and forget them all on a rejection; an RFC 6265 jar (tough-cookie,
 *   got's `cookieJar`) would add domain/path matching that one host never needs.
 */

import * as http from "node:http";
import * as https from "node:https";
import type { Readable } from "node:stream";
import type { AuthContext, AuthStrategy } from "./auth";
import { systemClock, type Clock } from "./clock";
import type { HttpResponse, RequestOptions } from "./http-types";
import { VendorApiError, redact } from "./errors";
import { inWaitPoll, WAIT_POLL_RETRIES } from "./wait-poll";

type Got = typeof import("got").default;
let gotFn: Got | undefined;

/**
 * got, loaded on the first request: a provider process that only checks and diffs (`pulumi preview`)
 * never sends one, and loading got is ~60 ms of its start-up.
 */
function loadGot(): Got {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- deferred load, see above
    return (gotFn ??= (require("got") as typeof import("got")).default);
}

export type { HttpMethod, HttpResponse, RequestOptions } from "./http-types";

/** Extracts the vendor's error code and message from an error response body. */
export type VendorErrorParser = (body: unknown, text: string) => { code?: string; message?: string };

/** Options of {@link HttpSession}. */
export interface HttpSessionOptions {
    /** Vendor name used in errors. */
    vendor: string;
    /** Base URL, e.g. `https://10.0.0.5`; request paths are appended to it. */
    baseUrl: string;
    auth?: AuthStrategy;
    timeouts?: {
        /** TCP connect (and DNS lookup) timeout. Default 10 s. */
        connectMs?: number;
        /** Request sent → response headers. Default 60 s. */
        responseMs?: number;
        /** Socket idle (no bytes either way). Default 120 s. */
        idleSocketMs?: number;
    };
    retry?: {
        /** Retries after the first attempt. Default 4. */
        limit?: number;
        /** Backoff floor. Default 500 ms. */
        minDelayMs?: number;
        /** Backoff ceiling. Default 20 s. */
        maxDelayMs?: number;
        /** A Retry-After longer than this ends the retries. Default 120 s. */
        maxRetryAfterMs?: number;
    };
    tls?: {
        /** PEM CA bundle to trust instead of the system roots. */
        caBundle?: string;
        /** Disable certificate verification. Must be set explicitly; never a default. */
        insecure?: boolean;
    };
    /** Headers for every request (e.g. an API version header). */
    headers?: Record<string, string>;
    /** Parses the vendor's error body. */
    parseError?: VendorErrorParser;
    /** Extra strings to scrub from errors (passwords not held by the auth strategy). */
    secrets?: string[];
    /**
     * The time source of retry backoff and token expiry: the handler's clock, so a test on a fake
     * clock never sleeps for real. Default the system clock.
     */
    clock?: Clock;
    /** @deprecated use `clock`. Overrides `clock.sleep`. */
    sleep?: (ms: number) => Promise<void>;
    /** Randomness of the backoff jitter, in [0, 1). Default Math.random. */
    random?: () => number;
    /** @deprecated use `clock`. Overrides `clock.now`. */
    now?: () => number;
    /** Told about each retry (progress lines). */
    onRetry?: (info: { attempt: number; delayMs: number; reason: string; method: string; path: string }) => void;
}

const RETRY_STATUSES = new Set([408, 429, 500, 502, 503, 504]);
const NETWORK_ERRORS = new Set([
    "ECONNREFUSED",
    "ECONNRESET",
    "ETIMEDOUT",
    "EPIPE",
    "ENOTFOUND",
    "EAI_AGAIN",
    "ENETUNREACH",
    "EHOSTUNREACH",
    "ECONNABORTED",
    "ERR_STREAM_PREMATURE_CLOSE",
]);

/** A keep-alive HTTP session to one device or controller. */
export class HttpSession {
    readonly vendor: string;
    readonly baseUrl: string;
    /** Number of HTTP exchanges made (all attempts), for tests and progress lines. */
    exchanges = 0;
    private readonly options: HttpSessionOptions;
    private readonly httpAgent: http.Agent;
    private readonly httpsAgent: https.Agent;

    constructor(options: HttpSessionOptions) {
        this.options = options;
        this.vendor = options.vendor;
        this.baseUrl = options.baseUrl.replace(/\/+$/, "");
        this.httpAgent = new http.Agent({ keepAlive: true, maxSockets: 16 });
        this.httpsAgent = new https.Agent({
            keepAlive: true,
            maxSockets: 16,
            ca: options.tls?.caBundle,
            rejectUnauthorized: options.tls?.insecure !== true,
        });
    }

    /** Sends a request with auth and retries; throws {@link VendorApiError} on any failure. */
    async request<T = unknown>(request: RequestOptions): Promise<HttpResponse<T>> {
        const sessionLimit = this.options.retry?.limit ?? 4;
        // Inside a waiter's poll the waiter owns outage retries (see wait-poll.ts).
        const waitPoll = inWaitPoll();
        const limit = waitPoll ? Math.min(sessionLimit, WAIT_POLL_RETRIES.afterConnectionError) : sessionLimit;
        const statusLimit = waitPoll ? Math.min(sessionLimit, WAIT_POLL_RETRIES.afterErrorStatus) : sessionLimit;
        const idempotent = request.idempotent ?? ["GET", "HEAD", "PUT", "DELETE"].includes(request.method);
        const streamBody = isStream(request.body);
        let attempt = 0;
        let authRetried = false;
        for (;;) {
            attempt++;
            let response: HttpResponse;
            try {
                const headers = request.anonymous || !this.options.auth ? {} : await this.options.auth.headers(this.authContext(), request);
                response = await this.exchange(request, headers);
            } catch (err) {
                if (err instanceof VendorApiError) {
                    throw err; // raised by the auth strategy's login: already complete
                }
                const code = networkCode(err);
                const neverSent = code === "ECONNREFUSED";
                const retryable = NETWORK_ERRORS.has(code) && (idempotent || neverSent) && !streamBody;
                if (retryable && attempt <= limit) {
                    await this.backoff(attempt, undefined, code, request);
                    continue;
                }
                throw this.error(request, { code, message: (err as Error).message, transient: NETWORK_ERRORS.has(code), attempt });
            }

            if (!request.anonymous && this.options.auth?.rejected && !authRetried && !streamBody) {
                if (this.options.auth.rejected(response, request)) {
                    authRetried = true;
                    continue;
                }
            }
            if (isOk(response.status, request.acceptStatus)) {
                return response as HttpResponse<T>;
            }
            const retryAfterMs = parseRetryAfter(response.headers["retry-after"], this.now());
            const transient = RETRY_STATUSES.has(response.status);
            const maxRetryAfter = this.options.retry?.maxRetryAfterMs ?? 120_000;
            const retryable =
                transient &&
                idempotent &&
                !streamBody &&
                attempt <= statusLimit &&
                (retryAfterMs === undefined || retryAfterMs <= maxRetryAfter);
            if (retryable) {
                await this.backoff(attempt, retryAfterMs, `HTTP ${response.status}`, request);
                continue;
            }
            const parsed = this.options.parseError?.(response.body, response.text) ?? {};
            throw this.error(request, {
                status: response.status,
                code: parsed.code,
                message: parsed.message ?? (response.text.slice(0, 500) || undefined),
                transient,
                retryAfterMs,
                attempt,
            });
        }
    }

    /** GET and parse JSON. */
    async getJson<T = unknown>(path: string, searchParams?: RequestOptions["searchParams"]): Promise<T> {
        return (await this.request<T>({ method: "GET", path, searchParams })).body;
    }

    /** Closes pooled connections. */
    close(): void {
        this.httpAgent.destroy();
        this.httpsAgent.destroy();
    }

    /** Every credential known to the session, for redaction by callers that log. */
    secrets(): string[] {
        return [...(this.options.secrets ?? []), ...(this.options.auth?.secrets() ?? [])];
    }

    /** Builds a {@link VendorApiError} for this session, scrubbed of credentials. */
    error(
        request: Pick<RequestOptions, "method" | "path">,
        f: { status?: number; code?: string; message?: string; transient: boolean; retryAfterMs?: number; attempt?: number },
    ): VendorApiError {
        return new VendorApiError(
            {
                vendor: this.vendor,
                method: request.method,
                path: request.path.split("?", 1)[0],
                endpoint: this.baseUrl,
                status: f.status,
                code: f.code,
                vendorMessage: f.message,
                transient: f.transient,
                retryAfterMs: f.retryAfterMs,
                attempts: f.attempt,
            },
            this.secrets(),
        );
    }

    /** Redacts every known credential from `text`. */
    redact(text: string): string {
        return redact(text, this.secrets());
    }

    private authContext(): AuthContext {
        return {
            send: (request) => this.request({ ...request, anonymous: true }),
            now: () => this.now(),
        };
    }

    private now(): number {
        return this.options.now ? this.options.now() : (this.options.clock ?? systemClock).now();
    }

    private async exchange(request: RequestOptions, authHeaders: Record<string, string>): Promise<HttpResponse> {
        this.exchanges++;
        const t = this.options.timeouts ?? {};
        const connectMs = t.connectMs ?? 10_000;
        const headers: Record<string, string> = {
            accept: "application/json",
            ...(this.options.headers ?? {}),
            ...(request.headers ?? {}),
            ...authHeaders,
        };
        const pending = loadGot()(this.baseUrl + request.path, {
            method: request.method,
            headers,
            json: request.json,
            body: request.json === undefined ? request.body : undefined,
            searchParams: request.searchParams,
            responseType: "text",
            throwHttpErrors: false,
            followRedirect: false,
            retry: { limit: 0 },
            timeout: {
                lookup: connectMs,
                connect: connectMs,
                secureConnect: connectMs,
                response: request.responseTimeoutMs ?? t.responseMs ?? 60_000,
                socket: t.idleSocketMs ?? 120_000,
            },
            agent: { http: this.httpAgent, https: this.httpsAgent },
            https: {
                certificateAuthority: this.options.tls?.caBundle,
                rejectUnauthorized: this.options.tls?.insecure !== true,
            },
        });
        if (request.onUploadProgress) {
            pending.on("uploadProgress", (p) => request.onUploadProgress!(p.transferred));
        }
        const res = await pending;
        const text = res.body ?? "";
        const response: HttpResponse = { status: res.statusCode, headers: res.headers, body: parseJson(text), text };
        this.options.auth?.observe?.(response, request);
        return response;
    }

    private async backoff(attempt: number, retryAfterMs: number | undefined, reason: string, request: RequestOptions): Promise<void> {
        const min = this.options.retry?.minDelayMs ?? 500;
        const max = this.options.retry?.maxDelayMs ?? 20_000;
        const random = this.options.random ?? Math.random;
        const ceiling = Math.min(max, min * 2 ** (attempt - 1));
        let delay = min + random() * (ceiling - min);
        if (retryAfterMs !== undefined) {
            delay = Math.max(retryAfterMs, 0);
        }
        this.options.onRetry?.({ attempt, delayMs: delay, reason, method: request.method, path: request.path });
        await (this.options.sleep ? this.options.sleep(delay) : (this.options.clock ?? systemClock).sleep(delay));
    }
}

/** Parses `Retry-After` (seconds or an HTTP date) into ms from now. */
export function parseRetryAfter(value: string | string[] | undefined, now: number): number | undefined {
    const v = Array.isArray(value) ? value[0] : value;
    if (!v) {
        return undefined;
    }
    if (/^\s*\d+(\.\d+)?\s*$/.test(v)) {
        return Math.round(Number(v) * 1_000);
    }
    const date = Date.parse(v);
    return Number.isNaN(date) ? undefined : Math.max(1, date - now);
}

function isOk(status: number, accept: number[] | undefined): boolean {
    return (status >= 200 && status < 300) || (accept?.includes(status) ?? false);
}

function isStream(body: unknown): body is Readable {
    return typeof body === "object" && body !== null && typeof (body as Readable).pipe === "function";
}

function networkCode(err: unknown): string {
    const e = err as { code?: string; cause?: { code?: string } };
    return e?.code ?? e?.cause?.code ?? "EUNKNOWN";
}

function parseJson(text: string): unknown {
    if (!text) {
        return undefined;
    }
    try {
        return JSON.parse(text);
    } catch {
        return undefined;
    }
}
