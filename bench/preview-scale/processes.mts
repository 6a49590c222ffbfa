/**
 * Peak memory and CPU of the processes a Pulumi operation starts, read from /proc (Linux only): every 100 ms the
 * sampler finds the bench process's descendants, classifies each by its command line (the CLI, the language host,
 * the program, the dynamic-provider process) and keeps each one's last VmHWM (peak RSS) and CPU time (utime +
 * stime). A process that lives less than one interval may be missed; the ones measured here live for the whole
 * operation.
 */
import { readdirSync, readFileSync } from "node:fs";

export type ProcessRole = "cli" | "language host" | "program" | "provider" | "other";

interface Seen {
    role: ProcessRole;
    command: string;
    peakKiB: number;
    cpuSeconds: number;
}

/** Per role: the largest peak RSS of one process (MiB), and the CPU seconds of all its processes. */
export type ProcessUsage = Partial<Record<ProcessRole, { peakMiB: number; cpuSeconds: number; processes: number }>>;

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

function roleOf(cmdline: string): ProcessRole {
    if (cmdline.includes("dynamic-provider") || cmdline.includes("pulumi-resource-pulumi-nodejs")) return "provider";
    if (cmdline.includes("pulumi-language-nodejs")) return "language host";
    if (/@pulumi[/\\]pulumi[/\\]cmd[/\\]run/.test(cmdline)) return "program";
    if (/(^|\/)pulumi\0/.test(cmdline)) return "cli";
    return "other";
}

function readProc(pid: string): { ppid: number; started: string; cpuSeconds: number; cmdline: string; peakKiB: number } | undefined {
    try {
        const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
        // Fields after the parenthesised command name: state ppid ... utime(14) stime(15).
        const rest = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
        const ppid = Number(rest[1]);
        const cpuSeconds = (Number(rest[11]) + Number(rest[12])) / TICKS_PER_SECOND;
        const started = rest[19]!; // starttime: with the pid, identifies the process
        const status = readFileSync(`/proc/${pid}/status`, "utf8");
        const peakKiB = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
        const cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8");
        return { ppid, started, cpuSeconds, cmdline, peakKiB };
    } catch {
        return undefined; // gone between the listing and the read
    }
}

/** Samples the descendants of this process until `stop()`. */
export class ProcessSampler {
    private readonly seen = new Map<string, Seen>();
    private readonly timer: NodeJS.Timeout;

    constructor(intervalMs = 100) {
        this.sample();
        this.timer = setInterval(() => this.sample(), intervalMs);
    }

    stop(): ProcessUsage {
        clearInterval(this.timer);
        this.sample();
        const usage: ProcessUsage = {};
        if (process.env.PREVIEW_SCALE_DEBUG) {
            for (const p of this.seen.values())
                console.log(`    ${p.role} ${p.cpuSeconds.toFixed(2)} s ${(p.peakKiB / 1024).toFixed(0)} MiB ${p.command.slice(0, 160)}`);
        }
        for (const { role, peakKiB, cpuSeconds } of this.seen.values()) {
            const u = (usage[role] ??= { peakMiB: 0, cpuSeconds: 0, processes: 0 });
            u.peakMiB = Math.max(u.peakMiB, peakKiB / 1024);
            u.cpuSeconds += cpuSeconds;
            u.processes++;
        }
        return usage;
    }

    private sample(): void {
        const procs = new Map<number, NonNullable<ReturnType<typeof readProc>>>();
        for (const entry of readdirSync("/proc")) {
            if (!/^\d+$/.test(entry)) continue;
            const p = readProc(entry);
            if (p) procs.set(Number(entry), p);
        }
        const isDescendant = (pid: number): boolean => {
            for (let p = procs.get(pid)?.ppid, hops = 0; p !== undefined && p > 1 && hops < 20; p = procs.get(p)?.ppid, hops++) {
                if (p === process.pid) return true;
            }
            return false;
        };
        for (const [pid, p] of procs) {
            if (!isDescendant(pid)) continue;
            // A pid is keyed with its start time, so a reused pid is a new process. An exited process (a zombie
            // until reaped) has no command line any more but still its CPU times: it keeps the role it had.
            const key = `${pid}|${p.started}`;
            const s = this.seen.get(key) ?? { role: roleOf(p.cmdline), peakKiB: 0, cpuSeconds: 0, command: "" };
            if (p.cmdline) {
                s.command = p.cmdline.replaceAll("\0", " ");
                s.role = roleOf(p.cmdline);
            }
            s.peakKiB = Math.max(s.peakKiB, p.peakKiB);
            s.cpuSeconds = Math.max(s.cpuSeconds, p.cpuSeconds);
            this.seen.set(key, s);
        }
    }
}
