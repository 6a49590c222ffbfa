/**
 * Judging an upgrade from its UpgradeStatusInfo records (avi.md §6–7). Pure functions, no I/O.
 *
 * Success, exactly: EVERY record the upgrade concerns is `UPGRADE_FSM_COMPLETED`, at the target
 * version, by an operation other than a rollback. `UPGRADE_FSM_CONTROLLER_COMPLETED` (the controller
 * is done, SE groups are not) and `progress: 100` are not success.
 *
 * A record that has not changed since the moment before our start request is *stale*: its
 * state belongs to an earlier operation and says nothing about ours (a COMPLETED at the old version
 * or an old PRE_CHECK_WARNING would otherwise end the wait at once). Stale records count as pending.
 */

import type { UpgradeStatusInfo } from "./client";

/** `state.state` values by meaning. */
export const USI_STATES = {
    inProgress: [
        "UPGRADE_FSM_INIT",
        "UPGRADE_FSM_STARTED",
        "UPGRADE_FSM_WAITING",
        "UPGRADE_FSM_IN_PROGRESS",
        "UPGRADE_FSM_ENQUEUED",
        "UPGRADE_FSM_SE_UPGRADE_IN_PROGRESS",
        "UPGRADE_FSM_CONTROLLER_COMPLETED",
        "UPGRADE_PRE_CHECK_STARTED",
        "UPGRADE_PRE_CHECK_IN_PROGRESS",
    ],
    failed: [
        "UPGRADE_FSM_ERROR",
        "UPGRADE_FSM_ENQUEUE_FAILED",
        "UPGRADE_FSM_ABORTED",
        "UPGRADE_FSM_ABORT_IN_PROGRESS",
        "UPGRADE_PRE_CHECK_ERROR",
    ],
    needsAction: ["UPGRADE_FSM_SUSPENDED", "UPGRADE_FSM_PAUSED"],
} as const;

/** What the upgrade targets. */
export interface UpgradeTarget {
    /** Build tag of the image, e.g. `22.1.7-9093-20231004.120000` (what records' `version` says). */
    tag?: string;
    /** Release, e.g. `22.1.7`. */
    version: string;
    buildNo?: number;
}

/** True when a record's `version` is the target (full tag, `version-build…` prefix, or the bare release). */
export function isTargetVersion(recordVersion: string | undefined, target: UpgradeTarget): boolean {
    if (recordVersion === undefined) return false;
    const v = recordVersion.trim();
    if (target.tag !== undefined && v === target.tag) return true;
    if (target.buildNo !== undefined && v.startsWith(`${target.version}-${target.buildNo}`)) return true;
    if (target.tag === undefined && target.buildNo === undefined && (v === target.version || v.startsWith(`${target.version}-`)))
        return true;
    return v === target.version;
}

/** A fingerprint of what changes whenever the controller touches a record. */
export function fingerprint(record: UpgradeStatusInfo): string {
    const r = record as Record<string, unknown>;
    return JSON.stringify([
        record.state,
        record.upgrade_ops,
        record.start_time,
        record.end_time,
        record.version,
        record.progress,
        record.history?.length,
        r["_last_modified"],
    ]);
}

/** The records an upgrade concerns. */
export interface Scope {
    /** Uuid of the controller-cluster record when the controller is upgraded. */
    clusterUuid?: string;
    /** All SE groups (`"all"`, a system upgrade) or these uuids. */
    seGroups: "all" | readonly string[];
}

/** The concerned records, and the uuids the scope names that have no record (yet). */
export function concernedRecords(records: readonly UpgradeStatusInfo[], scope: Scope): { records: UpgradeStatusInfo[]; missing: string[] } {
    const isSeGroup = (r: UpgradeStatusInfo) => r.node_type === "NODE_SE_GROUP";
    const picked = records.filter(
        (r) =>
            (scope.clusterUuid !== undefined && r.uuid === scope.clusterUuid) ||
            (isSeGroup(r) && (scope.seGroups === "all" || scope.seGroups.includes(r.uuid))),
    );
    const wanted = [...(scope.clusterUuid ? [scope.clusterUuid] : []), ...(scope.seGroups === "all" ? [] : scope.seGroups)];
    return { records: picked, missing: wanted.filter((uuid) => !picked.some((r) => r.uuid === uuid)) };
}

