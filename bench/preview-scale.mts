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
import { cpSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import type { Stack } from "@pulumi/pulumi/automation/index.js";
import { installPackedPackage } from "../scripts/install-packed.ts";
import { createOfflineStack } from "../scripts/pulumi-offline.ts";
import { ProcessSampler, type ProcessRole, type ProcessUsage } from "./preview-scale/processes.mts";
import { startBenchFleet, VENDORS, type BenchFleet } from "./preview-scale/simulators.mts";
import { stateBreakdown, type StateFigures } from "./preview-scale/state.mts";

const repo = resolve(import.meta.dirname, "..");
const GOAL_RATIO = 1.5;
const OURS = "pulumi-upgrades";
const NOOP = "no-op dynamic";
const NOOP_WIDE = "no-op, as wide";
/** Properties of a plain no-op resource: name, site, version and __provider. */
const NOOP_PROPERTIES = 4;

const { values: opts } = parseArgs({
    options: {
        devices: { type: "string", default: "500" },
        rounds: { type: "string", default: "3" },
        "no-refresh": { type: "boolean", default: false },
        strict: { type: "boolean", default: false },
        keep: { type: "boolean", default: false },
        "cpu-prof": { type: "string" },
    },
    strict: true,
});
const devices = Number(opts.devices);
const rounds = Number(opts.rounds);
if (!Number.isInteger(devices) || devices < 5 || !Number.isInteger(rounds) || rounds < 1) {
    process.stderr.write(
        "usage: node bench/preview-scale.mts [--devices N (≥5, default 500)] [--rounds R] [--no-refresh] [--strict] [--keep] [--cpu-prof DIR]\n",
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

/** The package as a user gets it (scripts/install-packed.ts), with this bench's two programs next to it. */
function installPackage(work: string): string {
    const { programs } = installPackedPackage(repo, work, "preview-scale-programs");
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

/** `pulumi up` with enough parallelism for the fleet's short simulated waits (the default, 8, would serialize them). */
async function up(s: BenchStack): Promise<void> {
    const r = await measured(() => s.stack.up({ color: "never", parallel: 64 }));
    const created = r.result.summary.resourceChanges?.create ?? 0;
    say(`  up ${s.label}: ${created} created in ${seconds(r.ms)} (${t()}, load ${load()})`);
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
        const stacks: BenchStack[] = [{ label: OURS, resources, ...ours }];
        await up(stacks[0]!);
        // The references: a no-op of 3 inputs, and one as wide as ours (the same number of properties per resource).
        const width = Math.round(stateBreakdown(exportState(stacks[0]!)).propertiesPerResource);
        for (const [label, outputs] of [
            [NOOP, 0],
            [NOOP_WIDE, Math.max(0, width - NOOP_PROPERTIES)],
        ] as const) {
            const config = { "bench:count": { value: String(resources) }, "bench:outputs": { value: String(outputs) } };
            const noop = await makeStack(label.replace(/\W+/g, "-"), engineBin, work, join(programs, "noop"), config);
            stacks.push({ label, resources, ...noop });
            await up(stacks.at(-1)!);
        }

        // previews, alternating
        const times: Record<string, number[]> = Object.fromEntries(stacks.map((s) => [s.label, []]));
        const usages: Record<string, ProcessUsage[]> = Object.fromEntries(stacks.map((s) => [s.label, []]));
        let previewCalls = 0;
        for (let round = 0; round < rounds; round++) {
            // Each round starts with the next stack, so none is always first (or always right after another).
            const order = [...stacks.slice(round % stacks.length), ...stacks.slice(0, round % stacks.length)];
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

        // one more, profiled, preview of each (not timed): node --cpu-prof in the program and the provider process
        if (opts["cpu-prof"]) {
            for (const s of stacks) {
                const dir = resolve(opts["cpu-prof"], s.label.replace(/\W+/g, "-"));
                mkdirSync(dir, { recursive: true });
                const envVars = (s.stack.workspace as unknown as { envVars: Record<string, string> }).envVars;
                envVars.NODE_OPTIONS = `--cpu-prof --cpu-prof-dir=${dir}`;
                await s.stack.preview({ color: "never" }).finally(() => (envVars.NODE_OPTIONS = ""));
                say(`  profiled preview of ${s.label}: ${dir} (${t()})`);
            }
        }

        // state
        const state: Record<string, StateFigures> = {};
        for (const s of stacks) state[s.label] = stateBreakdown(exportState(s));

        // refresh
        const refresh: Record<string, { ms: number; calls: Record<string, number>; ops: Record<string, number> }> = {};
        if (!opts["no-refresh"]) {
            for (const s of stacks.filter((x) => x.label !== NOOP_WIDE)) {
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
        const ratio = median(times[OURS]!) / median(times[NOOP]!);
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
    const labels = r.stacks.map((s) => s.label);
    const usage = (label: string, role: ProcessRole) => {
        const u = r.usages[label]!.map((x) => x[role]).filter((x) => x !== undefined);
        return { peak: Math.max(0, ...u.map((x) => x.peakMiB)), cpu: u.length ? median(u.map((x) => x.cpuSeconds)) : 0 };
    };
    const totalCpu = (label: string) => median(r.usages[label]!.map((u) => Object.values(u).reduce((sum, x) => sum + x.cpuSeconds, 0)));
    const wall = (label: string) => median(r.times[label]!);
    say(
        `\nbench/preview-scale: ${r.stacks[0]!.resources} resources per stack (${VENDORS.map((v) => `${v} ${r.fleet.devices[v]}`).join(", ")}), load ${load()}`,
    );
    say(
        "| stack | properties / resource | preview (median) | each round | CPU, all processes | program CPU | provider CPU | engine CPU | provider peak RSS | program peak RSS | state bytes / resource |",
    );
    say("|---|---|---|---|---|---|---|---|---|---|---|");
    for (const label of labels) {
        const [prog, prov, cli] = (["program", "provider", "cli"] as const).map((role) => usage(label, role));
        say(
            `| ${label} | ${r.state[label]!.propertiesPerResource.toFixed(1)} | ${seconds(wall(label))} | ` +
                `${r.times[label]!.map((ms) => (ms / 1000).toFixed(2)).join(" / ")} | ${totalCpu(label).toFixed(2)} s | ` +
                `${prog!.cpu.toFixed(2)} s | ${prov!.cpu.toFixed(2)} s | ${cli!.cpu.toFixed(2)} s | ${prov!.peak.toFixed(1)} MiB | ${prog!.peak.toFixed(1)} MiB | ` +
                `${Math.round(r.state[label]!.bytesPerResource)} |`,
        );
    }
    for (const reference of labels.slice(1)) {
        const ratio = wall(OURS) / wall(reference);
        const verdict =
            reference === NOOP
                ? ` (goal ≤ ${GOAL_RATIO}×: ${ratio <= GOAL_RATIO ? "met" : `missed by ${(ratio - GOAL_RATIO).toFixed(2)}×`})`
                : "";
        say(
            `ours / ${reference}: preview ${ratio.toFixed(2)}×${verdict}; CPU of all processes ${(totalCpu(OURS) / totalCpu(reference)).toFixed(2)}×`,
        );
    }
    say(`vendor calls during our ${r.times[OURS]!.length} previews: ${r.previewCalls} (must be 0)`);
    say(
        "\nstate per resource, by kind (compact JSON bytes: whole resource / both __provider copies / inputs / outputs; the export is indented):",
    );
    for (const label of [OURS, NOOP]) {
        for (const [kind, k] of Object.entries(r.state[label]!.byKind)) {
            const figures = [k.bytes, k.provider, k.inputs, k.outputs].map((b) => Math.round(b)).join(" / ");
            say(`  ${kind.padEnd(32)} ${String(k.count).padStart(4)} × ${figures}`);
        }
    }
    if (Object.keys(r.refresh).length) {
        say("\nrefresh (--skip-preview, as the Automation API runs it): time, vendor calls per resource");
        say(`| stack | time | ${VENDORS.join(" | ")} |`);
        say(`|---|---|${VENDORS.map(() => "---").join("|")}|`);
        for (const label of [OURS, NOOP]) {
            const f = r.refresh[label]!;
            const cells = VENDORS.map((v) => (r.fleet.devices[v] && label === OURS ? (f.calls[v]! / r.fleet.devices[v]).toFixed(2) : "–"));
            say(`| ${label} | ${seconds(f.ms)} | ${cells.join(" | ")} |`);
        }
        const ops = Object.entries(r.refresh[OURS]!.ops).map(([op, c]) => `${op} ${c}`);
        say(`  by operation: ${ops.join(", ")}`);
    }
}

await main();
