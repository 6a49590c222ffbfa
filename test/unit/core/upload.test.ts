import * as http from "node:http";
import { createHash } from "node:crypto";
import { readdirSync, readlinkSync } from "node:fs";
import { mkdtemp, open as openFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { VendorApiError } from "../../../provider/core/errors";
import { HttpSession } from "../../../provider/core/http";
import { sha256File, uploadFile, type UploadProgress } from "../../../provider/core/upload";

let dir: string;
beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "upload-test-"));
});
afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
});

/** A server that hashes whatever body it receives, without buffering it. */
async function hashingServer() {
    const seen: { contentLength?: string; contentType?: string; sha256: string; bytes: number }[] = [];
    const server = http.createServer((req, res) => {
        const hash = createHash("sha256");
        let bytes = 0;
        req.on("data", (c: Buffer) => {
            hash.update(c);
            bytes += c.length;
        });
        req.on("end", () => {
            seen.push({
                contentLength: req.headers["content-length"],
                contentType: req.headers["content-type"],
                sha256: hash.digest("hex"),
                bytes,
            });
            res.writeHead(201, { "content-type": "application/json" });
            res.end(JSON.stringify({ id: 7 }));
        });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    return { server, seen, url: `http://127.0.0.1:${(server.address() as { port: number }).port}` };
}

test("raw upload: body streamed with Content-Length, SHA-256 computed in the same pass, progress reported", async () => {
    const file = join(dir, "small.img");
    const content = Buffer.alloc(3 * 1024 * 1024 + 17, 7);
    await writeFile(file, content);
    const srv = await hashingServer();
    const session = new HttpSession({ vendor: "acme", baseUrl: srv.url });
    const progress: UploadProgress[] = [];
    const r = await uploadFile<{ id: number }>(session, {
        path: "/upload",
        filePath: file,
        onProgress: (p) => progress.push(p),
        progressIntervalMs: 0,
    });
    const expected = createHash("sha256").update(content).digest("hex");
    expect(r.sha256).toBe(expected);
    expect(r.bytes).toBe(content.length);
    expect(r.response.body).toEqual({ id: 7 });
    expect(srv.seen[0]).toEqual({
        contentLength: String(content.length),
        contentType: "application/octet-stream",
        sha256: expected,
        bytes: content.length,
    });
    expect(progress.at(-1)?.percent).toBe(100);
    expect(progress.length).toBeGreaterThan(2);
    expect(await sha256File(file)).toBe(expected);
    session.close();
    srv.server.close();
});

test("multipart upload: Content-Length covers the framing exactly; the hash covers the file only", async () => {
    const file = join(dir, "mp.bin");
    const content = Buffer.from("hello image");
    await writeFile(file, content);
    const srv = await hashingServer();
    const session = new HttpSession({ vendor: "acme", baseUrl: srv.url });
    const r = await uploadFile(session, { path: "/upload", filePath: file, multipart: { fieldName: "file", fields: { kind: "image" } } });
    expect(r.sha256).toBe(createHash("sha256").update(content).digest("hex"));
    expect(Number(srv.seen[0].contentLength)).toBe(srv.seen[0].bytes);
    expect(srv.seen[0].contentType).toMatch(/^multipart\/form-data; boundary=/);
    session.close();
    srv.server.close();
});

test("a request that fails mid-body ends the body and closes the file", async () => {
    const size = 256 * 1024 * 1024;
    const file = join(dir, "stalled.img");
    const fh = await openFile(file, "w");
    await fh.truncate(size);
    await fh.close();
    // Reads nothing, so the body backs up; then drops the connection.
    const server = http.createServer((req) => {
        req.pause();
        setTimeout(() => req.socket.destroy(), 500);
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const session = new HttpSession({ vendor: "acme", baseUrl: `http://127.0.0.1:${(server.address() as { port: number }).port}` });
    const openOnFile = () =>
        readdirSync("/proc/self/fd").filter((fd) => {
            try {
                return readlinkSync(`/proc/self/fd/${fd}`) === file;
            } catch {
                return false;
            }
        }).length;
    try {
        const err = await uploadFile(session, { path: "/upload", filePath: file }).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(VendorApiError);
        for (let i = 0; i < 200 && openOnFile() > 0; i++) {
            await new Promise((r) => setTimeout(r, 10));
        }
        expect(openOnFile()).toBe(0);
    } finally {
        session.close();
        server.closeAllConnections();
        server.close();
    }
});
