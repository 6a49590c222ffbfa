import * as http from "node:http";
import { createHash, randomBytes } from "node:crypto";
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

/** A server that keeps each (small) body whole, to parse it afterwards. */
async function recordingServer() {
    const bodies: { contentType: string; contentLength: number; body: Buffer }[] = [];
    const server = http.createServer(async (req, res) => {
        const chunks: Buffer[] = [];
        for await (const c of req) chunks.push(c as Buffer);
        bodies.push({
            contentType: String(req.headers["content-type"]),
            contentLength: Number(req.headers["content-length"]),
            body: Buffer.concat(chunks),
        });
        res.writeHead(200).end();
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    return { server, bodies, url: `http://127.0.0.1:${(server.address() as { port: number }).port}` };
}

test("raw upload of random bytes through a small recycled pool: the device gets the file, the hash is the file's", async () => {
    // 40 chunks of 64 KiB plus a partial one: each of the four pool buffers is refilled ten times,
    // so refilling a buffer before the socket has written it would change the bytes the device gets.
    const content = randomBytes(40 * 65_536 + 1_234);
    const file = join(dir, "random.bin");
    await writeFile(file, content);
    const srv = await recordingServer();
    const session = new HttpSession({ vendor: "acme", baseUrl: srv.url });
    try {
        const r = await uploadFile(session, { path: "/upload", filePath: file, chunkBytes: 65_536 });
        expect(r.sha256).toBe(createHash("sha256").update(content).digest("hex"));
        expect(srv.bodies[0].body.equals(content)).toBe(true);
    } finally {
        session.close();
        srv.server.close();
    }
});

test("multipart upload is byte-exact: a standard form-data parser reads back the fields, the file name and every file byte", async () => {
    const content = randomBytes(3 * 65_536 + 77);
    const file = join(dir, "part.pkg");
    await writeFile(file, content);
    const srv = await recordingServer();
    const session = new HttpSession({ vendor: "acme", baseUrl: srv.url });
    try {
        const r = await uploadFile(session, {
            path: "/upload",
            filePath: file,
            chunkBytes: 65_536,
            multipart: { fieldName: "filename", fileName: 'controller "v2".pkg', fields: { kind: "image", note: "two words" } },
        });
        const { contentType, contentLength, body } = srv.bodies[0];
        expect(contentLength).toBe(body.length);
        // undici's multipart parser (the one behind fetch's Response.formData), independent of ours.
        const form = await new Response(body, { headers: { "content-type": contentType } }).formData();
        expect([...form.keys()]).toEqual(["kind", "note", "filename"]);
        expect(form.get("kind")).toBe("image");
        expect(form.get("note")).toBe("two words");
        const part = form.get("filename") as File;
        expect(part.name).toBe('controller "v2".pkg');
        expect(part.type).toBe("application/octet-stream");
        expect(Buffer.from(await part.arrayBuffer()).equals(content)).toBe(true);
        expect(r.sha256).toBe(createHash("sha256").update(content).digest("hex"));
    } finally {
        session.close();
        srv.server.close();
    }
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
