/**
 * Streaming `multipart/form-data` reader for simulated upload endpoints.
 *
 * The body is read chunk by chunk: plain fields are collected (small, bounded), the file part is
 * hashed (SHA-256), counted and handed to a progress callback as it arrives, and only a short prefix
 * of it is kept (where vendors put a package header). Memory stays near one socket buffer plus the
 * delimiter length, whatever the file size, and TCP backpressure applies through async iteration.
 */
import { createHash } from "node:crypto";
import { SimulatorHttpError } from "./http-error";

/** Options for {@link readMultipart}. */
export interface ReadMultipartOptions {
    /** Keep this many leading bytes of the file part (default 0). */
    readonly prefixBytes?: number;
    /** Called after each file chunk with the running byte total; return `false` to stop reading. */
    readonly onFileProgress?: (bytesSoFar: number) => boolean | void;
    /** Largest plain field, in bytes (default 64 KiB). */
    readonly maxFieldBytes?: number;
}

/** The file part of a multipart body. */
export interface MultipartFile {
    readonly fieldName: string;
    readonly fileName: string | undefined;
    readonly contentType: string | undefined;
    readonly bytes: number;
    readonly sha256: string;
    readonly prefix: Buffer;
}

/** What {@link readMultipart} read. */
export interface MultipartContent {
    readonly fields: Readonly<Record<string, string>>;
    /** The first part with a `filename` (undefined when the body had none). */
    readonly file: MultipartFile | undefined;
    /** The body ended with the closing delimiter (false: truncated, or stopped by `onFileProgress`). */
    readonly complete: boolean;
    readonly stoppedEarly: boolean;
}

const MAX_HEADER_BYTES = 8 * 1024;

/** The boundary of a `multipart/form-data` content type. @throws SimulatorHttpError 400/415. */
export function multipartBoundary(contentType: string | undefined): string {
    const type = (contentType ?? "").split(";", 1)[0]!.trim().toLowerCase();
    if (type !== "multipart/form-data") {
        throw new SimulatorHttpError(
            415,
            "UNSUPPORTED_MEDIA_TYPE",
            `Upload content type must be multipart/form-data, got ${type || "none"}.`,
        );
    }
    const match = /;\s*boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType ?? "");
    const boundary = match?.[1] ?? match?.[2];
    if (!boundary || boundary.length > 70)
        throw new SimulatorHttpError(400, "INVALID_MULTIPART", "multipart/form-data needs a boundary of 1–70 characters.");
    return boundary;
}

