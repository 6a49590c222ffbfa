/**
 * The simulators' streaming multipart readers (core `readMultipart`, used by Avi; Unity's
 * `receiveMultipartFile`) against every way a body can be cut into chunks: the file and fields must
 * come out byte-exact whether a delimiter arrives whole, split across two chunks at any point, or in
 * one-byte pieces, and file bytes that look like the start of a delimiter must stay file bytes.
 */
import { createHash, randomBytes } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { multipartFraming } from "../../../provider/core/multipart";
import { delimiterAcrossSeam, readMultipart } from "../../../simulators/core/multipart";
import { receiveMultipartFile } from "../../../simulators/unity/multipart-upload";

const framing = multipartFraming({ fieldName: "file", fileName: "controller.pkg", fields: { kind: "system" } });
const delimiter = Buffer.from(`\r\n--${framing.boundary}`);

// Random bytes with near-delimiters planted: the boundary's start without the rest, at the start,
// in the middle and at the very end of the file (right before the real closing delimiter).
const nearMiss = delimiter.subarray(0, delimiter.length - 1);
const file = Buffer.concat([nearMiss, randomBytes(3000), nearMiss, Buffer.from("\r\n--"), randomBytes(2000), nearMiss]);
const body = Buffer.concat([framing.head, file, framing.tail]);
const fileSha = createHash("sha256").update(file).digest("hex");

function* chunked(bytes: Buffer, sizes: number[]): Generator<Buffer> {
    let offset = 0;
    for (let i = 0; offset < bytes.length; i++) {
        const size = sizes[i % sizes.length]!;
        yield bytes.subarray(offset, offset + size);
        offset += size;
    }
}

// Whole body; fixed sizes around the delimiter's length; and cuts that put a seam at every offset
// of the closing delimiter (the file ends at head + file.length).
const closingAt = framing.head.length + file.length;
const cuts: Array<[string, number[]]> = [
    ["whole", [body.length]],
    ["1-byte", [1]],
    ["3-byte", [3]],
    ["delimiter-1", [delimiter.length - 1]],
    ["delimiter", [delimiter.length]],
    ["delimiter+1", [delimiter.length + 1]],
    ["4 KiB", [4096]],
    ...Array.from({ length: delimiter.length + 1 }, (_, k): [string, number[]] => [
        `seam ${k} bytes into the closing delimiter`,
        [closingAt + k, body.length],
    ]),
];

describe.each(cuts)("multipart body cut %s", (_label, sizes) => {
    test("core readMultipart (Avi) gets the fields and the file byte-exact", async () => {
        const content = await readMultipart(chunked(body, sizes), framing.boundary, { prefixBytes: 16 });
        expect(content.complete).toBe(true);
        expect(content.fields).toEqual({ kind: "system" });
        expect(content.file).toMatchObject({ fieldName: "file", fileName: "controller.pkg", bytes: file.length, sha256: fileSha });
        expect(content.file!.prefix.equals(file.subarray(0, 16))).toBe(true);
    });

    test("Unity's receiveMultipartFile gets the file byte-exact", async () => {
        const req = Object.assign(chunked(body, sizes), { headers: { "content-type": framing.contentType } }) as unknown as IncomingMessage;
        const part = await receiveMultipartFile(req, { prefixBytes: 16 });
        expect(part).toMatchObject({ fieldName: "file", fileName: "controller.pkg", bytes: file.length, sha256: fileSha });
        expect(part.prefix.equals(file.subarray(0, 16))).toBe(true);
    });
});

test("delimiterAcrossSeam: only a delimiter that starts in the kept bytes counts", () => {
    const d = Buffer.from("\r\n--xyz");
    expect(delimiterAcrossSeam(d, Buffer.from("ab\r\n-"), Buffer.from("-xyz and more"))).toBe(true);
    expect(delimiterAcrossSeam(d, Buffer.from("ab\r\n"), Buffer.from("--xyz"))).toBe(true);
    expect(delimiterAcrossSeam(d, Buffer.from("ab\r\n-"), Buffer.from("-xy and more"))).toBe(false);
    // Wholly inside the next chunk: the kept bytes are data, the chunk's own search finds it.
    expect(delimiterAcrossSeam(d, Buffer.from("abc"), Buffer.from("\r\n--xyz"))).toBe(false);
    expect(delimiterAcrossSeam(d, Buffer.alloc(0), Buffer.from("\r\n--xyz"))).toBe(false);
});
