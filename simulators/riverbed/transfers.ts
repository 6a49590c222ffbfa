/**
 * Getting image bytes onto the simulated appliance: `POST images/upload` (the client streams the
 * file as the request body) and `POST images/fetch {url}` (the appliance downloads it itself).
 *
 * Both paths stream: bytes are hashed and counted as they arrive and only the header prefix is
 * kept, so memory stays flat for any image size. A transfer becomes UPLOAD_ERROR when the
 * connection breaks, when no data moves for the idle timeout, or when a failure was injected (the
 * appliance then resets the connection after the first chunk, as a broken transfer would).
 */
import { request as httpRequest, type IncomingMessage, type ServerResponse } from "node:http";
import { request as httpsRequest } from "node:https";
import { isIP, type Socket } from "node:net";
import { SimulatorHttpError } from "../core/http-error";
import { isJsonObject, readJsonBody, sendJson } from "../core/http-io";
import { consumeStream } from "../core/streaming";
import { RiverbedErrorIds } from "./constants";
import { RIVERBED_IMAGE_HEADER_SEARCH_BYTES } from "./image-format";
import type { RiverbedImage, RiverbedImageStore } from "./images";
import type { UploadReply } from "./options";

/** What transfers need from the device. */
export interface TransferDeps {
    readonly images: RiverbedImageStore;
    readonly idleTimeoutMs: () => number;
    readonly allowRemoteFetch: boolean;
    /** What the upload and fetch replies carry (see `UploadReply`). */
    readonly uploadReply: () => UploadReply;
    /** Registers a cleanup to run when the simulator stops (aborting downloads in flight). */
    readonly onStop: (cleanup: () => void) => () => void;
}

/** Handle `POST images/upload`: consume the body as a stream and answer 202 with the image. */
export async function receiveUpload(req: IncomingMessage, res: ServerResponse, deps: TransferDeps): Promise<void> {
    const contentType = (req.headers["content-type"] ?? "application/octet-stream").split(";")[0]!.trim().toLowerCase();
    if (contentType !== "application/octet-stream") {
        throw new SimulatorHttpError(
            415,
            RiverbedErrorIds.unsupportedMediaType,
            `Upload content type must be application/octet-stream, got ${contentType}.`,
        );
    }
    const declared = req.headers["content-length"];
    const expectedBytes = declared === undefined ? undefined : Number(declared);
    const image = deps.images.beginTransfer(expectedBytes, "Uploading image");
    const injected = deps.images.injectedFailureOf(image.id);
    // Keep the socket: once the request stream is destroyed, `req.socket` reads null.
    const socket = req.socket;
    let failure: string | undefined;

    const abort = (reason: string) => {
        failure ??= reason;
        resetConnection(socket);
    };
    deps.images.setTransferAbort(image.id, abort);
    const idleTimeoutMs = deps.idleTimeoutMs();
    req.setTimeout(idleTimeoutMs, () => abort(`no data received for ${idleTimeoutMs} ms`));
    let bytesSoFar = 0;
    try {
        const consumed = await consumeStream(req, {
            prefixBytes: RIVERBED_IMAGE_HEADER_SEARCH_BYTES,
            onProgress: (bytes) => {
                bytesSoFar = bytes;
                deps.images.reportProgress(image.id, bytes);
                // Injected break: stop after the first chunk, like a link dropping mid-transfer.
                return injected !== "UPLOAD_ERROR";
            },
        });
        if (consumed.stoppedEarly || injected === "UPLOAD_ERROR") {
            deps.images.failTransfer(image.id, `transfer interrupted after ${consumed.bytes} bytes (injected)`);
            resetConnection(socket);
            return;
        }
        if (failure !== undefined || !req.complete) {
            deps.images.failTransfer(image.id, failure ?? `transfer interrupted after ${consumed.bytes} bytes`);
            resetConnection(socket);
            return;
        }
        req.setTimeout(0);
        const done = deps.images.completeTransfer(image.id, consumed);
        if (done === undefined) {
            throw new SimulatorHttpError(404, RiverbedErrorIds.notFound, `Image ${image.id} was deleted during the upload.`);
        }
        sendJson(res, 202, replyFor(done, deps));
    } catch (error) {
        if (error instanceof SimulatorHttpError) throw error;
        // The client disconnected or the stream failed: nobody is left to answer.
        deps.images.failTransfer(image.id, failure ?? `transfer interrupted after ${bytesSoFar} bytes (${describe(error)})`);
        resetConnection(socket);
    } finally {
        deps.images.setTransferAbort(image.id, undefined);
    }
}

