/**
 * kill -9 of a `pulumi` process this test run started, with everything it started (language host,
 * dynamic providers), as a crash or an operator's kill would leave things. Only processes that
 * descend from this jest worker are looked at, by pid.
 */
import { readdirSync, readFileSync } from "node:fs";

function parentOf(pid: number): number | undefined {
    try {
        // /proc/<pid>/stat: "pid (comm) state ppid ..."; comm may hold spaces, so read after the last ")".
        const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
        return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
    } catch {
        return undefined;
    }
}

function commandOf(pid: number): string {
    try {
        return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0")[0] ?? "";
    } catch {
        return "";
    }
}

/** Every descendant of `root`, children first listed after their parent. */
function descendants(root: number): number[] {
    const pids = readdirSync("/proc")
        .filter((d) => /^\d+$/.test(d))
        .map(Number);
    const children = new Map<number, number[]>();
    for (const pid of pids) {
        const parent = parentOf(pid);
        if (parent !== undefined) children.set(parent, [...(children.get(parent) ?? []), pid]);
    }
    const out: number[] = [];
    const queue = [...(children.get(root) ?? [])];
    while (queue.length > 0) {
        const pid = queue.shift()!;
        out.push(pid);
        queue.push(...(children.get(pid) ?? []));
    }
    return out;
}

/** SIGKILLs the `pulumi` CLI processes started by this process and their whole trees; returns how many processes were killed. */
export function killPulumiTree(): number {
    const mine = descendants(process.pid);
    const roots = mine.filter((pid) => /(^|\/)pulumi$/.test(commandOf(pid)) && parentOf(pid) === process.pid);
    let killed = 0;
    for (const root of roots) {
        for (const pid of [root, ...descendants(root)]) {
            try {
                process.kill(pid, "SIGKILL");
                killed++;
            } catch {
                // already gone
            }
        }
    }
    return killed;
}
