/**
 * How a simulated appliance downloads the image named by `imageUrl` during prepare.
 *
 * The download is real (HTTP GET, streamed and hashed chunk by chunk, only the header prefix kept),
 * but restricted to loopback hosts unless remote fetches are allowed, so tests never leave the
 * machine. Every problem becomes a human-readable reason that ends up in the upgrade `details`.
 */
import { request as httpRequest, type IncomingMessage } from "node:http";
import { request as httpsRequest } from "node:https";
import { isIP } from "node:net";
import { consumeStream } from "../core/streaming";

/** Outcome of one download. */
export type ImageDownload =
    | { readonly ok: true; readonly bytes: number; readonly prefix: Buffer; readonly sha256: string }
    | { readonly ok: false; readonly reason: string };

/** Options of {@link downloadImage}. */
export interface DownloadOptions {
    /** Keep this many leading bytes. */
    readonly prefixBytes: number;
    /** Give up when no data moves for this long. */
    readonly idleTimeoutMs: number;
    /** Allow hosts other than loopback. */
    readonly allowRemote: boolean;
    /** Aborts the transfer (cancel, simulator stop). */
    readonly signal: AbortSignal;
}

/** The file name an image URL points at (last path segment, decoded). */
export function imageFileNameOf(url: URL): string {
    const segments = url.pathname.split("/").filter((segment) => segment !== "");
    const last = segments[segments.length - 1] ?? "";
    try {
        return decodeURIComponent(last);
    } catch {
        return last;
    }
}

/** Download `url`; never rejects. */
export async function downloadImage(url: URL, options: DownloadOptions): Promise<ImageDownload> {
    if (url.protocol !== "http:" && url.protocol !== "https:") {
        return { ok: false, reason: `cannot download ${url.href}: only http and https image URLs are supported by this simulator` };
    }
    if (!options.allowRemote && !isLoopbackHost(url.hostname)) {
        return { ok: false, reason: `cannot download ${url.href}: the simulator only downloads from loopback hosts` };
    }
    let response: IncomingMessage;
    try {
        response = await open(url, options);
    } catch (error) {
        return { ok: false, reason: `download of ${url.href} failed: ${describe(error, options.signal)}` };
    }
    if (response.statusCode !== 200) {
        response.resume();
        return { ok: false, reason: `download of ${url.href} failed: HTTP ${response.statusCode}` };
    }
    try {
        const consumed = await consumeStream(response, { prefixBytes: options.prefixBytes });
        if (!response.complete) return { ok: false, reason: `download of ${url.href} was interrupted after ${consumed.bytes} bytes` };
        return { ok: true, bytes: consumed.bytes, prefix: consumed.prefix, sha256: consumed.sha256 };
    } catch (error) {
        return { ok: false, reason: `download of ${url.href} was interrupted: ${describe(error, options.signal)}` };
    }
}

function open(url: URL, options: DownloadOptions): Promise<IncomingMessage> {
    const request = url.protocol === "https:" ? httpsRequest : httpRequest;
    return new Promise((resolve, reject) => {
        // agent: false so no pooled socket outlives the simulator.
        const outgoing = request(url, { method: "GET", agent: false, signal: options.signal }, (response) => {
            response.setTimeout(options.idleTimeoutMs, () => response.destroy(new Error(`no data for ${options.idleTimeoutMs} ms`)));
            resolve(response);
        });
        outgoing.setTimeout(options.idleTimeoutMs, () => outgoing.destroy(new Error(`no answer for ${options.idleTimeoutMs} ms`)));
        outgoing.on("error", reject);
        outgoing.end();
    });
}

function isLoopbackHost(hostname: string): boolean {
    const host = hostname.replace(/^\[|\]$/g, "");
    if (host === "localhost") return true;
    if (isIP(host) === 4) return host.startsWith("127.");
    if (isIP(host) === 6) return host === "::1";
    return false;
}

function describe(error: unknown, signal: AbortSignal): string {
    if (signal.aborted) return "cancelled";
    const code = (error as NodeJS.ErrnoException | undefined)?.code;
    const message = (error as Error | undefined)?.message ?? String(error);
    return code !== undefined ? `${code} ${message}` : message;
}
