/**
 * Polling benchmark: status GETs and detection lag of every waiting resource kind, next to the
 * anchors' blind cadences, for the same simulated 30-minute operations.
 *
 *   npm run build && node bench/polling.mts [--runs 11]        # or: npm run bench:polling
 *
 * - Each kind's handler runs against its simulator on one fake clock (the handler's FakeClock moves
 *   the simulator's manual clock), so a 30-minute operation takes milliseconds. The operation's
 *   phases are set so it lasts about 30 minutes ± a few, differently in each run.
 * - Flip: the moment the simulator's last state timer fired before the handler's final poll (the
 *   simulators move devices on timers). Lag = handler returns − flip. GETs = status reads the
 *   simulator counted while the handler ran (its call counters).
 * - "hints removed": the same run with every progress %, ETA and window start removed from what the
 *   waiter sees (its `waitFor` is wrapped in this process), so the handler's own cadence is shown.
 * - "ETA stretch": the same run with the waiter's `maxHintedDelayMs` at 120 s (off by default): an
 *   ETA then also lengthens polls while the end is far.
 * - Anchors, computed for the same start and flip: fixed 15 s (steelscript example), fixed 30 s
 *   (Avi playbook), 1 s → 10 s doubling backoff (sdpctl). Goal: ≤ 40 GETs and ≤ 10 s median lag.
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
const { KINDS, withTempDir } = await import("./polling-kinds.mts");

const MINUTE = 60_000;
const GOAL = { gets: 40, lagMs: 10_000 };
const runsArg = process.argv.indexOf("--runs");
const RUNS = runsArg > 0 ? Math.max(1, Number(process.argv[runsArg + 1]) || 11) : 11;
const strict = process.argv.includes("--strict");

// ---- the waiter, wrapped: strips hints on demand and remembers the polls of the last wait ----
interface Poll {
    at: number;
    state: string;
    done: boolean;
}
const waiter = require(join(here, "../bin/provider/core/waiter.js"));
const realWaitFor = waiter.waitFor;
let stripHints = false;
/** The waiter's ETA stretch (`maxHintedDelayMs`, off by default), to show what it would buy. */
let stretchMs: number | undefined;
let lastWaitPolls: Poll[] = [];
waiter.waitFor = (options: Record<string, any>) => {
    const polls: Poll[] = [];
    lastWaitPolls = polls;
    const clock = options.clock;
    return realWaitFor({
        ...options,
        ...(stretchMs !== undefined && options.maxHintedDelayMs === undefined ? { maxHintedDelayMs: stretchMs } : {}),
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

async function measure(kind: (typeof KINDS)[number], opMs: number, seed: number, tmp: string): Promise<Measure & { flipAfterMs: number }> {
    const p = await kind.prepare(opMs, tmp);
    try {
        const before = p.calls.snapshot();
        const start = p.clock.now();
        Math.random = seeded(seed);
        await p.run();
        const returned = p.clock.now();
        const after = p.calls.snapshot();
        const gets = kind.statusOps.reduce((sum, op) => sum + (after[op]?.received ?? 0) - (before[op]?.received ?? 0), 0);
        // The flip lies after the last poll that did not see it: the last state timer in that interval.
        const pending = lastWaitPolls.filter((poll) => !poll.done);
        const lastPending = pending.length ? pending[pending.length - 1].at : start;
        const timers = p.simClock.fired.filter((t) => t > lastPending && t <= returned);
        const flip = timers.length ? timers[timers.length - 1] : lastPending;
        return { gets, lagMs: returned - flip, flipAfterMs: flip - start };
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

const NONE_GIVEN = "no hints given";
const WITH = "hints";
const WITH_STRETCH = "hints + ETA stretch ≤120 s";
const WITHOUT = "hints removed";
const STRETCH_MS = 120_000;

const log = console.log;
console.log = () => undefined; // the handlers' progress lines
const rows: string[][] = [];
let missed = 0;
await withTempDir(async (tmp) => {
    for (const kind of KINDS) {
        const flips: number[] = [];
        const modes = kind.hints === "none" ? [NONE_GIVEN] : [WITH, WITH_STRETCH, WITHOUT];
        for (const mode of modes) {
            const hints = mode !== WITHOUT && mode !== NONE_GIVEN;
            stripHints = !hints;
            stretchMs = mode === WITH_STRETCH ? STRETCH_MS : undefined;
            const results: Measure[] = [];
            for (let run = 0; run < RUNS; run++) {
                // 26–34 minutes, plus a seeded 0–60 s so the flip falls anywhere between two anchor polls.
                const spread = Math.round(((run - (RUNS - 1) / 2) * 8 * MINUTE) / Math.max(1, RUNS - 1));
                const opMs = 30 * MINUTE + spread + Math.floor(seeded(77 + run)() * MINUTE);
                const r = await measure(kind, opMs, 1_000 + run, tmp);
                results.push(r);
                if (mode === WITH || mode === NONE_GIVEN) flips.push(r.flipAfterMs);
            }
            const gets = median(results.map((r) => r.gets));
            const lag = median(results.map((r) => r.lagMs));
            const ok = gets <= GOAL.gets && lag <= GOAL.lagMs;
            if (!ok) missed++;
            const label = mode === WITH ? `hints (${kind.hints})` : mode;
            rows.push([mode === modes[0] ? kind.name : "", label, String(gets), secs(lag), ok ? "yes" : "NO"]);
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
if (strict && missed > 0) process.exit(1);
