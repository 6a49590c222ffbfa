/**
 * `npm run bench:preview-scale`: what an unchanged `pulumi preview` of a large mixed fleet costs, next to a no-op
 * dynamic-provider stack of the same size on the same engine, in the same run (issue 14, part 2).
 *
 *  1. packs this package and installs the tarball into a scratch `node_modules` (as a user gets it), with the
 *     two programs of bench/preview-scale/: `fleet/` (one upgrade resource per simulated device) and `noop/`;
 *  2. starts `--devices N` simulated devices in this process (Riverbed, Appgate, Unity, Avi, Avisi, evenly);
 *  3. `pulumi up` on both stacks (offline: file backend, passphrase secrets; scripts/pulumi-offline.ts);
 *  4. `--rounds` rounds of an unchanged `pulumi preview` on each, alternating which goes first, counting the
 *     vendor calls each preview of ours made (simulator counters; must be 0) and sampling the peak RSS and CPU
 *     time of the processes the engine starts (/proc);
 *  5. state size per resource (`pulumi stack export`, secrets encrypted as stored), and what it is made of;
 *  6. `pulumi refresh` of both: time, and vendor calls per resource per vendor.
 *
 * Figures are printed, never asserted (`--strict` exits 1 when a goal is missed).
 */
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import type { Stack } from "@pulumi/pulumi/automation/index.js";
import { createOfflineStack } from "../scripts/pulumi-offline.ts";
import { ProcessSampler, type ProcessUsage } from "./preview-scale/processes.mts";
import { startBenchFleet, VENDORS, type BenchFleet } from "./preview-scale/simulators.mts";
import { stateBreakdown, type StateFigures } from "./preview-scale/state.mts";

const repo = resolve(import.meta.dirname, "..");
const GOAL_RATIO = 1.5;

const { values: opts } = parseArgs({
    options: {
        devices: { type: "string", default: "500" },
        rounds: { type: "string", default: "3" },
        "no-refresh": { type: "boolean", default: false },
        strict: { type: "boolean", default: false },
        keep: { type: "boolean", default: false },
    },
    strict: true,
});
const devices = Number(opts.devices);
const rounds = Number(opts.rounds);
if (!Number.isInteger(devices) || devices < 5 || !Number.isInteger(rounds) || rounds < 1) {
    process.stderr.write(
        "usage: node bench/preview-scale.mts [--devices N (≥5, default 500)] [--rounds R] [--no-refresh] [--strict] [--keep]\n",
    );
    process.exit(2);
}

const started = Date.now();
const say = (line = "") => process.stdout.write(`${line}\n`);
const t = () => `t+${((Date.now() - started) / 1000).toFixed(0)}s`;
const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const median = (xs: number[]) => {
    const s = [...xs].sort((a, b) => a - b);
    return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const load = () =>
    loadavg()
        .map((l) => l.toFixed(2))
        .join(", ");

/** The package as a user gets it: `npm pack`, installed (not linked) with the SDK into `<work>/programs/node_modules`. */
function installPackage(work: string): string {
    const pack = join(work, "pack");
    mkdirSync(pack, { recursive: true });
    execFileSync("npm", ["pack", "--silent", "--ignore-scripts", "--pack-destination", pack], {
        cwd: repo,
        stdio: ["ignore", "ignore", "inherit"],
    });
    const tarball = join(
        pack,
        readdirSync(pack).find((f) => f.endsWith(".tgz"))!,
    );
    const programs = join(work, "programs");
    mkdirSync(programs, { recursive: true });
    const root = JSON.parse(readFileSync(join(repo, "package.json"), "utf8"));
    const dependencies = {
        "pulumi-upgrades": `file:${tarball}`,
        "@pulumi/pulumi": root.devDependencies["@pulumi/pulumi"],
        typescript: root.devDependencies.typescript,
    };
    writeFileSync(join(programs, "package.json"), JSON.stringify({ name: "preview-scale-programs", private: true, dependencies }, null, 2));
    execFileSync("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error", "--install-links"], {
        cwd: programs,
        stdio: ["ignore", "ignore", "inherit"],
    });
    for (const program of ["fleet", "noop"])
        cpSync(join(import.meta.dirname, "preview-scale", program), join(programs, program), { recursive: true });
    return programs;
}

interface BenchStack {
    label: string;
    stack: Stack;
    env: Record<string, string>;
    dir: string;
    resources: number;
}

async function makeStack(
    label: string,
    engineBin: string,
    work: string,
    dir: string,
    config: Record<string, { value: string; secret?: boolean }>,
) {
    const stateDir = join(work, `state-${label}`);
    const { stack, env } = await createOfflineStack({ engineBin, stateDir, workDir: dir, stackName: label });
    await stack.setAllConfig(config);
    return { stack, env, dir };
}

