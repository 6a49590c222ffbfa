/**
 * Polling benchmark: status GETs and detection lag of every waiting resource kind, next to the
 * anchors' blind cadences, for the same simulated 30-minute operations.
 *
 *   npm run build && node bench/polling.mts [--runs 11] [--kind avisi] [--by-op]   # or: npm run bench:polling
 *
 * - Each kind's handler runs against its simulator on one fake clock (the handler's FakeClock moves
 *   the simulator's manual clock), so a 30-minute operation takes milliseconds. The operation's
 *   phases are set so it lasts about 30 minutes ± a few, differently in each run.
 * - Flip: the moment the simulator's last state timer fired before the handler's final poll (the
 *   simulators move devices on timers). Lag = handler returns − flip. GETs = status reads the
 *   simulator counted while the handler ran (its call counters).
 * - "hints removed": the same run with every progress %, ETA and window start removed from what the
 *   waiter sees (its `waitFor` is wrapped in this process), so the handler's own cadence is shown.
 * - "no ETA stretch (old default)": the same runs with the waiter's `maxHintedDelayMs` at `maxDelayMs`
 *   (before it defaulted to 120 s): an ETA then only shortens polls.
 * - "learned durations, fleet sequence": the kinds without a usable vendor hint, with the 11 runs as
 *   one fleet in one provider process, in a seeded order (their lengths vary ± 4 min in no particular
 *   order): each run's wait knows the durations of the runs before it (learned-durations.ts); the
 *   first has none. The other rows give every run a fresh process (one device, nothing learned).
 * - Anchors, computed for the same start and flip: fixed 15 s (steelscript example), fixed 30 s
 *   (Avi playbook), 1 s → 10 s doubling backoff (sdpctl). Goal: ≤ 40 GETs and ≤ 10 s median lag.
 *
 * - `--by-op`: a second table with the median GETs of each status operation (which reads a poll costs).
 *
 * Not part of `npm test`; prints figures, asserts nothing (`--strict` exits 1 when a goal is missed).
 */
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { existsSync } from "node:fs";

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
if (!existsSync(join(here, "../bin/provider/core/waiter.js"))) {
    console.error("bench/polling: build the package first (npm run build)");
    process.exit(2);
}
const { KINDS, withTempDir, newDurations } = await import("./polling-kinds.mts");

const MINUTE = 60_000;
const GOAL = { gets: 40, lagMs: 10_000 };
const runsArg = process.argv.indexOf("--runs");
const RUNS = runsArg > 0 ? Math.max(1, Number(process.argv[runsArg + 1]) || 11) : 11;
const strict = process.argv.includes("--strict");
const kindArg = process.argv.indexOf("--kind");
const onlyKind = kindArg > 0 ? process.argv[kindArg + 1] : undefined;
const byOp = process.argv.includes("--by-op");

// ---- the waiter, wrapped: strips hints on demand and remembers the polls of the last wait ----
interface Poll {
    at: number;
    state: string;
    done: boolean;
}
const waiter = require(join(here, "../bin/provider/core/waiter.js"));
const realWaitFor = waiter.waitFor;
let stripHints = false;
/** Turns the waiter's ETA stretch off (`maxHintedDelayMs` = `maxDelayMs`, the old default), to show what it buys. */
let noStretch = false;
let lastWaitPolls: Poll[] = [];
waiter.waitFor = (options: Record<string, any>) => {
    const polls: Poll[] = [];
    lastWaitPolls = polls;
    const clock = options.clock;
    return realWaitFor({
        ...options,
        ...(noStretch ? { maxHintedDelayMs: options.maxDelayMs ?? 30_000 } : {}),
        refresh: async () => {
            const o = await options.refresh();
            polls.push({ at: clock.now(), state: o.state, done: options.target.includes(o.state) });
            return stripHints ? { ...o, progressPercent: undefined, etaMs: undefined, notBefore: undefined } : o;
        },
    });
};

