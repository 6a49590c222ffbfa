import { createHash } from "node:crypto";
import { once } from "node:events";
import { readFile, rm } from "node:fs/promises";
import { createServer, request as httpRequest, type Server } from "node:http";
import { dirname } from "node:path";
import {
    makeRiverbedImage,
    parseRiverbedImageHeader,
    riverbedImageStream,
    startRiverbedSimulator,
    type RiverbedSimulator,
} from "../../../simulators/riverbed";
import { eventually, FAST_TIMINGS, http, httpOrErrorCode, imageSettled, login, uploadImage } from "./helpers";

async function streamToBuffer(spec: Parameters<typeof riverbedImageStream>[0]): Promise<Buffer> {
    const chunks: Buffer[] = [];
    for await (const chunk of riverbedImageStream(spec).stream) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
}

/** A loopback origin serving one buffer at /image.img (and 404 elsewhere). */
async function startOrigin(content: Buffer): Promise<{ url: string; server: Server }> {
    const server = createServer((req, res) => {
        if (req.url !== "/image.img") {
            res.writeHead(404).end();
            return;
        }
        res.writeHead(200, { "Content-Length": String(content.length) });
        res.end(content);
    });
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    const address = server.address() as { port: number };
    return { url: `http://127.0.0.1:${address.port}`, server };
}