/** Runs one operation with the process sampler around it; returns its wall time and what the processes used. */
async function measured<T>(run: () => Promise<T>): Promise<{ ms: number; result: T; usage: ProcessUsage }> {
    const sampler = new ProcessSampler();
    const t0 = performance.now();
    try {
        const result = await run();
        return { ms: performance.now() - t0, result, usage: sampler.stop() };
    } catch (err) {
        sampler.stop();
        throw err;
    }
}

function sumCalls(fleet: BenchFleet): number {
    return Object.values(fleet.calls().total).reduce((a, b) => a + b, 0);
}

async function main(): Promise<void> {
    const engineBin = execFileSync("bash", [join(repo, "scripts/pulumi-engine.sh")], {
        encoding: "utf8",
        stdio: ["ignore", "pipe", "inherit"],
    }).trim();
    const work = mkdtempSync(join(tmpdir(), "preview-scale-"));
    let fleet: BenchFleet | undefined;
    try {
        say(
            `bench/preview-scale: ${devices} devices, ${rounds} preview rounds; ${cpus().length} × ${cpus()[0]?.model ?? "?"}; node ${process.version}`,
        );
        say(`  load average at start: ${load()}`);
        const programs = installPackage(work);
        say(`  package packed and installed (${t()})`);

        fleet = await startBenchFleet(devices, work, randomBytes(12).toString("base64url"));
        say(`  simulators: ${VENDORS.map((v) => `${v} ${fleet!.devices[v]}`).join(", ")} (${t()})`);

        const ours = await makeStack("fleet", engineBin, work, join(programs, "fleet"), {
            ...fleet.config,
            "bench:spec": { value: JSON.stringify(fleet.spec) },
        });
        const resources = devices + (fleet.devices.avisi > 0 ? 1 : 0); // + the Avisi maintenance schedule
        const noop = await makeStack("noop", engineBin, work, join(programs, "noop"), { "bench:count": { value: String(resources) } });
        const stacks: BenchStack[] = [
            { label: "pulumi-upgrades", resources, ...ours },
            { label: "no-op dynamic", resources, ...noop },
        ];

        // up
        for (const s of stacks) {
            const up = await measured(() => s.stack.up({ color: "never" }));
            const created = up.result.summary.resourceChanges?.create ?? 0;
            say(`  up ${s.label}: ${created} created in ${seconds(up.ms)} (${t()}, load ${load()})`);
        }

        // previews, alternating
        const times: Record<string, number[]> = { [stacks[0]!.label]: [], [stacks[1]!.label]: [] };
        const usages: Record<string, ProcessUsage[]> = { [stacks[0]!.label]: [], [stacks[1]!.label]: [] };
        let previewCalls = 0;
        for (let round = 0; round < rounds; round++) {
            const order = round % 2 === 0 ? stacks : [...stacks].reverse();
            for (const s of order) {
                const before = sumCalls(fleet);
                const p = await measured(() => s.stack.preview({ color: "never" }));
                if (s === stacks[0]) previewCalls += sumCalls(fleet) - before;
                const changes = Object.entries(p.result.changeSummary).filter(([op, n]) => op !== "same" && n > 0);
                if (changes.length) throw new Error(`preview of ${s.label} is not unchanged: ${JSON.stringify(p.result.changeSummary)}`);
                times[s.label]!.push(p.ms);
                usages[s.label]!.push(p.usage);
            }
            say(
                `  preview round ${round + 1}: ${stacks.map((s) => `${s.label} ${seconds(times[s.label]!.at(-1)!)}`).join(", ")} (${t()}, load ${load()})`,
            );
        }

        // state
        const state: Record<string, StateFigures> = {};
        for (const s of stacks) state[s.label] = stateBreakdown(exportState(s));

        // refresh
        const refresh: Record<string, { ms: number; calls: Record<string, number>; ops: Record<string, number> }> = {};
        if (!opts["no-refresh"]) {
            for (const s of stacks) {
                const before = fleet.calls();
                const r = await measured(() => s.stack.refresh({ color: "never" }));
                const after = fleet.calls();
                const calls = Object.fromEntries(VENDORS.map((v) => [v, after.total[v] - before.total[v]]));
                const ops = Object.fromEntries(
                    Object.entries(after.byOperation)
                        .map(([op, n]) => [op, n - (before.byOperation[op] ?? 0)] as const)
                        .filter(([, n]) => n > 0),
                );
                refresh[s.label] = { ms: r.ms, calls, ops };
                say(`  refresh ${s.label}: ${seconds(r.ms)} (${t()}, load ${load()})`);
            }
        }

        report({ stacks, times, usages, previewCalls, state, refresh, fleet });
        if (opts.keep) say(`\nkept: ${work}`);
        const ratio = median(times[stacks[0]!.label]!) / median(times[stacks[1]!.label]!);
        if (opts.strict && (ratio > GOAL_RATIO || previewCalls > 0)) process.exitCode = 1;
    } finally {
        await fleet?.stop();
        if (!opts.keep) rmSync(work, { recursive: true, force: true });
    }
}

