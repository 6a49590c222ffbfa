/**
 * Consuming large request bodies without buffering them.
 *
 * An appliance image can be several GiB. The simulator reads it chunk by chunk, hashes it with
 * SHA-256 as it goes, keeps at most a small prefix (where vendors put a header), and lets the
 * caller observe progress. Async iteration over the source applies TCP backpressure, so memory stays
 * near one socket buffer no matter how large the upload is.
 */
import { createHash } from "node:crypto";

/** Options for {@link consumeStream}. */
export interface ConsumeStreamOptions {
    /** Keep this many leading bytes (default 0). */
    readonly prefixBytes?: number;
    /**
     * Called after each chunk with the running byte total. Return `false` to stop reading early;
     * {@link consumeStream} then resolves with `stoppedEarly: true` (the caller decides what to do
     * with the source, typically destroy it).
     */
    readonly onProgress?: (bytesSoFar: number) => boolean | void;
}

/** What {@link consumeStream} learned about the body. */
export interface ConsumedStream {
    /** Bytes read. */
    readonly bytes: number;
    /** Lowercase hex SHA-256 of the bytes read. */
    readonly sha256: string;
    /** The first `prefixBytes` bytes (fewer if the body was shorter). */
    readonly prefix: Buffer;
    /** True when `onProgress` asked to stop before the end of the source. */
    readonly stoppedEarly: boolean;
}

/**
 * Read `source` to the end (or until `onProgress` returns `false`), hashing it as it streams.
 * Rejects with the source's error if the source fails (for example a client that disconnects).
 */
export async function consumeStream(source: AsyncIterable<Buffer | string>, options: ConsumeStreamOptions = {}): Promise<ConsumedStream> {
    const prefixLimit = options.prefixBytes ?? 0;
    const hash = createHash("sha256");
    const prefixParts: Buffer[] = [];
    let prefixLength = 0;
    let bytes = 0;
    for await (const rawChunk of source) {
        const chunk = typeof rawChunk === "string" ? Buffer.from(rawChunk) : rawChunk;
        hash.update(chunk);
        bytes += chunk.length;
        if (prefixLength < prefixLimit) {
            // Copy: the source may reuse its chunk buffers.
            const part = Buffer.from(chunk.subarray(0, prefixLimit - prefixLength));
            prefixParts.push(part);
            prefixLength += part.length;
        }
        if (options.onProgress?.(bytes) === false) {
            return { bytes, sha256: hash.digest("hex"), prefix: Buffer.concat(prefixParts), stoppedEarly: true };
        }
    }
    return { bytes, sha256: hash.digest("hex"), prefix: Buffer.concat(prefixParts), stoppedEarly: false };
}
