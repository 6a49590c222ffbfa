/**
 * The simulator's update-image format, and helpers to make images of any size.
 *
 * Real AppResponse images are signed vendor archives the simulator cannot check. Instead it accepts
 * a simple, documented format so tests can produce valid and invalid images of any size:
 *
 * ```text
 * RVBD-SIM-IMAGE/1\n                                              magic line
 * {"product":"AppResponse","version":"11.7.0 #24010","payload_bytes":N}   JSON line, padded with
 *                                                                  spaces so the header is 256 bytes
 * \n
 * <N bytes of payload>                                            anything
 * ```
 *
 * An image is VALID when: the magic line matches; the JSON line parses (within the first 4 KiB);
 * `product` equals the device's product; `version` looks like `11.7.0` or `11.7.0 #24010`; and the
 * payload after the header is exactly `payload_bytes` long (so truncated or padded files fail, like a
 * failed signature check would). The device then reports `version` from the header and the SHA-256
 * of the whole file as `checksum`.
 */
import { createHash } from "node:crypto";
import { createWriteStream } from "node:fs";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { RIVERBED_PRODUCT } from "./constants";

/** First line of every simulator image. */
export const RIVERBED_IMAGE_MAGIC = "RVBD-SIM-IMAGE/1";
/** Size of the header written by {@link riverbedImageStream}. */
export const RIVERBED_IMAGE_HEADER_BYTES = 256;
/** The device looks for the header only in this many leading bytes. */
export const RIVERBED_IMAGE_HEADER_SEARCH_BYTES = 4096;