/** Handle `POST images/fetch {url}`: answer 202 with the new image, then download in the background. */
export async function startFetch(req: IncomingMessage, res: ServerResponse, deps: TransferDeps): Promise<void> {
    const body = await readJsonBody(req);
    if (!isJsonObject(body) || typeof body["url"] !== "string") {
        throw new SimulatorHttpError(400, RiverbedErrorIds.invalidRequest, 'Fetch body must be {"url": string}.');
    }
    const url = parseFetchUrl(body["url"], deps.allowRemoteFetch);
    const image = deps.images.beginTransfer(undefined, `Fetching image from ${url.href}`);
    sendJson(res, 202, replyFor(image, deps));
    void download(url, image.id, deps);
}

/** The reply to a transfer: the image object, or only its id (`uploadReply: "id-only"`). */
function replyFor(image: RiverbedImage, deps: TransferDeps): RiverbedImage | { id: number } {
    return deps.uploadReply() === "id-only" ? { id: image.id } : image;
}

async function download(url: URL, imageId: number, deps: TransferDeps): Promise<void> {
    const controller = new AbortController();
    let failure: string | undefined;
    const abort = (reason: string) => {
        failure ??= reason;
        controller.abort();
    };
    const unregister = deps.onStop(() => abort("simulator stopped"));
    deps.images.setTransferAbort(imageId, abort);
    const injected = deps.images.injectedFailureOf(imageId);
    try {
        const response = await openDownload(url, controller.signal, deps.idleTimeoutMs(), abort);
        if (response.statusCode !== 200) {
            response.resume();
            deps.images.failTransfer(imageId, `fetch failed: ${url.href} answered HTTP ${response.statusCode}`);
            return;
        }
        const declared = response.headers["content-length"];
        deps.images.setExpectedBytes(imageId, declared === undefined ? undefined : Number(declared));
        const consumed = await consumeStream(response, {
            prefixBytes: RIVERBED_IMAGE_HEADER_SEARCH_BYTES,
            onProgress: (bytes) => {
                deps.images.reportProgress(imageId, bytes);
                return injected !== "UPLOAD_ERROR";
            },
        });
        if (consumed.stoppedEarly || injected === "UPLOAD_ERROR") {
            deps.images.failTransfer(imageId, `download interrupted after ${consumed.bytes} bytes (injected)`);
            return;
        }
        if (failure !== undefined || !response.complete) {
            deps.images.failTransfer(imageId, failure ?? `download interrupted after ${consumed.bytes} bytes`);
            return;
        }
        deps.images.completeTransfer(imageId, consumed);
    } catch (error) {
        deps.images.failTransfer(imageId, failure ?? `fetch failed: ${describe(error)}`);
    } finally {
        controller.abort(); // releases the socket if we stopped early
        unregister();
        deps.images.setTransferAbort(imageId, undefined);
    }
}

function openDownload(url: URL, signal: AbortSignal, idleTimeoutMs: number, abort: (reason: string) => void): Promise<IncomingMessage> {
    const request = url.protocol === "https:" ? httpsRequest : httpRequest;
    return new Promise((resolve, reject) => {
        // agent: false so no pooled socket outlives the simulator.
        const outgoing = request(url, { method: "GET", agent: false, signal }, resolve);
        outgoing.setTimeout(idleTimeoutMs, () => {
            abort(`no data received from ${url.host} for ${idleTimeoutMs} ms`);
        });
        // A persistent listener: aborting after the response arrived may still emit an error.
        outgoing.on("error", reject);
        outgoing.end();
    });
}

/** Validate a fetch URL: http(s) only, and loopback hosts only unless remote fetches are allowed. */
function parseFetchUrl(raw: string, allowRemoteFetch: boolean): URL {
    let url: URL;
    try {
        url = new URL(raw);
    } catch {
        throw new SimulatorHttpError(400, RiverbedErrorIds.invalidUrl, `[url] is not a valid URL: ${raw}`);
    }
    if (url.protocol !== "http:" && url.protocol !== "https:") {
        throw new SimulatorHttpError(400, RiverbedErrorIds.invalidUrl, `[url] must use http or https, got ${url.protocol}`);
    }
    if (!allowRemoteFetch && !isLoopbackHost(url.hostname)) {
        throw new SimulatorHttpError(
            400,
            RiverbedErrorIds.invalidUrl,
            `This simulator only fetches from loopback hosts (got ${url.hostname}); start it with remote fetches allowed to change that.`,
        );
    }
    return url;
}

function isLoopbackHost(hostname: string): boolean {
    const host = hostname.replace(/^\[|\]$/g, "");
    if (host === "localhost") return true;
    if (isIP(host) === 4) return host.startsWith("127.");
    if (isIP(host) === 6) return host === "::1" || host === "0:0:0:0:0:0:0:1";
    return false;
}

function resetConnection(socket: Socket | null): void {
    if (socket === null || socket.destroyed) return;
    try {
        socket.resetAndDestroy();
    } catch {
        socket.destroy();
    }
}

function describe(error: unknown): string {
    const code = (error as NodeJS.ErrnoException | undefined)?.code;
    const message = (error as Error | undefined)?.message ?? String(error);
    return code !== undefined ? `${code}: ${message}` : message;
}
