/**
 * Small request/response helpers shared by every simulated endpoint: JSON replies, empty replies and
 * bounded JSON request bodies. Large bodies (image uploads) never go through these helpers; they are
 * consumed as streams (see `streaming.ts`).
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { CoreErrorCodes, SimulatorHttpError } from "./http-error";

/** Largest JSON request body accepted, in bytes. Control and API bodies are tiny; this is a guard. */
export const DEFAULT_JSON_BODY_LIMIT_BYTES = 1024 * 1024;

/** Answer with a JSON body. */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Readonly<Record<string, string>> = {}): void {
    const payload = Buffer.from(JSON.stringify(body));
    res.writeHead(status, {
        ...headers,
        "Content-Type": "application/json",
        "Content-Length": String(payload.length),
    });
    res.end(payload);
}

/** Answer without a body (204 by default). */
export function sendNoContent(res: ServerResponse, status = 204, headers: Readonly<Record<string, string>> = {}): void {
    res.writeHead(status, headers);
    res.end();
}

/**
 * Read a small JSON request body. Resolves `undefined` for an empty body.
 *
 * @throws SimulatorHttpError 400 for malformed JSON, 413 when the body exceeds `limitBytes`.
 */
export async function readJsonBody(req: IncomingMessage, limitBytes = DEFAULT_JSON_BODY_LIMIT_BYTES): Promise<unknown> {
    const chunks: Buffer[] = [];
    let total = 0;
    for await (const chunk of req as AsyncIterable<Buffer>) {
        total += chunk.length;
        if (total > limitBytes) {
            throw new SimulatorHttpError(413, CoreErrorCodes.bodyTooLarge, `Request body exceeds ${limitBytes} bytes.`, {
                Connection: "close",
            });
        }
        chunks.push(chunk);
    }
    const text = Buffer.concat(chunks).toString("utf8").trim();
    if (text === "") return undefined;
    try {
        return JSON.parse(text) as unknown;
    } catch {
        throw new SimulatorHttpError(400, CoreErrorCodes.invalidJson, "Request body is not valid JSON.");
    }
}

/**
 * Read and throw away a request body the endpoint does not use (for example the body-less update
 * actions), so keep-alive connections stay usable. Bounded like {@link readJsonBody}.
 */
export async function discardBody(req: IncomingMessage, limitBytes = DEFAULT_JSON_BODY_LIMIT_BYTES): Promise<void> {
    let total = 0;
    for await (const chunk of req as AsyncIterable<Buffer>) {
        total += chunk.length;
        if (total > limitBytes) {
            throw new SimulatorHttpError(413, CoreErrorCodes.bodyTooLarge, `Request body exceeds ${limitBytes} bytes.`, {
                Connection: "close",
            });
        }
    }
}

/** True when `value` is a plain JSON object (not an array, not null). */
export function isJsonObject(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}