const VERSION_PATTERN = /^\d+\.\d+\.\d+( #\d+)?$/;
const PAYLOAD_CHUNK_BYTES = 64 * 1024;

/** Fields of the JSON header line. */
export interface RiverbedImageHeader {
    readonly product: string;
    readonly version: string;
    /** Length of the payload that follows the header. */
    readonly payload_bytes: number;
}

/** What to put in a generated image. */
export interface RiverbedImageSpec {
    /** Version the image installs, e.g. `11.7.0 #24010`. */
    readonly version: string;
    /** Product in the header (default `AppResponse`; anything else makes the device reject it). */
    readonly product?: string;
    /** Total file size in bytes, header included (default 256 KiB; at least 256). */
    readonly sizeBytes?: number;
    /**
     * `false` writes a corrupt image: the header declares one byte more payload than the file has,
     * so the device marks it INVALID. Default `true`.
     */
    readonly valid?: boolean;
}

/** Result of {@link makeRiverbedImage}. */
export interface RiverbedImageFile {
    readonly path: string;
    readonly sizeBytes: number;
    /** Lowercase hex SHA-256 of the file: what the device reports as `checksum`. */
    readonly sha256: string;
    readonly version: string;
    readonly product: string;
}

/** Encode the 256-byte header for a payload of `payloadBytes` bytes. */
export function encodeRiverbedImageHeader(header: RiverbedImageHeader): Buffer {
    const json = JSON.stringify({ product: header.product, version: header.version, payload_bytes: header.payload_bytes });
    const head = `${RIVERBED_IMAGE_MAGIC}\n${json}`;
    const padding = RIVERBED_IMAGE_HEADER_BYTES - Buffer.byteLength(head) - 1;
    if (padding < 0) throw new Error(`Image header for version [${header.version}] does not fit in ${RIVERBED_IMAGE_HEADER_BYTES} bytes.`);
    return Buffer.from(`${head}${" ".repeat(padding)}\n`);
}

/** Parsed header and where the payload starts, or why the bytes are not an image. */
export type ParsedRiverbedImageHeader =
    | { readonly ok: true; readonly header: RiverbedImageHeader; readonly headerBytes: number }
    | { readonly ok: false; readonly reason: string };

/** Parse the header from the leading bytes of an upload. */
export function parseRiverbedImageHeader(prefix: Buffer): ParsedRiverbedImageHeader {
    const window = prefix.subarray(0, RIVERBED_IMAGE_HEADER_SEARCH_BYTES);
    const firstNewline = window.indexOf(0x0a);
    if (firstNewline < 0 || window.subarray(0, firstNewline).toString("latin1") !== RIVERBED_IMAGE_MAGIC) {
        return { ok: false, reason: "not an update image (unknown file format)" };
    }
    const secondNewline = window.indexOf(0x0a, firstNewline + 1);
    if (secondNewline < 0) return { ok: false, reason: "image header is incomplete" };
    let fields: unknown;
    try {
        fields = JSON.parse(window.subarray(firstNewline + 1, secondNewline).toString("utf8"));
    } catch {
        return { ok: false, reason: "image header is corrupt" };
    }
    const { product, version, payload_bytes: payloadBytes } = (fields ?? {}) as Record<string, unknown>;
    if (
        typeof product !== "string" ||
        typeof version !== "string" ||
        typeof payloadBytes !== "number" ||
        !Number.isInteger(payloadBytes) ||
        payloadBytes < 0
    ) {
        return { ok: false, reason: "image header lacks product, version or payload_bytes" };
    }
    return { ok: true, header: { product, version, payload_bytes: payloadBytes }, headerBytes: secondNewline + 1 };
}

/** Verdict on a fully received image. */
export type RiverbedImageVerdict = { readonly valid: true; readonly version: string } | { readonly valid: false; readonly reason: string };

/**
 * Decide whether a received image is valid (see the module comment for the rules).
 * @param prefix the leading bytes of the image (at least the header).
 * @param totalBytes the image's total size.
 * @param expectedProduct the device's product name.
 */
export function judgeRiverbedImage(prefix: Buffer, totalBytes: number, expectedProduct: string): RiverbedImageVerdict {
    const parsed = parseRiverbedImageHeader(prefix);
    if (!parsed.ok) return { valid: false, reason: parsed.reason };
    const { header, headerBytes } = parsed;
    if (header.product !== expectedProduct) {
        return { valid: false, reason: `image is for product ${header.product}, this appliance is ${expectedProduct}` };
    }
    if (!VERSION_PATTERN.test(header.version)) return { valid: false, reason: `image version "${header.version}" is malformed` };
    const payloadBytes = totalBytes - headerBytes;
    if (payloadBytes !== header.payload_bytes) {
        return { valid: false, reason: `image is corrupt: payload is ${payloadBytes} bytes, header says ${header.payload_bytes}` };
    }
    return { valid: true, version: header.version };
}

/**
 * A stream producing a generated image on the fly (no disk, constant memory), plus its total size.
 * Useful for uploading multi-GiB images in tests without creating files.
 */
export function riverbedImageStream(spec: RiverbedImageSpec): { readonly stream: Readable; readonly sizeBytes: number } {
    const sizeBytes = spec.sizeBytes ?? 256 * 1024;
    if (!Number.isSafeInteger(sizeBytes) || sizeBytes < RIVERBED_IMAGE_HEADER_BYTES) {
        throw new Error(`Image [sizeBytes] must be an integer of at least ${RIVERBED_IMAGE_HEADER_BYTES}, got ${sizeBytes}.`);
    }
    if (!VERSION_PATTERN.test(spec.version)) throw new Error(`Image [version] must look like "11.7.0 #24010", got "${spec.version}".`);
    const payloadBytes = sizeBytes - RIVERBED_IMAGE_HEADER_BYTES;
    const header = encodeRiverbedImageHeader({
        product: spec.product ?? RIVERBED_PRODUCT,
        version: spec.version,
        payload_bytes: spec.valid === false ? payloadBytes + 1 : payloadBytes,
    });
    const pattern = payloadPattern(spec.version);
    function* chunks(): Generator<Buffer> {
        yield header;
        let remaining = payloadBytes;
        while (remaining > 0) {
            const length = Math.min(remaining, pattern.length);
            // The same pattern buffer is yielded repeatedly; it is never modified, so that is safe.
            yield length === pattern.length ? pattern : pattern.subarray(0, length);
            remaining -= length;
        }
    }
    return { stream: Readable.from(chunks(), { objectMode: false, highWaterMark: PAYLOAD_CHUNK_BYTES }), sizeBytes };
}

/**
 * Write a generated image to disk, streaming (constant memory whatever `sizeBytes` is).
 * Without `path` the file goes to a new temporary directory; delete it when done.
 */
export async function makeRiverbedImage(spec: RiverbedImageSpec & { readonly path?: string }): Promise<RiverbedImageFile> {
    const { stream, sizeBytes } = riverbedImageStream(spec);
    const path =
        spec.path ??
        join(await mkdtemp(join(tmpdir(), "riverbed-image-")), `appresponse-${spec.version.replace(/[^0-9A-Za-z.]+/g, "_")}.img`);
    const hash = createHash("sha256");
    const hashing = new Transform({
        transform(chunk: Buffer, _encoding, callback) {
            hash.update(chunk);
            callback(null, chunk);
        },
    });
    await pipeline(stream, hashing, createWriteStream(path));
    return { path, sizeBytes, sha256: hash.digest("hex"), version: spec.version, product: spec.product ?? RIVERBED_PRODUCT };
}

/** A deterministic 64 KiB payload block derived from the version, so different images differ. */
function payloadPattern(version: string): Buffer {
    const block = Buffer.alloc(PAYLOAD_CHUNK_BYTES);
    let seed = createHash("sha256").update(`riverbed-sim-payload:${version}`).digest();
    for (let offset = 0; offset < block.length; offset += seed.length) {
        seed.copy(block, offset);
        seed = createHash("sha256").update(seed).digest();
    }
    return block;
}