/** Verdict on one record. */
export type RecordVerdict =
    | { kind: "done" }
    | { kind: "pending"; stale: boolean }
    | { kind: "failed"; why: string }
    | { kind: "suspended"; why: string }
    | { kind: "unexpected"; why: string };

/** Which phase we judge: the prechecks of a prechecks-only run, or the upgrade. */
export type Phase = { kind: "prechecks"; skipWarnings: boolean } | { kind: "upgrade"; skipWarnings: boolean };

/** Judge one record. `stale`: unchanged since before our start request. */
export function judgeRecord(record: UpgradeStatusInfo, target: UpgradeTarget, phase: Phase, stale: boolean): RecordVerdict {
    const state = record.state.state;
    const reason = reasonOf(record);
    if (stale) return { kind: "pending", stale: true };
    if (phase.kind === "prechecks") {
        if (state === "UPGRADE_PRE_CHECK_SUCCESS") return { kind: "done" };
        if (state === "UPGRADE_PRE_CHECK_WARNING") {
            return phase.skipWarnings
                ? { kind: "done" }
                : {
                      kind: "failed",
                      why: `prechecks ended with warnings${reason}${checksOf(record, "WARNING")}; set skipWarnings: true to accept them`,
                  };
        }
    } else {
        const ops = record.upgrade_ops ?? "UPGRADE";
        if (ops.startsWith("ROLLBACK") && state !== "UPGRADE_FSM_COMPLETED" && !(USI_STATES.failed as readonly string[]).includes(state)) {
            // The automatic rollback after a failed upgrade: our upgrade is over, whatever the state says.
            return { kind: "failed", why: `the controller is rolling back (${state})${reason}${lastFailure(record)}` };
        }
        if (state === "UPGRADE_PRE_CHECK_SUCCESS") return { kind: "pending", stale: false };
        if (state === "UPGRADE_PRE_CHECK_WARNING") {
            return {
                kind: "failed",
                why: `prechecks ended with warnings${reason}${checksOf(record, "WARNING")}; the controller did not upgrade. Set skipWarnings: true to accept them`,
            };
        }
        if (state === "UPGRADE_FSM_COMPLETED") {
            if (ops.startsWith("ROLLBACK"))
                return {
                    kind: "failed",
                    why: `the controller rolled back to ${record.version ?? "the previous version"}${reason}${lastFailure(record)}`,
                };
            if (isTargetVersion(record.version, target)) return { kind: "done" };
            return {
                kind: "failed",
                why: `the operation ended UPGRADE_FSM_COMPLETED at version ${record.version ?? "unknown"}, not ${target.tag ?? target.version}${reason}`,
            };
        }
    }
    if ((USI_STATES.inProgress as readonly string[]).includes(state)) return { kind: "pending", stale: false };
    if ((USI_STATES.failed as readonly string[]).includes(state)) {
        return {
            kind: "failed",
            why: `${state}${reason}${checksOf(record, "ERROR")}${failedEvents(record)}${state === "UPGRADE_FSM_ERROR" && record.node_type !== "NODE_SE_GROUP" ? " (the controller rolls back to the previous version automatically)" : ""}`,
        };
    }
    if ((USI_STATES.needsAction as readonly string[]).includes(state)) return { kind: "suspended", why: `${state}${reason}` };
    if (phase.kind === "prechecks" && state === "UPGRADE_FSM_COMPLETED") return { kind: "pending", stale: false };
    return { kind: "unexpected", why: `unexpected state ${state}${reason}` };
}

/** Aggregate verdict over the concerned records. */
export interface Verdict {
    /** `COMPLETE` only when every record is done; `SUSPENDED` when some wait for a resume and none failed. */
    state: "COMPLETE" | "IN_PROGRESS" | "FAILED" | "SUSPENDED" | "UNEXPECTED";
    /** One line per record, e.g. `sg-east UPGRADE_FSM_IN_PROGRESS 50% (2/4 tasks)`. */
    lines: string[];
    /** Failure/suspension reasons by record name. */
    problems: string[];
    /** Uuids of suspended SE groups. */
    suspended: string[];
    /**
     * Progress of the whole operation in percent: the mean over the concerned records of each one's
     * `progress` (or `tasks_completed`/`total_tasks` when `progress` is absent), a record done counting
     * 100 and a record not started yet (stale, or without either field) 0. Undefined when no record
     * reports either field. The waiter derives an ETA from the rate it moves at; each record counts
     * the same because the vendor reports no per-record weight.
     */
    progressPercent?: number;
}