// ---- seeded randomness (the waiter's jitter), so a run can be repeated ----
function seeded(seed: number): () => number {
    let a = seed >>> 0;
    return () => {
        a = (a + 0x6d2b79f5) >>> 0;
        let t = a;
        t = Math.imul(t ^ (t >>> 15), t | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
}

interface Measure {
    gets: number;
    lagMs: number;
    /** GETs per status operation. */
    ops?: Record<string, number>;
}

/** The anchors: polls at `start + t` for t in `schedule` until the first one at or after `flip`. */
function anchor(flipAfterMs: number, nextDelay: (i: number) => number): Measure {
    let t = 0;
    let gets = 1;
    for (let i = 0; t < flipAfterMs; i++) {
        t += nextDelay(i);
        gets++;
    }
    return { gets, lagMs: t - flipAfterMs };
}
const ANCHORS: { name: string; delay: (i: number) => number }[] = [
    { name: "fixed 15 s", delay: () => 15_000 },
    { name: "fixed 30 s", delay: () => 30_000 },
    { name: "1→10 s backoff", delay: (i) => Math.min(10_000, 1_000 * 2 ** i) },
];

async function measure(
    kind: (typeof KINDS)[number],
    opMs: number,
    seed: number,
    tmp: string,
    durations: ReturnType<typeof newDurations>,
): Promise<Measure & { flipAfterMs: number }> {
    const p = await kind.prepare(opMs, tmp, durations);
    try {
        const before = p.calls.snapshot();
        const start = p.clock.now();
        Math.random = seeded(seed);
        await p.run();
        const returned = p.clock.now();
        const after = p.calls.snapshot();
        const ops = Object.fromEntries(kind.statusOps.map((op) => [op, (after[op]?.received ?? 0) - (before[op]?.received ?? 0)]));
        const gets = Object.values(ops).reduce((sum, n) => sum + n, 0);
        // The flip lies after the last poll that did not see it: the last state timer in that interval.
        const pending = lastWaitPolls.filter((poll) => !poll.done);
        const lastPending = pending.length ? pending[pending.length - 1].at : start;
        const timers = p.simClock.fired.filter((t) => t > lastPending && t <= returned);
        const flip = timers.length ? timers[timers.length - 1] : lastPending;
        return { gets, ops, lagMs: returned - flip, flipAfterMs: flip - start };
    } finally {
        await p.close();
    }
}

const median = (xs: number[]) => {
    const s = [...xs].sort((a, b) => a - b);
    const m = s.length >> 1;
    return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

const NONE_GIVEN = "no hints given (one device)";
const WITH = "hints";
const NO_STRETCH = "hints, no ETA stretch (old default)";
const WITHOUT = "hints removed";
const FLEET = "learned durations, fleet sequence";
const FLEET_WITH = "hints + learned durations, fleet";

/** The order of the runs in a fleet sequence: seeded, so the operation lengths come in no particular order. */
function fleetOrder(n: number): number[] {
    const random = seeded(4242);
    const order = Array.from({ length: n }, (_, i) => i);
    for (let i = n - 1; i > 0; i--) {
        const j = Math.floor(random() * (i + 1));
        [order[i], order[j]] = [order[j], order[i]];
    }
    return order;
}

const log = console.log;
console.log = () => undefined; // the handlers' progress lines
const rows: string[][] = [];
const opRows: string[] = [];
let missed = 0;
await withTempDir(async (tmp) => {
    for (const kind of KINDS.filter((k) => onlyKind === undefined || k.name.includes(onlyKind))) {
        const flips: number[] = [];
        const modes =
            kind.hints === "none"
                ? [NONE_GIVEN, ...(kind.learns ? [FLEET] : [])]
                : [WITH, ...(kind.learns ? [FLEET_WITH] : [NO_STRETCH]), WITHOUT];
        for (const mode of modes) {
            stripHints = mode === WITHOUT;
            noStretch = mode === NO_STRETCH;
            const fleet = mode === FLEET || mode === FLEET_WITH;
            // One device per run (a fresh provider process), or one fleet: the runs in a seeded order
            // sharing one process's learned durations (the first of them has nothing learned yet).
            const shared = newDurations();
            const results: Measure[] = [];
            for (const run of fleet ? fleetOrder(RUNS) : Array.from({ length: RUNS }, (_, i) => i)) {
                // 26–34 minutes, plus a seeded 0–60 s so the flip falls anywhere between two anchor polls.
                const spread = Math.round(((run - (RUNS - 1) / 2) * 8 * MINUTE) / Math.max(1, RUNS - 1));
                const opMs = 30 * MINUTE + spread + Math.floor(seeded(77 + run)() * MINUTE);
                const r = await measure(kind, opMs, 1_000 + run, tmp, fleet ? shared : newDurations());
                results.push(r);
                if (mode === modes[0]) flips.push(r.flipAfterMs);
            }
            const gets = median(results.map((r) => r.gets));
            const lag = median(results.map((r) => r.lagMs));
            const ok = gets <= GOAL.gets && lag <= GOAL.lagMs;
            if (!ok) missed++;
            const label = mode === WITH ? `hints (${kind.hints})` : mode;
            rows.push([mode === modes[0] ? kind.name : "", label, String(gets), secs(lag), ok ? "yes" : "NO"]);
            const perOp = kind.statusOps.map((op) => `${op} ${median(results.map((r) => r.ops?.[op] ?? 0))}`);
            opRows.push(`${kind.name}, ${label}: ${perOp.join(", ")}`);
        }
        for (const a of ANCHORS) {
            const r = flips.map((f) => anchor(f, a.delay));
            rows.push(["", `anchor ${a.name}`, String(median(r.map((x) => x.gets))), secs(median(r.map((x) => x.lagMs))), ""]);
        }
        rows.push(["", `(operation length, median)`, "", secs(median(flips)), ""]);
    }
});
console.log = log;

const header = ["kind", "cadence", "status GETs (median)", "lag (median)", `≤${GOAL.gets} & ≤${GOAL.lagMs / 1000} s`];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(" | ")} |`;
console.log(`bench/polling: ${RUNS} runs per kind (30-minute operations ± 4 min), fake clock, median per cell`);
console.log(line(header));
console.log(`|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`);
for (const r of rows) console.log(line(r));
if (byOp) {
    console.log("\nmedian GETs per status operation (medians need not add up to the total's median):");
    for (const r of opRows) console.log(`- ${r}`);
}
if (strict && missed > 0) process.exit(1);
