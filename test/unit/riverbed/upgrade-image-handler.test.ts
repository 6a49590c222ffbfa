/**
 * `riverbed:UpgradeImage` handler, called as the runtime calls it, against the simulator on a fake
 * clock (the handler's {@link FakeClock} drives the simulator's manual clock).
 */
import { FakeClock } from "../../../provider/core/clock";
import { ResourceNotReadyError, UNKNOWN, type ResourceHandler } from "../../../provider/core/dynamic";
import { handlerEnv, type HandlerEnv } from "../../../provider/core/env";
import { RiverbedClient } from "../../../provider/riverbed/client";
import { displayUrl, upgradeImageHandler, type ImageInputs, type ImageOutputs } from "../../../provider/riverbed/upgrade-image-handler";
import { ManualClock } from "../../../simulators/core";
import type { RiverbedSimulator } from "../../../simulators/riverbed";
import { captureLogs, connectionFor, imageDir, rejection, startSim } from "./helpers";

let h: ResourceHandler<ImageInputs, ImageOutputs>;
let env: HandlerEnv;

let sim: RiverbedSimulator;
let images: Awaited<ReturnType<typeof imageDir>>;
let logs: ReturnType<typeof captureLogs>;

beforeAll(async () => {
    images = await imageDir();
});
afterAll(() => images.cleanup());
beforeEach(async () => {
    const simClock = new ManualClock();
    env = handlerEnv(new FakeClock(simClock.now(), (ms) => simClock.advance(ms)));
    h = upgradeImageHandler(env);
    sim = await startSim({ clock: simClock });
    logs = captureLogs();
});
afterEach(async () => {
    logs.restore();
    env.clients.close();
    await sim.stop();
});

/** Lets simulated time pass (one second per step) until `done` holds. */
async function passUntil(done: () => boolean): Promise<void> {
    for (let step = 0; step < 3_600 && !done(); step++) {
        await env.clock.sleep(1_000);
    }
    expect(done()).toBe(true);
}

const inputs = (extra: Partial<ImageInputs>): ImageInputs => ({
    __logName: "img",
    connection: connectionFor(sim),
    pollIntervalSeconds: 0.05,
    ...extra,
});