/** `pulumi stack export` as stored (secrets encrypted): the bytes a state backend keeps. */
function exportState(s: BenchStack): string {
    return execFileSync(join(s.env.PATH!.split(":")[0]!, "pulumi"), ["stack", "export", "--stack", s.stack.name], {
        cwd: s.dir,
        env: { ...process.env, ...s.env },
        encoding: "utf8",
        maxBuffer: 1 << 30,
    });
}

function report(r: {
    stacks: BenchStack[];
    times: Record<string, number[]>;
    usages: Record<string, ProcessUsage[]>;
    previewCalls: number;
    state: Record<string, StateFigures>;
    refresh: Record<string, { ms: number; calls: Record<string, number>; ops: Record<string, number> }>;
    fleet: BenchFleet;
}): void {
    const [ours, noop] = r.stacks.map((s) => s.label) as [string, string];
    const mOurs = median(r.times[ours]!);
    const mNoop = median(r.times[noop]!);
    const ratio = mOurs / mNoop;
    const usage = (label: string, role: "program" | "provider") => {
        const u = r.usages[label]!.map((x) => x[role]).filter((x) => x !== undefined);
        return { peak: Math.max(0, ...u.map((x) => x.peakMiB)), cpu: median(u.map((x) => x.cpuSeconds)) };
    };
    say(
        `\nbench/preview-scale: ${r.stacks[0]!.resources} resources per stack (${VENDORS.map((v) => `${v} ${r.fleet.devices[v]}`).join(", ")}), load ${load()}`,
    );
    say(
        "| stack | preview (median) | each round | program CPU | provider CPU | provider peak RSS | program peak RSS | state bytes / resource |",
    );
    say("|---|---|---|---|---|---|---|---|");
    for (const label of [ours, noop]) {
        const prog = usage(label, "program");
        const prov = usage(label, "provider");
        say(
            `| ${label} | ${seconds(median(r.times[label]!))} | ${r.times[label]!.map((ms) => (ms / 1000).toFixed(2)).join(" / ")} | ` +
                `${prog.cpu.toFixed(2)} s | ${prov.cpu.toFixed(2)} s | ${prov.peak.toFixed(1)} MiB | ${prog.peak.toFixed(1)} MiB | ` +
                `${Math.round(r.state[label]!.bytesPerResource)} |`,
        );
    }
    say(
        `ratio ours / no-op: ${ratio.toFixed(2)}× (goal ≤ ${GOAL_RATIO}×: ${ratio <= GOAL_RATIO ? "met" : `missed by ${(ratio - GOAL_RATIO).toFixed(2)}×`})`,
    );
    say(`vendor calls during our ${r.times[ours]!.length} previews: ${r.previewCalls} (must be 0)`);
    say(`\nstate per resource of ${ours}, by kind (bytes: whole resource / __provider / inputs / outputs):`);
    for (const [kind, k] of Object.entries(r.state[ours]!.byKind)) {
        say(
            `  ${kind.padEnd(32)} ${k.count} × ${Math.round(k.bytes)} / ${Math.round(k.provider)} / ${Math.round(k.inputs)} / ${Math.round(k.outputs)}`,
        );
    }
    const n = r.state[noop]!.byKind;
    for (const [kind, k] of Object.entries(n))
        say(
            `  ${`(no-op) ${kind}`.padEnd(32)} ${k.count} × ${Math.round(k.bytes)} / ${Math.round(k.provider)} / ${Math.round(k.inputs)} / ${Math.round(k.outputs)}`,
        );
    if (Object.keys(r.refresh).length) {
        say("\nrefresh (--skip-preview, as the Automation API runs it): time, vendor calls per resource");
        say("| stack | time | " + VENDORS.join(" | ") + " |");
        say("|---|---|" + VENDORS.map(() => "---").join("|") + "|");
        for (const label of [ours, noop]) {
            const f = r.refresh[label]!;
            const cells = VENDORS.map((v) => (r.fleet.devices[v] && label === ours ? (f.calls[v]! / r.fleet.devices[v]).toFixed(2) : "–"));
            say(`| ${label} | ${seconds(f.ms)} | ${cells.join(" | ")} |`);
        }
        say(
            `  by operation: ${Object.entries(r.refresh[ours]!.ops)
                .map(([op, c]) => `${op} ${c}`)
                .join(", ")}`,
        );
    }
}

await main();