/** Judge every concerned record. */
export function judge(
    records: readonly UpgradeStatusInfo[],
    target: UpgradeTarget,
    phase: Phase,
    baseline?: ReadonlyMap<string, string>,
): Verdict {
    const lines: string[] = [];
    const problems: string[] = [];
    const suspended: string[] = [];
    let done = 0;
    let failed = false;
    let unexpected = false;
    let percentSum = 0;
    let reported = false;
    for (const record of records) {
        const stale = baseline !== undefined && baseline.get(record.uuid) === fingerprint(record);
        const verdict = judgeRecord(record, target, phase, stale);
        const percent = recordPercent(record);
        reported ||= percent !== undefined;
        percentSum += verdict.kind === "done" ? 100 : stale ? 0 : (percent ?? 0);
        lines.push(describeRecord(record, stale));
        const name = record.name ?? record.uuid;
        if (verdict.kind === "done") done++;
        else if (verdict.kind === "failed") {
            failed = true;
            problems.push(`${name}: ${verdict.why}`);
        } else if (verdict.kind === "suspended") {
            suspended.push(record.uuid);
            problems.push(`${name}: ${verdict.why}`);
        } else if (verdict.kind === "unexpected") {
            unexpected = true;
            problems.push(`${name}: ${verdict.why}`);
        }
    }
    const state = failed
        ? "FAILED"
        : unexpected
          ? "UNEXPECTED"
          : suspended.length > 0
            ? "SUSPENDED"
            : records.length > 0 && done === records.length
              ? "COMPLETE"
              : "IN_PROGRESS";
    const progressPercent = reported && records.length > 0 ? percentSum / records.length : undefined;
    return { state, lines, problems, suspended, ...(progressPercent !== undefined ? { progressPercent } : {}) };
}

/** One record's progress in percent (0–100), from `progress` or the task counters; undefined when it reports neither. */
function recordPercent(record: UpgradeStatusInfo): number | undefined {
    if (typeof record.progress === "number" && Number.isFinite(record.progress)) {
        return Math.min(100, Math.max(0, record.progress));
    }
    if (record.total_tasks && record.total_tasks > 0 && record.tasks_completed !== undefined) {
        return Math.min(100, Math.max(0, (100 * record.tasks_completed) / record.total_tasks));
    }
    return undefined;
}

/** `sg-east UPGRADE_FSM_IN_PROGRESS 50% (2/4 tasks) at 22.1.6-…`. */
export function describeRecord(record: UpgradeStatusInfo, stale = false): string {
    const tasks = record.total_tasks ? ` (${record.tasks_completed ?? 0}/${record.total_tasks} tasks)` : "";
    const progress = record.progress !== undefined ? ` ${record.progress}%` : "";
    const ops = record.upgrade_ops && record.upgrade_ops !== "UPGRADE" ? ` [${record.upgrade_ops}]` : "";
    return `${record.name ?? record.uuid} ${record.state.state}${ops}${progress}${tasks}${record.version ? ` at ${record.version}` : ""}${stale ? " (not started yet)" : ""}`;
}

function reasonOf(record: UpgradeStatusInfo): string {
    const reason = record.reason ?? record.state.reason;
    return reason ? `: ${reason}` : "";
}

function checksOf(record: UpgradeStatusInfo, state: string): string {
    const checks = (record.upgrade_readiness?.checks ?? []).filter((c) => c.state === state || (state === "ERROR" && c.state === "FAILED"));
    return checks.length ? `; must-checks: ${checks.map((c) => `${c.check_code ?? "?"} (${c.description ?? ""})`).join(", ")}` : "";
}

function lastFailure(record: UpgradeStatusInfo): string {
    const failure = [...(record.history ?? [])].reverse().find((h) => h.state && h.state !== "UPGRADE_FSM_COMPLETED");
    return failure ? `; the upgrade failed with ${failure.state}${failure.reason ? `: ${failure.reason}` : ""}` : "";
}

function failedEvents(record: UpgradeStatusInfo): string {
    const messages: string[] = [];
    for (const event of record.upgrade_events ?? []) {
        const nodes = (event as { nodes_events?: unknown[] }).nodes_events ?? [event];
        for (const n of nodes as Array<{ status?: boolean; task_name?: string; message?: string }>) {
            if (n.status === false && n.message) messages.push(`${n.task_name ?? "task"}: ${n.message}`);
        }
    }
    return messages.length ? `; failed tasks: ${messages.join("; ")}` : "";
}
