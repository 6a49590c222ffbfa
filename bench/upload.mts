/**
 * Upload benchmark: the package's upload path against `curl -T` (streaming), same file, same
 * simulated appliance, one run.
 *
 *   npm run build && node bench/upload.mts [--size-mib 2048] [--small-mib 256] [--rounds 1] [--strict]
 *
 * - Generates a simulator image of `--size-mib` MiB (default 2 GiB) in a temp folder (page-cached, so
 *   both uploaders read it from memory), and a `--small-mib` one (default 256 MiB; 0 skips it) to show
 *   that the provider's memory does not grow with the image size.
 * - Starts a Riverbed simulator in this process. Each uploader runs in its own process: `curl -T`
 *   (`-X POST`, no `Expect: 100-continue`), and `bench/upload-worker.mts` (the package's upload path),
 *   which reports its peak RSS (`getrusage` maxRSS). Both timings span request start → the device's
 *   202 answer (all bytes received and hashed); logins are not timed.
 * - Prints throughput of both, their ratio and the provider-side peak RSS, against the goals
 *   (≥ 0.9× curl; ≤ 150 MiB and flat). `--strict` exits 1 when a goal is missed.
 * - `--rounds N` alternates the order (curl first, then ours first, ...) and reports the best of each.
 *
 * Not part of `npm test`.
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type * as Simulators from "../bin/simulators/index.js";

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const simulatorsPath = join(here, "../bin/simulators/index.js");
if (!existsSync(simulatorsPath) || !existsSync(join(here, "../bin/provider/riverbed/client.js"))) {
    console.error("bench/upload: build the package first (npm run build)");
    process.exit(2);
}
const { makeRiverbedImage, startRiverbedSimulator } = require(simulatorsPath) as typeof Simulators;

function option(name: string, fallback: number): number {
    const i = process.argv.indexOf(`--${name}`);
    if (i < 0) return fallback;
    const v = Number(process.argv[i + 1]);
    if (!Number.isFinite(v) || v < 0) {
        console.error(`bench/upload: --${name} needs a non-negative number, got ${process.argv[i + 1]}`);
        process.exit(2);
    }
    return v;
}
const sizeMiB = option("size-mib", 2048);
const smallMiB = option("small-mib", 256);
const rounds = Math.max(1, Math.floor(option("rounds", 1)));
const strict = process.argv.includes("--strict");
const MiB = 2 ** 20;
const USERNAME = "bench";
const PASSWORD = "bench-Upload-pw";

interface Run {
    bytes: number;
    seconds: number;
    mibPerSecond: number;
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<{ code: number; stdout: string; stderr: string }> {
    return new Promise((resolve, reject) => {
        const child = spawn(cmd, args, { env, stdio: ["ignore", "pipe", "pipe"] });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (c) => (stdout += c));
        child.stderr.on("data", (c) => (stderr += c));
        child.on("error", reject);
        child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
    });
}

async function token(url: string): Promise<string> {
    const res = await fetch(`${url}/api/mgmt.aaa/1.0/token`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ user_credentials: { username: USERNAME, password: PASSWORD }, generate_refresh_token: false }),
    });
    if (res.status !== 201) throw new Error(`login failed: HTTP ${res.status} ${await res.text()}`);
    return ((await res.json()) as { access_token: string }).access_token;
}

async function curlUpload(url: string, file: string, bytes: number): Promise<Run> {
    const bearer = await token(url);
    const r = await run("curl", [
        "-sS",
        "-o",
        "/dev/null",
        "-w",
        "%{http_code} %{time_total} %{size_upload}",
        "-X",
        "POST",
        "-T",
        file,
        "-H",
        "Content-Type: application/octet-stream",
        "-H",
        "Expect:",
        "-H",
        `Authorization: Bearer ${bearer}`,
        `${url}/api/npm.system_update/2.0/images/upload`,
    ]);
    const [status, total, sent] = r.stdout.trim().split(" ");
    if (r.code !== 0 || status !== "202" || Number(sent) !== bytes) {
        throw new Error(`curl upload failed (exit ${r.code}, HTTP ${status}, ${sent} bytes sent): ${r.stderr}`);
    }
    const seconds = Number(total);
    return { bytes, seconds, mibPerSecond: bytes / MiB / seconds };
}

async function ourUpload(
    url: string,
    file: string,
    sha256: string,
    bytes: number,
): Promise<Run & { maxRssMiB: number; rssBeforeMiB: number }> {
    const r = await run(process.execPath, [join(here, "upload-worker.mts"), url, file], {
        ...process.env,
        BENCH_USERNAME: USERNAME,
        BENCH_PASSWORD: PASSWORD,
    });
    if (r.code !== 0) throw new Error(`upload worker failed (exit ${r.code}): ${r.stderr}`);
    const out = JSON.parse(r.stdout.trim().split("\n").pop()!) as {
        bytes: number;
        elapsedMs: number;
        sha256: string;
        deviceChecksum: string;
        rssBeforeKiB: number;
        maxRssKiB: number;
    };
    if (out.bytes !== bytes || out.sha256 !== sha256 || out.deviceChecksum !== sha256) {
        throw new Error(`upload worker: wrong result ${JSON.stringify(out)} (expected ${bytes} bytes, SHA-256 ${sha256})`);
    }
    const seconds = out.elapsedMs / 1000;
    return { bytes, seconds, mibPerSecond: bytes / MiB / seconds, maxRssMiB: out.maxRssKiB / 1024, rssBeforeMiB: out.rssBeforeKiB / 1024 };
}

const dir = await mkdtemp(join(tmpdir(), "bench-upload-"));
const sim = await startRiverbedSimulator({
    username: USERNAME,
    password: PASSWORD,
    transferIdleTimeoutMs: 600_000,
    timings: { validateMs: 10 },
});
try {
    const t0 = Date.now();
    const big = await makeRiverbedImage({ version: "11.7.0 #24010", sizeBytes: Math.round(sizeMiB * MiB), path: join(dir, "big.img") });
    const small =
        smallMiB > 0
            ? await makeRiverbedImage({ version: "11.7.1 #24011", sizeBytes: Math.round(smallMiB * MiB), path: join(dir, "small.img") })
            : undefined;
    console.log(
        `bench/upload: ${sizeMiB} MiB image generated in ${((Date.now() - t0) / 1000).toFixed(1)}s; simulator ${sim.url}; node ${process.version}; ${rounds} round(s)`,
    );

    const curlRuns: Run[] = [];
    const ourRuns: Array<Run & { maxRssMiB: number; rssBeforeMiB: number }> = [];
    for (let i = 0; i < rounds; i++) {
        const steps = [
            async () => curlRuns.push(await curlUpload(sim.url, big.path, big.sizeBytes)),
            async () => ourRuns.push(await ourUpload(sim.url, big.path, big.sha256, big.sizeBytes)),
        ];
        for (const step of i % 2 === 0 ? steps : steps.reverse()) {
            await step();
        }
        console.log(
            `  round ${i + 1}: curl ${curlRuns[i]!.mibPerSecond.toFixed(1)} MiB/s, pulumi-upgrades ${ourRuns[i]!.mibPerSecond.toFixed(1)} MiB/s`,
        );
    }
    const smallRun = small ? await ourUpload(sim.url, small.path, small.sha256, small.sizeBytes) : undefined;

    const bestCurl = curlRuns.reduce((a, b) => (b.mibPerSecond > a.mibPerSecond ? b : a));
    const bestOurs = ourRuns.reduce((a, b) => (b.mibPerSecond > a.mibPerSecond ? b : a));
    const ratio = bestOurs.mibPerSecond / bestCurl.mibPerSecond;
    const peak = Math.max(...ourRuns.map((r) => r.maxRssMiB));
    const ratioOk = ratio >= 0.9;
    const rssOk = peak <= 150 && (!smallRun || peak - smallRun.maxRssMiB <= 32);
    console.log("");
    console.log(
        `curl -T (streaming)     ${bestCurl.mibPerSecond.toFixed(1).padStart(8)} MiB/s  (${sizeMiB} MiB in ${bestCurl.seconds.toFixed(2)}s)`,
    );
    console.log(
        `pulumi-upgrades upload  ${bestOurs.mibPerSecond.toFixed(1).padStart(8)} MiB/s  (${sizeMiB} MiB in ${bestOurs.seconds.toFixed(2)}s)`,
    );
    console.log(`ratio                   ${ratio.toFixed(2).padStart(8)}×      goal ≥ 0.90× curl: ${ratioOk ? "met" : "MISSED"}`);
    console.log(
        `provider peak RSS       ${peak.toFixed(1).padStart(8)} MiB    (${bestOurs.rssBeforeMiB.toFixed(1)} MiB before the upload` +
            `${smallRun ? `; ${smallRun.maxRssMiB.toFixed(1)} MiB peak for a ${smallMiB} MiB image` : ""}) goal ≤ 150 MiB and flat: ${rssOk ? "met" : "MISSED"}`,
    );
    if (strict && !(ratioOk && rssOk)) process.exitCode = 1;
} finally {
    await sim.stop();
    await rm(dir, { recursive: true, force: true });
}