describe("create", () => {
    it("uploads a file, waits for VALID, and reports version, checksum and state", async () => {
        const file = await images.make("11.7.0 #24010");
        const { id, outs } = await h.create(inputs({ file: file.path, expectedSha256: file.sha256.toUpperCase() }));
        expect(id).toBe("1");
        expect(outs).toMatchObject({ version: "11.7.0 #24010", checksum: file.sha256, state: "VALID", adopted: false });
        expect(sim.images()).toEqual([expect.objectContaining({ id: 1, state: "VALID" })]);
        const text = logs.lines.join("\n");
        expect(text).toMatch(/\[img\] uploading 11_7_0_24010-ok\.img: 100% \(0\.1 of 0\.1 MiB\) at [\d.]+ MiB\/s/);
        expect(text).toMatch(/\[img\] image 1: \w+ → VALID \(Image is valid: version 11\.7\.0 #24010\)/);
    });

    it("adopts a VALID image with the expected checksum instead of uploading again", async () => {
        const file = await images.make("11.7.0 #24010");
        await h.create(inputs({ file: file.path }));
        const again = await h.create(inputs({ file: file.path, expectedSha256: file.sha256 }));
        expect(again).toMatchObject({ id: "1", outs: { adopted: true, state: "VALID", version: "11.7.0 #24010" } });
        expect(sim.calls.received("images.upload")).toBe(1);
        expect(logs.lines.join("\n")).toContain("adopting it instead of uploading");
    });

    it("without expectedSha256, hashes the file to find an identical image on the device", async () => {
        const file = await images.make("11.7.0 #24010");
        await h.create(inputs({ file: file.path }));
        const again = await h.create(inputs({ file: file.path }));
        expect(again.outs.adopted).toBe(true);
        expect(sim.calls.received("images.upload")).toBe(1);
    });

    it("an INVALID image fails with the device, the phase and its description, and is removed", async () => {
        const file = await images.make("11.7.0 #24010", { valid: false });
        const err = await rejection(h.create(inputs({ file: file.path })));
        expect(err.message).toBe(
            `riverbed device ${sim.url}: validating image 1 failed in state INVALID: ` +
                `Image is invalid: image is corrupt: payload is ${file.sizeBytes - 256} bytes, header says ${file.sizeBytes - 255}; image 1 was deleted from the device`,
        );
        expect(err).not.toBeInstanceOf(ResourceNotReadyError); // nothing to keep in state
        expect(sim.images()).toEqual([]);
    });

    it("a transfer the device breaks off fails with the device's description of the image, which is removed", async () => {
        const file = await images.make("11.7.0 #24010", { sizeBytes: 4 * 1024 * 1024 });
        sim.injectImageFailure("UPLOAD_ERROR");
        const err = await rejection(h.create(inputs({ file: file.path })));
        expect(err.message).toMatch(
            new RegExp(
                `^riverbed device ${sim.url}: uploading 11_7_0_24010-ok\\.img failed: image 1 is UPLOAD_ERROR: Upload failed: transfer interrupted after \\d+ bytes \\(injected\\) ` +
                    `\\(riverbed POST /api/npm.system_update/2.0/images/upload on ${sim.url}: no response \\(E[A-Z]+\\).*\\); image 1 was deleted from the device$`,
            ),
        );
        expect(sim.images()).toEqual([]);
    });

    it("a checksum that does not match expectedSha256 fails and removes the image", async () => {
        const file = await images.make("11.7.0 #24010");
        const wrong = "ab".repeat(32);
        const err = await rejection(h.create(inputs({ file: file.path, expectedSha256: wrong })));
        expect(err.message).toBe(
            `riverbed device ${sim.url}: verifying image 1 failed: the device reports SHA-256 ${file.sha256} but expectedSha256 is ${wrong}; image 1 was deleted from the device`,
        );
        expect(sim.images()).toEqual([]);
    });

    it("a missing file is an input error before any call", async () => {
        const err = await rejection(h.create(inputs({ file: "/nonexistent/x.img" })));
        expect(err.message).toBe("[file] cannot read the image file /nonexistent/x.img: ENOENT");
        expect(sim.calls.received("auth.token")).toBe(0);
    });

    it("a wait that runs out keeps the image (partial failure); update resumes the wait", async () => {
        sim.configure({ timings: { validateMs: 1_500 } });
        const file = await images.make("11.7.0 #24010");
        const err = await rejection(h.create(inputs({ file: file.path, waitTimeoutSeconds: 1 })));
        expect(err).toBeInstanceOf(ResourceNotReadyError);
        const partial = err as ResourceNotReadyError;
        expect(partial.id).toBe("1");
        expect(partial.properties).toMatchObject({ state: "VALIDATING", checksum: file.sha256 });
        expect(partial.message).toContain(
            `timed out waiting for riverbed device ${sim.url} image 1 (11_7_0_24010-ok.img) to reach VALID: last state VALIDATING`,
        );
        const { outs } = await h.update!("1", partial.properties as ImageOutputs, inputs({ file: file.path, waitTimeoutSeconds: 30 }));
        expect(outs).toMatchObject({ state: "VALID", version: "11.7.0 #24010" });
        expect(sim.calls.received("images.upload")).toBe(1);
    });
});

describe("url source", () => {
    it("the device fetches the image; a url is never adopted without expectedSha256", async () => {
        const { createServer } = await import("node:http");
        const { createReadStream } = await import("node:fs");
        const file = await images.make("11.8.0 #25000");
        const origin = createServer((_req, res) => {
            res.writeHead(200, { "content-length": String(file.sizeBytes) });
            createReadStream(file.path).pipe(res);
        });
        await new Promise<void>((r) => origin.listen(0, "127.0.0.1", r));
        try {
            const url = `http://127.0.0.1:${(origin.address() as { port: number }).port}/img`;
            const { outs } = await h.create(inputs({ url }));
            expect(outs).toMatchObject({ state: "VALID", version: "11.8.0 #25000", checksum: file.sha256, adopted: false });
            const pinned = await h.create(inputs({ url, expectedSha256: file.sha256 }));
            expect(pinned.outs.adopted).toBe(true);
            expect(sim.calls.received("images.fetch")).toBe(1);
        } finally {
            origin.closeAllConnections();
            await new Promise((r) => origin.close(r));
        }
    });
});

test("URLs in messages lose user info and query strings", () => {
    expect(displayUrl("https://u:secret@images.example.net/a/b.img?sig=abc")).toBe("https://images.example.net/a/b.img?…");
    expect(displayUrl("http://127.0.0.1:8080/x.img")).toBe("http://127.0.0.1:8080/x.img");
});

describe("check and diff", () => {
    it("needs exactly one source and a well-formed checksum; preview unknowns are not judged", async () => {
        expect((await h.check!({}, {})).failures).toEqual([
            { property: "file", reason: expect.stringContaining("exactly one image source") },
        ]);
        expect((await h.check!({}, { file: "a", url: "http://x/y" })).failures).toHaveLength(1);
        expect((await h.check!({}, { file: "a", expectedSha256: "abc" })).failures).toEqual([
            { property: "expectedSha256", reason: expect.stringContaining("64 hexadecimal digits") },
        ]);
        expect((await h.check!({}, { url: "ftp://x/y" })).failures).toEqual([
            { property: "url", reason: expect.stringContaining("http(s) URL") },
        ]);
        expect((await h.check!({}, { file: UNKNOWN, expectedSha256: UNKNOWN })).failures).toEqual([]);
    });

    it("a new file, url, checksum or device is a replace; wait settings are not", async () => {
        const olds = { file: "a.img", expectedSha256: "aa".repeat(32), checksum: "aa".repeat(32), waitTimeoutSeconds: 60 } as ImageOutputs;
        expect(await h.diff!("1", olds, { file: "b.img", expectedSha256: "bb".repeat(32) })).toEqual({
            replaces: ["file", "expectedSha256"],
        });
        expect(await h.diff!("1", olds, { file: "a.img", expectedSha256: "aa".repeat(32), waitTimeoutSeconds: 600 })).toEqual({
            replaces: [],
        });
        expect(await h.diff!("1", olds, { file: UNKNOWN, expectedSha256: "aa".repeat(32) })).toMatchObject({ replaces: ["file"] });
        expect(
            await h.diff!("1", olds, { file: "a.img", expectedSha256: "aa".repeat(32), connection: { endpoint: "https://b" } }),
        ).toMatchObject({ replaces: ["connection"] });
        // Pinning the checksum the device already reports only verifies.
        const unpinned = { file: "a.img", checksum: "aa".repeat(32) } as ImageOutputs;
        expect(await h.diff!("1", unpinned, { file: "a.img", expectedSha256: "AA".repeat(32) })).toMatchObject({ replaces: [] });
    });
});

describe("read and delete", () => {
    it("refresh keeps a VALID image, drops one deleted behind our back, and keeps one the device installed as CONSUMED", async () => {
        const file = await images.make("11.7.0 #24010");
        const { id, outs } = await h.create(inputs({ file: file.path }));
        const read = await h.read!(id, outs);
        expect(read).toMatchObject({ id: "1", props: { state: "VALID" } });
        expect(read.inputs).not.toHaveProperty("state");
        expect(read.inputs).toMatchObject({ file: file.path });

        await RiverbedClient.for(connectionFor(sim), env).deleteImage(1);
        expect(await h.read!(id, outs)).toEqual({ id: "", props: outs });

        // Installed (and therefore consumed) by the device: kept, so nothing is uploaded again.
        const second = await h.create(inputs({ file: file.path }));
        const c = RiverbedClient.for(connectionFor(sim), env);
        await c.initUpdate();
        await passUntil(() => sim.update().state === "INITIALIZED");
        await c.startUpdate();
        await passUntil(() => sim.version === "11.7.0 #24010" && sim.online);
        expect(sim.images()).toEqual([]);
        const consumed = await h.read!(second.id, second.outs);
        expect(consumed).toMatchObject({ id: second.id, props: { state: "CONSUMED", version: "11.7.0 #24010" } });
        await h.delete!(second.id, consumed.props);
        expect(logs.lines.join("\n")).toContain(
            `image ${second.id} is no longer on riverbed device ${sim.url} (the device consumed it when installing it): nothing to delete`,
        );
    });

    it("delete removes the image; an id reused for other bits is left alone", async () => {
        const file = await images.make("11.7.0 #24010");
        const { id, outs } = await h.create(inputs({ file: file.path }));
        await h.delete!(id, { ...outs, checksum: "cd".repeat(32) });
        expect(sim.images()).toHaveLength(1);
        expect(logs.lines.join("\n")).toContain(
            `[img] image 1 on riverbed device ${sim.url} now holds other bits (SHA-256 ${file.sha256}, not ${"cd".repeat(32)}): left alone`,
        );
        await h.delete!(id, outs);
        expect(sim.images()).toEqual([]);
        expect(logs.lines.join("\n")).toContain(`[img] deleted image 1 (11.7.0 #24010) from riverbed device ${sim.url}`);
    });
});