describe("Riverbed simulator: images", () => {
    let sim: RiverbedSimulator;
    let token: string;
    beforeEach(async () => {
        sim = await startRiverbedSimulator({ timings: FAST_TIMINGS });
        token = (await login(sim)).access_token;
    });
    afterEach(() => sim.stop());

    it("streams an upload, computes its SHA-256 and validates it to VALID", async () => {
        const spec = { version: "11.7.0 #24010", sizeBytes: 3 * 1024 * 1024 + 17 };
        const expectedSha = createHash("sha256")
            .update(await streamToBuffer(spec))
            .digest("hex");
        const reply = await uploadImage(sim, token, spec);
        expect(reply.status).toBe(202);
        expect(reply.body).toMatchObject({ id: 1, state: "VALIDATING", progress: 100, checksum: expectedSha, version: "N/A" });
        const image = await imageSettled(sim, reply.body.id);
        expect(image).toEqual({
            id: 1,
            state: "VALID",
            state_description: expect.stringContaining("11.7.0 #24010"),
            progress: 100,
            version: "11.7.0 #24010",
            checksum: expectedSha,
        });
        const listed = await http(`${sim.systemUpdateUrl}/images`, { token });
        expect(listed.body).toEqual({ items: [image] });
        expect((await http(`${sim.systemUpdateUrl}/images/items/1`, { token })).body).toEqual(image);
    });

    it("marks corrupt, foreign and non-images INVALID", async () => {
        const corrupt = await uploadImage(sim, token, { version: "11.7.0 #24010", valid: false });
        const foreign = await uploadImage(sim, token, { version: "11.7.0 #24010", product: "SteelHead" });
        const random = await http(`${sim.systemUpdateUrl}/images/upload`, { method: "POST", token, body: Buffer.alloc(5000, 7) });
        for (const [reply, reason] of [
            [corrupt, "corrupt"],
            [foreign, "SteelHead"],
            [random, "not an update image"],
        ] as const) {
            const image = await imageSettled(sim, reply.body.id);
            expect(image).toMatchObject({ state: "INVALID", version: "N/A", checksum: expect.stringMatching(/^[0-9a-f]{64}$/) });
            expect(image.state_description).toContain(reason);
        }
    });

    it("injects INVALID for the next image", async () => {
        sim.injectImageFailure("INVALID");
        const reply = await uploadImage(sim, token, { version: "11.7.0 #24010" });
        expect((await imageSettled(sim, reply.body.id)).state).toBe("INVALID");
        const next = await uploadImage(sim, token, { version: "11.7.0 #24010" });
        expect((await imageSettled(sim, next.body.id)).state).toBe("VALID");
    });

    it("shows UPLOADING with N/A placeholders and float progress, then UPLOAD_ERROR when the client breaks the transfer", async () => {
        const total = 1024 * 1024;
        const req = httpRequest(`${sim.systemUpdateUrl}/images/upload`, {
            method: "POST",
            agent: false,
            headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/octet-stream", "Content-Length": String(total) },
        });
        req.on("error", () => undefined); // we break it on purpose
        req.write(Buffer.alloc(100_000, 1));
        const uploading = await eventually(() => sim.images().find((image) => image.progress > 0));
        expect(uploading).toMatchObject({ state: "UPLOADING", version: "N/A", checksum: "N/A" });
        expect(uploading.progress).toBeGreaterThan(0);
        expect(uploading.progress).toBeLessThan(100);
        req.destroy();
        const broken = await imageSettled(sim, uploading.id);
        expect(broken.state).toBe("UPLOAD_ERROR");
        expect(broken.state_description).toContain("interrupted");
    });

    it("ends a stalled upload in UPLOAD_ERROR after the idle timeout", async () => {
        sim.configure({ transferIdleTimeoutMs: 50 });
        const req = httpRequest(`${sim.systemUpdateUrl}/images/upload`, {
            method: "POST",
            agent: false,
            headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/octet-stream", "Content-Length": "1000000" },
        });
        const closed = new Promise<string>((resolve) => req.on("error", (error: NodeJS.ErrnoException) => resolve(error.code ?? "error")));
        req.write(Buffer.alloc(1000, 1));
        const image = await eventually(() => sim.images()[0]);
        expect((await imageSettled(sim, image.id)).state_description).toContain("no data received for 50 ms");
        expect(await closed).toBe("ECONNRESET");
    });

    it("injects UPLOAD_ERROR by cutting the transfer", async () => {
        sim.injectImageFailure("UPLOAD_ERROR");
        const { stream, sizeBytes } = riverbedImageStream({ version: "11.7.0 #24010", sizeBytes: 8 * 1024 * 1024 });
        const outcome = await httpOrErrorCode(`${sim.systemUpdateUrl}/images/upload`, {
            method: "POST",
            token,
            body: stream,
            headers: { "Content-Type": "application/octet-stream", "Content-Length": String(sizeBytes) },
        });
        expect(["ECONNRESET", "EPIPE"]).toContain(outcome);
        const image = await imageSettled(sim, 1);
        expect(image.state).toBe("UPLOAD_ERROR");
        stream.destroy();
    });

    it("fetches an image from a loopback URL", async () => {
        const content = await streamToBuffer({ version: "11.8.0 #25000", sizeBytes: 600_000 });
        const origin = await startOrigin(content);
        try {
            const reply = await http(`${sim.systemUpdateUrl}/images/fetch`, {
                method: "POST",
                token,
                json: { url: `${origin.url}/image.img` },
            });
            expect(reply.status).toBe(202);
            expect(reply.body).toMatchObject({ id: 1, state: "UPLOADING", version: "N/A", checksum: "N/A" });
            const image = await imageSettled(sim, reply.body.id);
            expect(image).toMatchObject({
                state: "VALID",
                version: "11.8.0 #25000",
                checksum: createHash("sha256").update(content).digest("hex"),
            });

            const missing = await http(`${sim.systemUpdateUrl}/images/fetch`, {
                method: "POST",
                token,
                json: { url: `${origin.url}/missing.img` },
            });
            const failed = await imageSettled(sim, missing.body.id);
            expect(failed).toMatchObject({ state: "UPLOAD_ERROR", state_description: expect.stringContaining("HTTP 404") });
        } finally {
            origin.server.close();
        }
    });

    it("refuses fetches from non-loopback or non-http URLs", async () => {
        for (const url of ["http://example.com/x.img", "ftp://127.0.0.1/x.img", "not a url"]) {
            const reply = await http(`${sim.systemUpdateUrl}/images/fetch`, { method: "POST", token, json: { url } });
            expect(reply).toMatchObject({ status: 400, body: { error_id: "INVALID_URL" } });
        }
        expect((await http(`${sim.systemUpdateUrl}/images/fetch`, { method: "POST", token, json: {} })).body.error_id).toBe(
            "INVALID_REQUEST",
        );
    });

    it("deletes images and answers 404 for unknown ids", async () => {
        const reply = await uploadImage(sim, token, { version: "11.7.0 #24010" });
        await imageSettled(sim, reply.body.id);
        const deleted = await http(`${sim.systemUpdateUrl}/images/items/${reply.body.id}`, { method: "DELETE", token });
        expect(deleted).toMatchObject({ status: 204, text: "" });
        for (const id of [reply.body.id, "abc"]) {
            const missing = await http(`${sim.systemUpdateUrl}/images/items/${id}`, { token });
            expect(missing).toMatchObject({ status: 404, body: { error_id: "RESOURCE_NOT_FOUND" } });
        }
        expect((await http(`${sim.systemUpdateUrl}/images`, { token })).body).toEqual({ items: [] });
    });

    it("rejects uploads with another content type and without a token", async () => {
        const wrongType = await http(`${sim.systemUpdateUrl}/images/upload`, { method: "POST", token, json: { a: 1 } });
        expect(wrongType).toMatchObject({ status: 415, body: { error_id: "UNSUPPORTED_MEDIA_TYPE" } });
        const anonymous = await http(`${sim.systemUpdateUrl}/images/upload`, { method: "POST", body: Buffer.alloc(10) });
        expect(anonymous).toMatchObject({ status: 401, body: { error_id: "AUTH_REQUIRED" } });
        expect(sim.images()).toEqual([]);
    });
});

describe("makeRiverbedImage", () => {
    it("writes an image file of the requested size whose checksum it reports", async () => {
        const file = await makeRiverbedImage({ version: "11.9.1 #26001", sizeBytes: 1_000_000 });
        try {
            const bytes = await readFile(file.path);
            expect(bytes.length).toBe(1_000_000);
            expect(createHash("sha256").update(bytes).digest("hex")).toBe(file.sha256);
            const parsed = parseRiverbedImageHeader(bytes);
            expect(parsed).toMatchObject({
                ok: true,
                headerBytes: 256,
                header: { product: "AppResponse", version: "11.9.1 #26001", payload_bytes: 1_000_000 - 256 },
            });
        } finally {
            await rm(dirname(file.path), { recursive: true, force: true });
        }
    });

    it("rejects sizes smaller than the header and malformed versions", () => {
        expect(() => riverbedImageStream({ version: "11.7.0", sizeBytes: 10 })).toThrow("[sizeBytes]");
        expect(() => riverbedImageStream({ version: "eleven" })).toThrow("[version]");
    });
});
