/**
 * `multipart/form-data` framing for streamed file uploads (RFC 7578), shared by every vendor whose
 * upload endpoint is an HTML-form style POST (Dell Unity, Avi). The file itself is never held in
 * memory: the framing is two small buffers sent before and after the file's bytes, so the total
 * `Content-Length` is known up front and the file can be hashed as it streams (see `upload.ts`).
 */

import { randomBytes } from "node:crypto";

/** The file part and the plain form fields of a multipart upload. */
export interface MultipartSpec {
    /** Form field name of the file part (vendors differ: `file`, `filename`, …). */
    fieldName: string;
    /** `filename` of the file part, usually the local file's base name. */
    fileName: string;
    /** Content type of the file part. Default `application/octet-stream`. */
    fileContentType?: string;
    /** Plain fields sent before the file part, in order. */
    fields?: Record<string, string>;
}

/** The bytes around the file, and the request content type. */
export interface MultipartFraming {
    /** `multipart/form-data; boundary=…`. */
    contentType: string;
    boundary: string;
    /** Fields and the file part's headers: sent before the file. */
    head: Buffer<ArrayBuffer>;
    /** The closing boundary: sent after the file. */
    tail: Buffer<ArrayBuffer>;
    /** Body length for a file of `fileBytes` bytes (for `Content-Length`). */
    bodyBytes(fileBytes: number): number;
}

/** Builds the framing of one upload with a random boundary. */
export function multipartFraming(spec: MultipartSpec): MultipartFraming {
    const boundary = `----pulumi-upgrades-${randomBytes(12).toString("hex")}`;
    const fields = Object.entries(spec.fields ?? {})
        .map(([name, value]) => `--${boundary}\r\nContent-Disposition: form-data; name="${quote(name)}"\r\n\r\n${value}\r\n`)
        .join("");
    const head = Buffer.from(
        `${fields}--${boundary}\r\nContent-Disposition: form-data; name="${quote(spec.fieldName)}"; filename="${quote(spec.fileName)}"\r\n` +
            `Content-Type: ${spec.fileContentType ?? "application/octet-stream"}\r\n\r\n`,
    );
    const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
    return {
        contentType: `multipart/form-data; boundary=${boundary}`,
        boundary,
        head,
        tail,
        bodyBytes: (fileBytes) => head.length + fileBytes + tail.length,
    };
}

/**
 * A multipart body around a stream of file chunks: yields the head, each chunk unchanged (no copy),
 * then the tail. Memory stays what the chunk source holds.
 *
 * @example
 * ```ts
 * const framing = multipartFraming({ fieldName: "file", fileName: "image.tgz" });
 * const body = Readable.from(multipartStream(framing, createReadStream(path)));
 * ```
 */
export async function* multipartStream(
    framing: Pick<MultipartFraming, "head" | "tail">,
    fileChunks: AsyncIterable<Buffer>,
): AsyncGenerator<Buffer> {
    yield framing.head;
    for await (const chunk of fileChunks) {
        yield chunk;
    }
    yield framing.tail;
}

/** Escapes a quoted-string parameter value as HTML forms do (`"` → `%22`, CR/LF → `%0D`/`%0A`). */
function quote(value: string): string {
    return value.replace(/"/g, "%22").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
}
