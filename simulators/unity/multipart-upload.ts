/**
 * Receiving a `multipart/form-data` upload without buffering it.
 *
 * The candidate upload is an HTML-form style POST. The parser reads the body chunk by chunk, keeps
 * only a delimiter's worth of bytes between chunks, and hashes the first file part (the one with a
 * `filename`) as it passes; other parts are read and dropped. Any field name is accepted: the guide
 * prints it as `filename>` (garbled), so clients use whatever their form library picks.
 */
import { createHash } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { SimulatorHttpError } from "../core/http-error";
import { delimiterAcrossSeam } from "../core/multipart";
import { UnityErrorCodes } from "./constants";

const MAX_PART_HEADER_BYTES = 16 * 1024;
const MAX_FIELD_BYTES = 64 * 1024;

/** The file part of an upload. */
export interface ReceivedFilePart {
    readonly fieldName: string;
    readonly fileName: string;
    readonly bytes: number;
    readonly sha256: string;
    /** The first `prefixBytes` bytes of the file. */
    readonly prefix: Buffer;
}

/** Options of {@link receiveMultipartFile}. */
export interface ReceiveOptions {
    /** Leading file bytes to keep (the candidate header). */
    readonly prefixBytes: number;
    /** Called with the running count of file bytes (e.g. to abort an upload during a reboot). */
    readonly onFileBytes?: (bytes: number) => void;
}

/** The multipart boundary of a request, or a 400 explaining what is wrong with its content type. */
export function multipartBoundary(contentType: string | undefined): string {
    const match = /^multipart\/form-data\s*;(?:.*;)?\s*boundary=(?:"([^"]+)"|([^\s;]+))/i.exec(contentType ?? "");
    const boundary = match?.[1] ?? match?.[2];
    if (!boundary) {
        throw new SimulatorHttpError(
            400,
            String(UnityErrorCodes.badUpload),
            `The upload must be multipart/form-data with a boundary, got Content-Type ${JSON.stringify(contentType ?? "")}.`,
        );
    }
    return boundary;
}

/**
 * Read a multipart body to the end and return its first file part.
 * @throws SimulatorHttpError 400 when the body is not well-formed multipart or has no file part.
 */
export async function receiveMultipartFile(req: IncomingMessage, options: ReceiveOptions): Promise<ReceivedFilePart> {
    const boundary = multipartBoundary(req.headers["content-type"]);
    const delimiter = Buffer.from(`\r\n--${boundary}`);
    const malformed = (why: string) =>
        new SimulatorHttpError(400, String(UnityErrorCodes.badUpload), `Malformed multipart upload: ${why}.`);

    type State = "preamble" | "after-delimiter" | "headers" | "body" | "done";
    let state = "preamble" as State;
    // A virtual CRLF makes the first boundary look like every other delimiter.
    let pending: Buffer = Buffer.from("\r\n");
    let part: { fieldName: string; fileName?: string; fieldBytes: number } | undefined;
    let file:
        | {
              fieldName: string;
              fileName: string;
              hash: ReturnType<typeof createHash>;
              bytes: number;
              prefix: Buffer[];
              prefixLength: number;
          }
        | undefined;
    let result: ReceivedFilePart | undefined;

    const fileData = (data: Buffer) => {
        if (!part) return;
        if (part.fileName === undefined || result !== undefined) {
            part.fieldBytes += data.length;
            if (part.fieldBytes > MAX_FIELD_BYTES && part.fileName === undefined)
                throw malformed(`form field "${part.fieldName}" is too large`);
            return;
        }
        file ??= { fieldName: part.fieldName, fileName: part.fileName, hash: createHash("sha256"), bytes: 0, prefix: [], prefixLength: 0 };
        file.hash.update(data);
        file.bytes += data.length;
        if (file.prefixLength < options.prefixBytes) {
            const kept = Buffer.from(data.subarray(0, options.prefixBytes - file.prefixLength));
            file.prefix.push(kept);
            file.prefixLength += kept.length;
        }
        options.onFileBytes?.(file.bytes);
    };
    const endPart = () => {
        if (part?.fileName !== undefined && result === undefined) {
            const f = file ?? {
                fieldName: part.fieldName,
                fileName: part.fileName,
                hash: createHash("sha256"),
                bytes: 0,
                prefix: [],
                prefixLength: 0,
            };
            result = {
                fieldName: f.fieldName,
                fileName: f.fileName,
                bytes: f.bytes,
                sha256: f.hash.digest("hex"),
                prefix: Buffer.concat(f.prefix),
            };
        }
        part = undefined;
        file = undefined;
    };

    const consume = (chunk: Buffer) => {
        if (
            state === "body" &&
            pending.length < delimiter.length &&
            chunk.length >= delimiter.length &&
            !delimiterAcrossSeam(delimiter, pending, chunk)
        ) {
            // The bytes kept from the last chunk are file data: take them and parse the new chunk
            // where it lies, rather than copying every chunk of a large file into a new buffer.
            fileData(pending);
            pending = chunk;
        } else {
            pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
        }
        for (;;) {
            if (state === "preamble" || state === "body") {
                const at = pending.indexOf(delimiter);
                if (at < 0) {
                    // Keep what could be the start of a delimiter split across chunks.
                    const keep = Math.min(pending.length, delimiter.length - 1);
                    if (state === "body") fileData(pending.subarray(0, pending.length - keep));
                    pending = Buffer.from(pending.subarray(pending.length - keep));
                    return;
                }
                if (state === "body") {
                    fileData(pending.subarray(0, at));
                    endPart();
                }
                pending = pending.subarray(at + delimiter.length);
                state = "after-delimiter";
            } else if (state === "after-delimiter") {
                if (pending.length < 2) return;
                const two = pending.subarray(0, 2).toString("latin1");
                if (two === "--") {
                    state = "done";
                    pending = Buffer.alloc(0);
                    return;
                }
                // Transport padding (spaces/tabs) may precede the CRLF.
                const crlf = pending.indexOf("\r\n");
                if (crlf < 0) {
                    if (pending.length > 256) throw malformed("a boundary line is not terminated");
                    return;
                }
                pending = pending.subarray(crlf + 2);
                state = "headers";
            } else if (state === "headers") {
                const end = pending.indexOf("\r\n\r\n");
                if (end < 0) {
                    if (pending.length > MAX_PART_HEADER_BYTES) throw malformed("part headers are too large");
                    return;
                }
                const headers = pending.subarray(0, end).toString("utf8");
                const disposition = /^content-disposition:\s*form-data(.*)$/im.exec(headers)?.[1] ?? "";
                const fieldName = /;\s*name="([^"]*)"/i.exec(disposition)?.[1] ?? /;\s*name=([^;\s]+)/i.exec(disposition)?.[1] ?? "";
                const fileName = /;\s*filename="([^"]*)"/i.exec(disposition)?.[1] ?? /;\s*filename=([^;\s]+)/i.exec(disposition)?.[1];
                part = { fieldName, fileName, fieldBytes: 0 };
                pending = pending.subarray(end + 4);
                state = "body";
            } else {
                return; // epilogue: ignored
            }
        }
    };

    for await (const chunk of req as AsyncIterable<Buffer>) {
        if (state !== "done") consume(chunk);
    }
    if (state !== "done") throw malformed("the body ended before the closing boundary");
    if (result === undefined) throw new SimulatorHttpError(400, String(UnityErrorCodes.badUpload), "The upload contains no file part.");
    return result;
}
