/**
 * Upgrade images of the simulated appliances.
 *
 * Real images are signed `appgate-<release>-<build>-release.img.zip` archives; sdpctl takes the
 * version from `metadata.json` inside or from the file name. The simulator accepts its own format
 * instead, so tests can produce good and bad images of any size:
 *
 * ```text
 * APPGATE-SIM-IMAGE/1\n
 * {"product":"appgate-sdp","version":"6.3.7+39574","payload_bytes":N}<spaces to 255 bytes>\n
 * <N payload bytes>
 * ```
 *
 * An image verifies when its file name follows the vendor pattern (test variants may add tags:
 * `appgate-6.4.1-40123-release-corrupt.img.zip`), the header's version equals the one in the file
 * name, and `payload_bytes` equals the real payload length (a mismatch stands in for a failed
 * signature check). Images whose name contains `corrupt` are served with a wrong length, so they
 * download fine and fail verification.
 */
import { Readable } from "node:stream";
import { formatApplianceVersion, parseApplianceVersion, type ApplianceVersion } from "./versions";

/** First line of every simulated image. */
export const APPGATE_IMAGE_MAGIC = "APPGATE-SIM-IMAGE/1";
/** Size of the JSON header line including its newline. */
export const APPGATE_IMAGE_HEADER_BYTES = 256;
/** Bytes the appliance keeps from the start of a download to find the header. */
export const APPGATE_IMAGE_PREFIX_BYTES = APPGATE_IMAGE_MAGIC.length + 1 + APPGATE_IMAGE_HEADER_BYTES;
/** Product name in image headers. */
export const APPGATE_PRODUCT = "appgate-sdp";
/** Default payload size of served images. */
export const DEFAULT_APPGATE_IMAGE_PAYLOAD_BYTES = 64 * 1024;

const FILE_NAME_PATTERN = /^appgate-(\d+\.\d+\.\d+)-(\d+)-release(?:-[A-Za-z0-9]+)*\.img\.zip$/;

/** The version an image file name announces, or `undefined` when the name does not follow the pattern. */
export function versionFromImageFileName(fileName: string): ApplianceVersion | undefined {
    const match = FILE_NAME_PATTERN.exec(fileName);
    if (match === null) return undefined;
    return parseApplianceVersion(`${match[1]}+${match[2]}`);
}

/**
 * The vendor file name for a version: `6.3.7+39574` → `appgate-6.3.7-39574-release.img.zip`.
 * @throws Error when the version has no build number (the file name needs one).
 */
export function appgateImageFileName(version: string): string {
    const parsed = parseApplianceVersion(version);
    if (parsed.build === undefined)
        throw new Error(`An image file name needs a build number, e.g. 6.3.7+39574; got ${JSON.stringify(version)}.`);
    return `appgate-${parsed.major}.${parsed.minor}.${parsed.patch}-${parsed.build}-release.img.zip`;
}

/**
 * The bytes served for `fileName` as a stream. Names that do not follow the vendor pattern get a
 * header with version `0.0.0`; names containing `corrupt` get a header whose length is off by one.
 */
export function appgateImageStream(
    fileName: string,
    payloadBytes = DEFAULT_APPGATE_IMAGE_PAYLOAD_BYTES,
): { stream: Readable; sizeBytes: number } {
    const version = versionFromImageFileName(fileName);
    const header = encodeHeader({
        product: APPGATE_PRODUCT,
        version: version === undefined ? "0.0.0" : formatApplianceVersion(version),
        payload_bytes: fileName.includes("corrupt") ? payloadBytes + 1 : payloadBytes,
    });
    const chunk = Buffer.alloc(Math.min(64 * 1024, Math.max(1, payloadBytes)), 0x5a);
    function* generate(): Generator<Buffer> {
        yield header;
        for (let sent = 0; sent < payloadBytes; sent += chunk.length) {
            yield sent + chunk.length <= payloadBytes ? chunk : chunk.subarray(0, payloadBytes - sent);
        }
    }
    return { stream: Readable.from(generate(), { objectMode: false }), sizeBytes: header.length + payloadBytes };
}

/** Outcome of verifying a downloaded image. */
export type AppgateImageVerdict =
    { readonly ok: true; readonly version: ApplianceVersion } | { readonly ok: false; readonly reason: string };

/**
 * Verify a downloaded image from its file name, its first bytes and its total length.
 */
export function verifyAppgateImage(fileName: string, prefix: Buffer, totalBytes: number): AppgateImageVerdict {
    const fromName = versionFromImageFileName(fileName);
    if (fromName === undefined) {
        return { ok: false, reason: `${fileName} is not an Appgate upgrade image (expected appgate-<version>-<build>-release.img.zip)` };
    }
    const text = prefix.toString("utf8");
    const newline = text.indexOf("\n");
    if (newline < 0 || text.slice(0, newline) !== APPGATE_IMAGE_MAGIC) {
        return { ok: false, reason: `${fileName}: not a valid upgrade image archive` };
    }
    let header: { product?: unknown; version?: unknown; payload_bytes?: unknown };
    try {
        header = JSON.parse(text.slice(newline + 1, newline + 1 + APPGATE_IMAGE_HEADER_BYTES).trim()) as typeof header;
    } catch {
        return { ok: false, reason: `${fileName}: image metadata is unreadable` };
    }
    if (header.product !== APPGATE_PRODUCT)
        return { ok: false, reason: `${fileName}: image is for product ${String(header.product)}, not ${APPGATE_PRODUCT}` };
    const payload = totalBytes - (APPGATE_IMAGE_MAGIC.length + 1 + APPGATE_IMAGE_HEADER_BYTES);
    if (header.payload_bytes !== payload) {
        return { ok: false, reason: `${fileName}: image signature verification failed (checksum mismatch)` };
    }
    if (typeof header.version !== "string" || header.version !== formatApplianceVersion(fromName)) {
        return { ok: false, reason: `${fileName}: image metadata version ${String(header.version)} does not match the file name` };
    }
    return { ok: true, version: fromName };
}

function encodeHeader(header: { product: string; version: string; payload_bytes: number }): Buffer {
    const json = JSON.stringify(header);
    if (json.length > APPGATE_IMAGE_HEADER_BYTES - 1) throw new Error("Image header too long.");
    return Buffer.from(`${APPGATE_IMAGE_MAGIC}\n${json.padEnd(APPGATE_IMAGE_HEADER_BYTES - 1, " ")}\n`);
}