/** Read a multipart body from `source`. @throws SimulatorHttpError 400 on malformed framing. */
export async function readMultipart(
    source: AsyncIterable<Buffer | string>,
    boundary: string,
    options: ReadMultipartOptions = {},
): Promise<MultipartContent> {
    const delimiter = Buffer.from(`\r\n--${boundary}`);
    const maxField = options.maxFieldBytes ?? 64 * 1024;
    const prefixLimit = options.prefixBytes ?? 0;
    const fields: Record<string, string> = {};
    let file: MultipartFile | undefined;

    type Part = { name: string; fileName?: string; contentType?: string; isFile: boolean; chunks: Buffer[]; size: number };
    type State = "preamble" | "after-delimiter" | "headers" | "body" | "epilogue";
    let state = "preamble" as State;
    let part: Part | undefined;
    let hash = createHash("sha256");
    let prefixParts: Buffer[] = [];
    let prefixLength = 0;
    let fileBytes = 0;
    let stoppedEarly = false;
    // The body starts with `--boundary`, not `\r\n--boundary`: a virtual CRLF makes every delimiter alike.
    let pending: Buffer = Buffer.from("\r\n");

    const emit = (data: Buffer): boolean => {
        if (part === undefined || data.length === 0) return true;
        if (!part.isFile) {
            part.size += data.length;
            if (part.size > maxField)
                throw new SimulatorHttpError(413, "FIELD_TOO_LARGE", `Multipart field [${part.name}] exceeds ${maxField} bytes.`);
            part.chunks.push(Buffer.from(data));
            return true;
        }
        hash.update(data);
        fileBytes += data.length;
        if (prefixLength < prefixLimit) {
            const piece = Buffer.from(data.subarray(0, prefixLimit - prefixLength));
            prefixParts.push(piece);
            prefixLength += piece.length;
        }
        return options.onFileProgress?.(fileBytes) !== false;
    };
    const finishPart = () => {
        if (part === undefined) return;
        if (part.isFile && file === undefined) {
            file = {
                fieldName: part.name,
                fileName: part.fileName,
                contentType: part.contentType,
                bytes: fileBytes,
                sha256: hash.digest("hex"),
                prefix: Buffer.concat(prefixParts),
            };
        } else if (!part.isFile) {
            fields[part.name] = Buffer.concat(part.chunks).toString("utf8");
        }
        part = undefined;
    };

    const step = (): boolean => {
        // Returns true when it made progress and may be called again on the same buffer.
        switch (state) {
            case "preamble":
            case "body": {
                const at = pending.indexOf(delimiter);
                if (at < 0) {
                    const keep = Math.min(pending.length, delimiter.length - 1);
                    if (state === "body" && !emit(pending.subarray(0, pending.length - keep))) {
                        stoppedEarly = true;
                        return false;
                    }
                    pending = pending.subarray(pending.length - keep);
                    return false;
                }
                if (state === "body") {
                    if (!emit(pending.subarray(0, at))) {
                        stoppedEarly = true;
                        return false;
                    }
                    finishPart();
                }
                pending = pending.subarray(at + delimiter.length);
                state = "after-delimiter";
                return true;
            }
            case "after-delimiter": {
                if (pending.length < 2) return false;
                const mark = pending.subarray(0, 2).toString("latin1");
                if (mark === "--") {
                    state = "epilogue";
                    return false;
                }
                // Transport padding (spaces/tabs) may precede the CRLF.
                const eol = pending.indexOf("\r\n");
                if (eol < 0) return false;
                if (pending.subarray(0, eol).toString("latin1").trim() !== "")
                    throw new SimulatorHttpError(400, "INVALID_MULTIPART", "Malformed multipart delimiter line.");
                pending = pending.subarray(eol + 2);
                state = "headers";
                return true;
            }
            case "headers": {
                const end = pending.indexOf("\r\n\r\n");
                if (end < 0) {
                    if (pending.length > MAX_HEADER_BYTES)
                        throw new SimulatorHttpError(400, "INVALID_MULTIPART", "Multipart part headers are too long.");
                    return false;
                }
                part = parsePartHeaders(pending.subarray(0, end).toString("utf8"));
                if (part.isFile && file === undefined) {
                    hash = createHash("sha256");
                    prefixParts = [];
                    prefixLength = 0;
                    fileBytes = 0;
                } else if (part.isFile) {
                    part.isFile = false; // a second file is ignored like a field, but bounded
                    part.chunks = [];
                }
                pending = pending.subarray(end + 4);
                state = "body";
                return true;
            }
            case "epilogue":
                pending = Buffer.alloc(0);
                return false;
        }
    };

    for await (const raw of source) {
        const chunk = typeof raw === "string" ? Buffer.from(raw) : raw;
        if (
            state === "body" &&
            pending.length < delimiter.length &&
            chunk.length >= delimiter.length &&
            !delimiterAcrossSeam(delimiter, pending, chunk)
        ) {
            // The bytes kept from the last chunk are file data: hash them and parse the new chunk
            // where it lies, rather than copying every chunk of a large file into a new buffer.
            if (!emit(pending)) {
                stoppedEarly = true;
                break;
            }
            pending = chunk;
        } else {
            pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
        }
        while (step()) {
            /* keep consuming this buffer */
        }
        if (stoppedEarly) break;
    }
    return { fields, file, complete: state === "epilogue", stoppedEarly };
}

/**
 * Whether a delimiter starts within `kept` (fewer bytes than a delimiter) and runs on into `next`:
 * only the seam is copied to look, at most twice the delimiter's length.
 */
export function delimiterAcrossSeam(delimiter: Buffer, kept: Buffer, next: Buffer): boolean {
    if (kept.length === 0) return false;
    const seam = Buffer.concat([kept, next.subarray(0, delimiter.length - 1)]);
    const at = seam.indexOf(delimiter);
    return at >= 0 && at < kept.length;
}

function parsePartHeaders(text: string): {
    name: string;
    fileName?: string;
    contentType?: string;
    isFile: boolean;
    chunks: Buffer[];
    size: number;
} {
    let name: string | undefined;
    let fileName: string | undefined;
    let contentType: string | undefined;
    for (const line of text.split("\r\n")) {
        const colon = line.indexOf(":");
        if (colon < 0) continue;
        const key = line.slice(0, colon).trim().toLowerCase();
        const value = line.slice(colon + 1).trim();
        if (key === "content-type") contentType = value;
        if (key !== "content-disposition") continue;
        name = /;\s*name="([^"]*)"/i.exec(value)?.[1] ?? /;\s*name=([^;\s]+)/i.exec(value)?.[1];
        fileName = /;\s*filename="([^"]*)"/i.exec(value)?.[1] ?? /;\s*filename=([^;\s]+)/i.exec(value)?.[1];
    }
    if (name === undefined) throw new SimulatorHttpError(400, "INVALID_MULTIPART", "A multipart part has no Content-Disposition name.");
    return { name, fileName, contentType, isFile: fileName !== undefined, chunks: [], size: 0 };
}
