/**
 * A Unity upgrade session as the simulator stores it, and how the API shows it: the task list with
 * `status` and `estRemainTime` per task, `percentComplete` from the task durations, `elapsedTime`.
 */
import type { TimerHandle } from "../core/clock";
import { UpgradeSessionType, UpgradeStatus, type UpgradeStatusValue } from "./constants";
import type { UnityTimings } from "./options";
import type { UnityObject } from "./rest";

/** The task names, in order. */
export const UNITY_TASKS = [
    { caption: "Preparing system", timing: "prepareMs" },
    { caption: "Performing health checks", timing: "healthCheckMs" },
    { caption: "Preinstall", timing: "preinstallMs" },
    { caption: "Rebooting the primary SP", timing: "primaryRebootMs" },
    { caption: "Rebooting the peer SP", timing: "peerRebootMs" },
    { caption: "Post-upgrade tasks", timing: "postMs" },
] as const satisfies ReadonlyArray<{ caption: string; timing: keyof UnityTimings }>;

/** The candidate in the slot. */
export interface UnityCandidate {
    readonly id: string;
    readonly version: string;
    readonly fullVersion: string;
    readonly revision: number;
    readonly releaseDate: string;
    readonly type: number;
    readonly rebootRequired: boolean;
    readonly canPauseBeforeReboot: boolean;
    /** Not part of the API: what the simulator received, for tests. */
    readonly sha256: string;
    readonly fileName: string;
    readonly bytes: number;
}

/** A session as the simulator keeps it. */
export interface UnitySessionRecord {
    readonly id: string;
    readonly apiType: string;
    readonly candidate: UnityCandidate;
    readonly pauseBeforeReboot: boolean;
    readonly creationTimeMs: number;
    status: UpgradeStatusValue;
    /** Index of the running (or stopped) task; tasks before it are done. */
    taskIndex: number;
    taskStartedMs: number;
    messages: UnityObject[];
    timer: TimerHandle | undefined;
    /** The task that stopped (resumed from its start) or whose end is the pause point. */
    resumeAt: number | undefined;
}

/** The session as `GET /api/instances/…/{id}` shows it (every attribute). */
export function renderSession(session: UnitySessionRecord, now: number, timings: UnityTimings): UnityObject {
    const durations = UNITY_TASKS.map((t) => timings[t.timing]);
    const total = durations.reduce((a, b) => a + b, 0) || 1;
    const running = session.status === UpgradeStatus.inProgress;
    const doneBefore = durations.slice(0, Math.min(session.taskIndex, durations.length)).reduce((a, b) => a + b, 0);
    const current = session.taskIndex < durations.length ? durations[session.taskIndex]! : 0;
    const inTask = running
        ? Math.min(now - session.taskStartedMs, current)
        : session.resumeAt !== undefined && session.resumeAt > session.taskIndex
          ? current
          : 0;
    const percent =
        session.status === UpgradeStatus.completed || session.status === UpgradeStatus.acknowledged
            ? 100
            : Math.min(99, Math.floor(((doneBefore + inTask) / total) * 100));
    const tasks = UNITY_TASKS.map((task, i) => {
        const done =
            i < session.taskIndex ||
            (i === session.taskIndex && session.resumeAt !== undefined && session.resumeAt > i) ||
            session.taskIndex >= UNITY_TASKS.length;
        const isCurrent = i === session.taskIndex && !done;
        const remaining = done ? 0 : isCurrent ? Math.max(0, durations[i]! - (running ? now - session.taskStartedMs : 0)) : durations[i]!;
        return {
            caption: task.caption,
            creationTime: new Date(session.creationTimeMs).toISOString(),
            status: done ? UpgradeStatus.completed : isCurrent ? session.status : UpgradeStatus.notStarted,
            type: UpgradeSessionType.upgrade,
            estRemainTime: formatInterval(remaining),
        };
    });
    return {
        id: session.id,
        type: UpgradeSessionType.upgrade,
        candidate: { id: session.candidate.id },
        caption: `Upgrade to ${session.candidate.version}`,
        status: session.status,
        messages: session.messages,
        creationTime: new Date(session.creationTimeMs).toISOString(),
        elapsedTime: formatInterval(now - session.creationTimeMs),
        percentComplete: percent,
        tasks,
    };
}

/** An `upgradeMessage`. */
export function upgradeMessage(severity: number, httpStatus: number, code: number, text: string): UnityObject {
    return { errorCode: String(code), messages: [{ "en-US": text }], severity, httpStatus };
}

/** `HH:MM:SS.mmm`, the documented interval format. */
export function formatInterval(ms: number): string {
    const total = Math.max(0, Math.round(ms));
    const h = Math.floor(total / 3_600_000);
    const m = Math.floor((total % 3_600_000) / 60_000);
    const s = Math.floor((total % 60_000) / 1000);
    const pad = (n: number, w = 2) => String(n).padStart(w, "0");
    return `${pad(h)}:${pad(m)}:${pad(s)}.${pad(total % 1000, 3)}`;
}
