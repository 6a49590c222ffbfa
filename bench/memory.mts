/**
 * Memory benchmark (moved out of the unit suite: RSS figures depend on the machine and the load on
 * it, so they are measured here, not asserted by `npm test`):
 *
 * 1. `uploadFile` streams a sparse 768 MiB file to an in-process server that hashes what it receives;
 * 2. the Riverbed simulator receives a 512 MiB image generated on the fly;
 * 3. the Unity and Avi simulators receive a 512 MiB multipart upload (sent by `curl -F` from its own
 *    process, so only the receiving side counts).
 *
 * In 1 and 2 both sides share this process, so buffering the body anywhere would add at least the
 * body's size. Prints the peak RSS growth of each against its goal (upload < 256 MiB, simulators < 200 MiB);
 * `--strict` exits 1 when a goal is missed.
 *
 *   npm run build && node bench/memory.mts [--strict]
 */
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdtemp, open, rm } from "node:fs/promises";
import * as http from "node:http";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type * as Simulators from "../bin/simulators/index.js";
import type * as Http from "../bin/provider/core/http.js";
import type * as Upload from "../bin/provider/core/upload.js";
import { startTarget, type UploadVendor } from "./upload-targets.mts";

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
if (!existsSync(join(here, "../bin/provider/core/upload.js"))) {
    console.error("bench/memory: build the package first (npm run build)");
    process.exit(2);
}
const { riverbedImageStream, startRiverbedSimulator } = require(join(here, "../bin/simulators/index.js")) as typeof Simulators;
const { HttpSession } = require(join(here, "../bin/provider/core/http.js")) as typeof Http;
const { uploadFile } = require(join(here, "../bin/provider/core/upload.js")) as typeof Upload;
const MiB = 2 ** 20;

/** Runs `fn` while sampling RSS every 20 ms; returns the peak growth in MiB. */
async function peakGrowthMiB(fn: () => Promise<void>): Promise<number> {
    const before = process.memoryUsage().rss;
    let peak = before;
    const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
    try {
        await fn();
    } finally {
        clearInterval(timer);
    }
    return (Math.max(peak, process.memoryUsage().rss) - before) / MiB;
}

async function uploadBench(): Promise<number> {
    const dir = await mkdtemp(join(tmpdir(), "bench-memory-"));
    const file = join(dir, "large.img");
    const size = 768 * MiB;
    const fh = await open(file, "w");
    await fh.truncate(size); // sparse: costs no disk, reads as zeros
    await fh.close();
    let received = 0;
    const server = http.createServer((req, res) => {
        const hash = createHash("sha256");
        req.on("data", (c: Buffer) => {
            received += c.length;
            hash.update(c);
        });
        req.on("end", () => res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ sha256: hash.digest("hex") })));
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const session = new HttpSession({ vendor: "bench", baseUrl: `http://127.0.0.1:${(server.address() as { port: number }).port}` });
    try {
        return await peakGrowthMiB(async () => {
            const r = await uploadFile(session, { path: "/upload", filePath: file });
            if (r.bytes !== size || received !== size) throw new Error(`sent ${r.bytes}, received ${received}, expected ${size}`);
        });
    } finally {
        session.close();
        server.close();
        await rm(dir, { recursive: true, force: true });
    }
}

async function simulatorBench(): Promise<number> {
    const sim = await startRiverbedSimulator({ timings: { validateMs: 1 } });
    try {
        const login = await fetch(`${sim.url}/api/mgmt.aaa/1.0/token`, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify({ user_credentials: { username: sim.username, password: sim.password }, generate_refresh_token: true }),
        });
        const token = ((await login.json()) as { access_token: string }).access_token;
        const { stream, sizeBytes } = riverbedImageStream({ version: "11.7.0 #24010", sizeBytes: 512 * MiB });
        return await peakGrowthMiB(async () => {
            const url = new URL(`${sim.systemUpdateUrl}/images/upload`);
            const status = await new Promise<number>((resolve, reject) => {
                const req = http.request(
                    url,
                    {
                        method: "POST",
                        headers: {
                            authorization: `Bearer ${token}`,
                            "content-type": "application/octet-stream",
                            "content-length": String(sizeBytes),
                        },
                    },
                    (res) => {
                        res.resume();
                        res.on("end", () => resolve(res.statusCode ?? 0));
                    },
                );
                req.on("error", reject);
                stream.pipe(req);
            });
            if (status !== 202) throw new Error(`simulator answered ${status}`);
        });
    } finally {
        await sim.stop();
    }
}

/** The vendor's simulator receiving a 512 MiB multipart upload from `curl -F` (another process). */
async function multipartSimulatorBench(vendor: UploadVendor): Promise<number> {
    const dir = await mkdtemp(join(tmpdir(), "bench-memory-"));
    const target = await startTarget(vendor);
    try {
        const image = await target.makeImage(join(dir, "image.bin"), 512 * MiB, 0);
        const args = await target.curlArgs(image.path);
        return await peakGrowthMiB(async () => {
            const code = await new Promise<number | null>((resolve, reject) => {
                const curl = spawn("curl", ["-sS", "-o", "/dev/null", "-H", "Expect:", ...args], { stdio: "ignore" });
                curl.on("error", reject);
                curl.on("close", resolve);
            });
            const received = target.received();
            if (code !== 0 || received?.sha256 !== image.sha256)
                throw new Error(`${vendor}: curl exit ${code}, received ${JSON.stringify(received)}`);
        });
    } finally {
        await target.stop();
        await rm(dir, { recursive: true, force: true });
    }
}

const results = [
    { name: "uploadFile, 768 MiB (client + receiving server)", growth: await uploadBench(), goal: 256 },
    { name: "Riverbed simulator receiving 512 MiB", growth: await simulatorBench(), goal: 200 },
    { name: "Unity simulator receiving 512 MiB multipart", growth: await multipartSimulatorBench("unity"), goal: 200 },
    { name: "Avi simulator receiving 512 MiB multipart", growth: await multipartSimulatorBench("avi"), goal: 200 },
];
let missed = false;
for (const r of results) {
    const ok = r.growth < r.goal;
    missed ||= !ok;
    console.log(`${r.name}: peak RSS growth ${r.growth.toFixed(1)} MiB (goal < ${r.goal} MiB) ${ok ? "ok" : "MISSED"}`);
}
if (missed && process.argv.includes("--strict")) process.exit(1);
