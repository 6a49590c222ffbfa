/**
 * Upload benchmark: every vendor's upload path (raw body or multipart) against `curl` sending the
 * equivalent request, same file, same simulated appliance, one run.
 *
 *   npm run build && node bench/upload.mts [--vendor riverbed|unity|avi|all] [--size-mib 2048] [--small-mib 256] [--rounds 3] [--strict]
 *
 * Per vendor (`--vendor` takes one name, a comma list or `all`, the default):
 * - starts the vendor's simulator in this process (it hashes what it receives, streaming) and
 *   generates an image it accepts of `--size-mib` MiB, plus a `--small-mib` one (0 skips it) to show
 *   that the provider's memory does not grow with the image size; both are page-cached, so the
 *   uploaders read them from memory;
 * - runs `--rounds` rounds, alternating which uploader goes first: `curl` (`-T` with `-X POST` for a
 *   raw body, `-F field=@file` with the vendor's field name for multipart; no `Expect: 100-continue`)
 *   and `bench/upload-worker.mts` (the vendor client's upload path in its own process, which reports
 *   its peak RSS). Both timings span request start → the device's answer (all bytes received and
 *   hashed by the simulator); logins are done before and not timed. Each upload is checked against
 *   the SHA-256 the simulator computed.
 * Prints one table: best and median MiB/s of each, the ratio of the bests (and of the medians), CPU
 * seconds per GiB of curl, of ours and of the simulator while receiving ours (load-independent:
 * they explain the ratios on a busy machine), provider peak RSS at both sizes, against the goals
 * (≥ 0.95× curl; ≤ 150 MiB and flat within 32 MiB). `--strict` exits 1 when a goal is missed.
 *
 * Not part of `npm test`.
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { cpus, loadavg, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import {
    NO_UPLOAD_PATH,
    PASSWORD,
    startTarget,
    UPLOAD_VENDORS,
    USERNAME,
    type ImageFile,
    type UploadTarget,
    type UploadVendor,
} from "./upload-targets.mts";

const here = dirname(fileURLToPath(import.meta.url));
if (!existsSync(join(here, "../bin/simulators/index.js")) || !existsSync(join(here, "../bin/provider/core/upload.js"))) {
    console.error("bench/upload: build the package first (npm run build)");
    process.exit(2);
}

const MiB = 2 ** 20;
const RATIO_GOAL = 0.95;
const RSS_GOAL_MIB = 150;
const FLAT_SLACK_MIB = 32;

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
function vendorsOption(): UploadVendor[] {
    const i = process.argv.indexOf("--vendor");
    const raw = i < 0 ? "all" : (process.argv[i + 1] ?? "");
    if (raw === "all") return [...UPLOAD_VENDORS];
    const names = raw.split(",").map((s) => s.trim());
    for (const n of names) {
        if (!(UPLOAD_VENDORS as readonly string[]).includes(n)) {
            const why = NO_UPLOAD_PATH[n] ? ` (${n}: ${NO_UPLOAD_PATH[n]})` : "";
            console.error(`bench/upload: --vendor takes ${UPLOAD_VENDORS.join("|")}|all or a comma list, got ${raw}${why}`);
            process.exit(2);
        }
    }
    return names as UploadVendor[];
}
const vendors = vendorsOption();
const sizeMiB = option("size-mib", 2048);
const smallMiB = option("small-mib", 256);
const rounds = Math.max(1, Math.floor(option("rounds", 3)));
const strict = process.argv.includes("--strict");

interface Run {
    seconds: number;
    mibPerSecond: number;
    /** CPU seconds of the uploader per GiB. */
    cpuPerGiB: number;
    /** CPU seconds of this process (the simulator) per GiB while it received the upload. */
    simCpuPerGiB: number;
}
interface OurRun extends Run {
    maxRssMiB: number;
    rssBeforeMiB: number;
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

/** Fails unless the simulator received exactly `image` in the last upload. */
function checkReceived(target: UploadTarget, image: ImageFile, who: string): void {
    const got = target.received();
    if (!got || got.sha256 !== image.sha256 || (got.bytes >= 0 && got.bytes !== image.sizeBytes)) {
        throw new Error(
            `${target.vendor}: the simulator did not receive ${who}'s upload intact: ${JSON.stringify(got)} vs ${image.sha256}`,
        );
    }
}

/** CPU seconds since `before` of this process, where the simulator runs. */
const cpuSince = (before: NodeJS.CpuUsage) => {
    const d = process.cpuUsage(before);
    return (d.user + d.system) / 1e6;
};
const GiB = 2 ** 30;

async function curlUpload(target: UploadTarget, image: ImageFile): Promise<Run> {
    const args = await target.curlArgs(image.path);
    // `times` after curl prints the shell's children's user and system CPU (curl's).
    const script = 'curl "$@"; code=$?; times; exit $code';
    const curl = ["-sS", "-o", "/dev/null", "-w", "%{http_code} %{time_total} %{size_upload}\\n", "-H", "Expect:", ...args];
    const simBefore = process.cpuUsage();
    const r = await run("sh", ["-c", script, "sh", ...curl]);
    const simCpu = cpuSince(simBefore);
    const lines = r.stdout.trim().split("\n");
    const [status, total, sent] = lines[0]!.trim().split(" ");
    const cpu = [...lines.at(-1)!.matchAll(/(\d+)m([\d.]+)s/g)].reduce((sum, m) => sum + Number(m[1]) * 60 + Number(m[2]), 0);
    if (r.code !== 0 || Number(status) !== target.okStatus || Number(sent) < image.sizeBytes) {
        throw new Error(`${target.vendor}: curl upload failed (exit ${r.code}, HTTP ${status}, ${sent} bytes sent): ${r.stderr}`);
    }
    checkReceived(target, image, "curl");
    const seconds = Number(total);
    const gib = image.sizeBytes / GiB;
    return { seconds, mibPerSecond: image.sizeBytes / MiB / seconds, cpuPerGiB: cpu / gib, simCpuPerGiB: simCpu / gib };
}

async function ourUpload(target: UploadTarget, image: ImageFile): Promise<OurRun> {
    const simBefore = process.cpuUsage();
    const r = await run(process.execPath, [join(here, "upload-worker.mts"), target.vendor, target.url, image.path], {
        ...process.env,
        BENCH_USERNAME: USERNAME,
        BENCH_PASSWORD: PASSWORD,
    });
    const simCpu = cpuSince(simBefore);
    if (r.code !== 0) throw new Error(`${target.vendor}: upload worker failed (exit ${r.code}): ${r.stderr}`);
    const out = JSON.parse(r.stdout.trim().split("\n").pop()!) as {
        bytes: number;
        elapsedMs: number;
        cpuMs: number;
        sha256: string;
        rssBeforeKiB: number;
        maxRssKiB: number;
    };
    if (out.bytes !== image.sizeBytes || out.sha256 !== image.sha256) {
        throw new Error(
            `${target.vendor}: upload worker: wrong result ${JSON.stringify(out)} (expected ${image.sizeBytes} bytes, ${image.sha256})`,
        );
    }
    checkReceived(target, image, "the package");
    const seconds = out.elapsedMs / 1000;
    const gib = image.sizeBytes / GiB;
    return {
        seconds,
        mibPerSecond: image.sizeBytes / MiB / seconds,
        cpuPerGiB: out.cpuMs / 1000 / gib,
        // Includes the worker's start-up and login answers: a few ms of the simulator's time.
        simCpuPerGiB: simCpu / gib,
        maxRssMiB: out.maxRssKiB / 1024,
        rssBeforeMiB: out.rssBeforeKiB / 1024,
    };
}

const best = (runs: Run[]) => Math.max(...runs.map((r) => r.mibPerSecond));
function median(values: number[]): number {
    const s = [...values].sort((a, b) => a - b);
    const mid = Math.floor(s.length / 2);
    return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}
const load = () =>
    loadavg()
        .map((l) => l.toFixed(2))
        .join(" ");

interface Row {
    vendor: UploadVendor;
    kind: string;
    request: string;
    curl: Run[];
    ours: OurRun[];
    small?: OurRun;
    loadBefore: string;
    loadAfter: string;
}

async function benchVendor(vendor: UploadVendor, dir: string): Promise<Row> {
    const target = await startTarget(vendor);
    try {
        const t0 = Date.now();
        const big = await target.makeImage(join(dir, `${vendor}-big.img`), Math.round(sizeMiB * MiB), 0);
        const small = smallMiB > 0 ? await target.makeImage(join(dir, `${vendor}-small.img`), Math.round(smallMiB * MiB), 1) : undefined;
        console.log(`${vendor}: ${target.request}; images generated in ${((Date.now() - t0) / 1000).toFixed(1)}s; load ${load()}`);
        const row: Row = {
            vendor,
            kind: target.kind,
            request: target.request,
            curl: [],
            ours: [],
            loadBefore: load(),
            loadAfter: "",
        };
        for (let i = 0; i < rounds; i++) {
            const steps = [
                async () => row.curl.push(await curlUpload(target, big)),
                async () => row.ours.push(await ourUpload(target, big)),
            ];
            for (const step of i % 2 === 0 ? steps : steps.reverse()) await step();
            console.log(
                `  round ${i + 1}: curl ${row.curl[i]!.mibPerSecond.toFixed(1)} MiB/s, ours ${row.ours[i]!.mibPerSecond.toFixed(1)} MiB/s` +
                    ` (peak RSS ${row.ours[i]!.maxRssMiB.toFixed(1)} MiB)`,
            );
        }
        if (small) {
            row.small = await ourUpload(target, small);
            console.log(
                `  ${smallMiB} MiB image: ours ${row.small.mibPerSecond.toFixed(1)} MiB/s (peak RSS ${row.small.maxRssMiB.toFixed(1)} MiB)`,
            );
        }
        row.loadAfter = load();
        return row;
    } finally {
        await target.stop();
        await rm(join(dir, `${vendor}-big.img`), { force: true });
        await rm(join(dir, `${vendor}-small.img`), { force: true });
    }
}

/** Two decimals, rounded down: a 0.949 ratio reads 0.94, as its "goal met" cell says. */
const floor2 = (x: number) => (Math.floor(x * 100) / 100).toFixed(2);
const medianOf = (runs: Run[], key: "mibPerSecond" | "cpuPerGiB" | "simCpuPerGiB") => median(runs.map((x) => x[key]));

function printTable(rows: Row[]): boolean {
    const sizeLabel = sizeMiB >= 1024 ? `${+(sizeMiB / 1024).toFixed(2)} GiB` : `${sizeMiB} MiB`;
    const smallLabel = smallMiB >= 1024 ? `${+(smallMiB / 1024).toFixed(2)} GiB` : `${smallMiB} MiB`;
    const header = [
        "vendor",
        "path",
        "size",
        "curl MiB/s best / median",
        "ours MiB/s best / median",
        "ratio best (median)",
        "CPU s/GiB curl / ours / simulator",
        `our peak RSS ${sizeLabel}`,
        `our peak RSS ${smallLabel}`,
        "goal met",
    ];
    const lines: string[][] = [];
    let allMet = true;
    const line = (r: Row, label: string, ours: OurRun[]) => {
        const ratio = best(ours) / best(r.curl);
        const medianRatio = medianOf(ours, "mibPerSecond") / medianOf(r.curl, "mibPerSecond");
        const peak = Math.max(...ours.map((x) => x.maxRssMiB));
        const ratioOk = ratio >= RATIO_GOAL;
        const rssOk = peak <= RSS_GOAL_MIB && (!r.small || peak - r.small.maxRssMiB <= FLAT_SLACK_MIB);
        allMet &&= ratioOk && rssOk;
        const misses = [!ratioOk && `< ${RATIO_GOAL}× curl`, !rssOk && "memory"].filter(Boolean);
        lines.push([
            r.vendor,
            label,
            sizeLabel,
            `${best(r.curl).toFixed(1)} / ${medianOf(r.curl, "mibPerSecond").toFixed(1)}`,
            `${best(ours).toFixed(1)} / ${medianOf(ours, "mibPerSecond").toFixed(1)}`,
            `${floor2(ratio)}× (${floor2(medianRatio)}×)`,
            `${medianOf(r.curl, "cpuPerGiB").toFixed(2)} / ${medianOf(ours, "cpuPerGiB").toFixed(2)} / ${medianOf(ours, "simCpuPerGiB").toFixed(2)}`,
            `${peak.toFixed(1)} MiB`,
            r.small ? `${r.small.maxRssMiB.toFixed(1)} MiB` : "–",
            misses.length ? `NO (${misses.join(", ")})` : "yes",
        ]);
    };
    for (const r of rows) {
        line(r, r.kind, r.ours);
    }
    for (const [vendor, why] of Object.entries(NO_UPLOAD_PATH)) lines.push([vendor, "–", "–", "–", "–", "–", "–", "–", "–", why]);
    const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
    const fmt = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(" | ")} |`;
    console.log("");
    console.log(fmt(header));
    console.log(`|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`);
    for (const l of lines) console.log(fmt(l));
    console.log("");
    for (const r of rows) console.log(`${r.vendor}: ${r.request}; load average ${r.loadBefore} → ${r.loadAfter}`);
    console.log(
        `goals: ratio of the best runs ≥ ${RATIO_GOAL}× curl; peak RSS ≤ ${RSS_GOAL_MIB} MiB` +
            (smallMiB > 0 ? ` and within ${FLAT_SLACK_MIB} MiB of the ${smallLabel} upload` : "") +
            "; CPU columns are medians",
    );
    return allMet;
}

const dir = await mkdtemp(join(tmpdir(), "bench-upload-"));
try {
    console.log(
        `bench/upload: ${vendors.join(", ")}; ${sizeMiB} MiB (+ ${smallMiB} MiB); ${rounds} round(s); node ${process.version}; ` +
            `${cpus().length}× ${cpus()[0]?.model ?? "?"}; load average ${load()}`,
    );
    const rows: Row[] = [];
    for (const vendor of vendors) rows.push(await benchVendor(vendor, dir));
    const met = printTable(rows);
    // The simulators run here: a body buffered anywhere on the receiving side would show as ≥ the image size.
    console.log(
        `simulators' process peak RSS: ${(process.resourceUsage().maxRSS / 1024).toFixed(1)} MiB after receiving every upload (a buffered body would add its ${sizeMiB} MiB)`,
    );
    if (strict && !met) process.exitCode = 1;
} finally {
    await rm(dir, { recursive: true, force: true });
}
