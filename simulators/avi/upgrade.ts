/**
 * The upgrade operation behind `POST /api/upgrade`, driving the UpgradeStatusInfo records:
 *
 * 1. prechecks on every concerned record: PRE_CHECK_STARTED → IN_PROGRESS → SUCCESS / WARNING / ERROR
 *    (`prechecks_only` stops here; an upgrade stops on ERROR, and on WARNING unless `skip_warnings`);
 * 2. controller (when concerned): STARTED → IN_PROGRESS through six tasks, the reboot window after
 *    INSTALL_IMAGE (the version switches during the reboot), then CONTROLLER_COMPLETED with progress
 *    100 while SE groups are pending, SE_UPGRADE_IN_PROGRESS while they run, COMPLETED at the end;
 * 3. SE groups, one after another: ENQUEUED → IN_PROGRESS through four tasks → COMPLETED.
 *
 * Injected failures: controller ERROR followed by an automatic ROLLBACK to the previous version;
 * ABORT_IN_PROGRESS → ABORTED; ENQUEUE_FAILED at once; an SE group failing per `action_on_error`
 * (SUSPEND: SUSPENDED until resumed; CONTINUE: ERROR and the others go on; ROLLBACK: ERROR and the rest ABORTED).
 */
import type { TimerGroup } from "../core/clock";
import { SimulatorHttpError } from "../core/http-error";
import { CONTROLLER_TASKS, REBOOT_AFTER_TASK, SE_GROUP_TASKS, UpgradeFsm } from "./constants";
import type { AviRuntimeSettings, PrecheckFinding } from "./options";
import { aviTime, type UsiRecord } from "./records";

/** What `POST /api/upgrade` asked for, after validation. */
export interface UpgradeRequest {
    readonly imageUuid: string;
    readonly targetVersion: string;
    readonly system: boolean;
    readonly seGroupUuids: readonly string[];
    readonly skipWarnings: boolean;
    readonly prechecksOnly: boolean;
    readonly actionOnError: "SUSPEND_UPGRADE_OPS_ON_ERROR" | "CONTINUE_UPGRADE_OPS_ON_ERROR" | "ROLLBACK_UPGRADE_OPS_ON_ERROR";
    readonly params: Record<string, unknown>;
}

/** Failures that can be queued for the next operation. */
export interface UpgradeInjections {
    controllerError?: { task: string; reason: string };
    abort?: { reason: string };
    enqueueFailed?: { reason: string };
    seGroupFailure?: { seGroup?: string; reason: string };
}

/** What the operation needs from the controller. */
export interface UpgradeDeps {
    readonly timers: TimerGroup;
    readonly now: () => number;
    readonly settings: () => AviRuntimeSettings;
    readonly cluster: UsiRecord;
    readonly seGroups: readonly UsiRecord[];
    /** Reboot the controller; `whileDown` runs during the window; `back` once the API answers again. */
    readonly reboot: (whileDown: () => void, back: () => void) => void;
    readonly log: (line: string) => void;
}

/** Runs at most one operation at a time. */
export class UpgradeEngine {
    private operation: { request: UpgradeRequest; concerned: UsiRecord[]; suspended?: UsiRecord; finished: boolean } | undefined;
    readonly injected: UpgradeInjections = {};
    /** Accepted operations (for tests besides the call counters). */
    started = 0;

    constructor(private readonly deps: UpgradeDeps) {}

    /** True while an operation runs or waits at a suspended SE group: configuration is read-only. */
    get busy(): boolean {
        return this.operation !== undefined && !this.operation.finished;
    }

    /** Start an operation. @throws SimulatorHttpError when one runs already. */
    start(request: UpgradeRequest): void {
        if (this.busy) {
            throw new SimulatorHttpError(
                this.deps.settings().busyStatus,
                "UPGRADE_IN_PROGRESS",
                "Another upgrade operation is in progress; retry when it has finished.",
            );
        }
        const concerned = [
            ...(request.system || request.seGroupUuids.length === 0 ? [this.deps.cluster] : []),
            ...this.deps.seGroups.filter((g) => request.system || request.seGroupUuids.includes(g.uuid)),
        ];
        this.operation = { request, concerned, finished: false };
        this.started++;
        const now = this.deps.now();
        for (const record of concerned) {
            record.upgradeOps = "UPGRADE";
            record.params = request.params;
            record.system = request.system;
            record.startMs = now;
            record.enqueueMs = now;
            record.endMs = undefined;
            record.progress = 0;
            record.tasksCompleted = 0;
            record.totalTasks = 0;
            record.events = [];
            record.rebooted = false;
            record.readiness = undefined;
            this.set(record, UpgradeFsm.precheckStarted);
        }
        const enqueueFailed = this.injected.enqueueFailed;
        if (enqueueFailed !== undefined && !request.prechecksOnly) {
            delete this.injected.enqueueFailed;
            this.after(this.deps.settings().timings.precheckMs / 4, () =>
                this.finish(concerned, UpgradeFsm.enqueueFailed, enqueueFailed.reason),
            );
            return;
        }
        const half = this.deps.settings().timings.precheckMs / 2;
        this.after(half, () => {
            for (const record of concerned) this.set(record, UpgradeFsm.precheckInProgress);
            this.after(half, () => this.precheckResult());
        });
    }

    /** Resume a suspended SE group. @throws SimulatorHttpError 400 when none is suspended. */
    resume(seGroupUuids: readonly string[]): void {
        const op = this.operation;
        const suspended = op?.suspended;
        if (op === undefined || suspended === undefined || (seGroupUuids.length > 0 && !seGroupUuids.includes(suspended.uuid))) {
            throw new SimulatorHttpError(400, "NOTHING_TO_RESUME", "No suspended SE group matches the request.");
        }
        op.suspended = undefined;
        suspended.upgradeOps = "SEGROUP_RESUME";
        suspended.reason = undefined;
        this.set(suspended, UpgradeFsm.inProgress);
        this.runSeGroupTasks(suspended, suspended.tasksCompleted, () => this.nextSeGroup());
    }

    private precheckResult(): void {
        const op = this.operation!;
        const { precheckErrors, precheckWarnings } = this.deps.settings();
        const checks = [
            ...precheckErrors.map((f) => check(f, "ERROR")),
            ...precheckWarnings.map((f) => check(f, "WARNING")),
            { check_code: "SYSERR_IMAGE_COMPATIBILITY", description: "Image is compatible with the running version.", state: "SUCCESS" },
        ];
        const readiness = { checks, checks_completed: checks.length, total_checks: checks.length, progress: 100, upgrade_ops: "UPGRADE" };
        for (const record of op.concerned) record.readiness = readiness;
        if (precheckErrors.length > 0) {
            this.finish(
                op.concerned,
                UpgradeFsm.precheckError,
                `${precheckErrors.length} must-check(s) failed: ${precheckErrors.map((f) => f.check_code).join(", ")}`,
            );
            return;
        }
        const warned = precheckWarnings.length > 0;
        if (op.request.prechecksOnly || (warned && !op.request.skipWarnings)) {
            const reason = warned
                ? `${precheckWarnings.length} must-check warning(s): ${precheckWarnings.map((f) => f.check_code).join(", ")}`
                : undefined;
            this.finish(op.concerned, warned ? UpgradeFsm.precheckWarning : UpgradeFsm.precheckSuccess, reason);
            return;
        }
        const seGroups = op.concerned.filter((r) => r.nodeType === "NODE_SE_GROUP");
        for (const group of seGroups) {
            group.previousVersion = group.version;
            this.set(group, UpgradeFsm.enqueued);
        }
        if (op.concerned.includes(this.deps.cluster)) this.runController();
        else this.nextSeGroup();
    }

    private runController(): void {
        const cluster = this.deps.cluster;
        const op = this.operation!;
        cluster.previousVersion = cluster.version;
        cluster.previousImageUuid = cluster.imageUuid;
        cluster.totalTasks = CONTROLLER_TASKS.length;
        cluster.enableRollback = true;
        this.set(cluster, UpgradeFsm.started);
        const runTask = (index: number) => {
            if (index >= CONTROLLER_TASKS.length) return this.controllerDone();
            const task = CONTROLLER_TASKS[index]!;
            if (index === 0 || cluster.state === UpgradeFsm.started) this.set(cluster, UpgradeFsm.inProgress);
            const event: { task_name: string; status: boolean; message: string; start_time: string; end_time?: string } = {
                task_name: task,
                status: false,
                message: "in progress",
                start_time: aviTime(this.deps.now()),
            };
            cluster.events.push(event);
            this.after(this.deps.settings().timings.controllerTaskMs, () => {
                if (this.injected.controllerError?.task === task) return this.controllerError(event, this.injected.controllerError.reason);
                if (this.injected.abort !== undefined && index === REBOOT_AFTER_TASK)
                    return this.abortController(event, this.injected.abort.reason);
                event.status = true;
                event.message = "completed";
                event.end_time = aviTime(this.deps.now());
                cluster.tasksCompleted = index + 1;
                cluster.progress = Math.round(((index + 1) / CONTROLLER_TASKS.length) * 100);
                this.touch(cluster);
                if (index === REBOOT_AFTER_TASK) {
                    this.deps.reboot(
                        () => {
                            cluster.version = op.request.targetVersion;
                            cluster.imageUuid = op.request.imageUuid;
                            cluster.rebooted = true;
                        },
                        () => runTask(index + 1),
                    );
                    return;
                }
                runTask(index + 1);
            });
        };
        runTask(0);
    }

    private controllerDone(): void {
        const op = this.operation!;
        const cluster = this.deps.cluster;
        const pending = op.concerned.some((r) => r.nodeType === "NODE_SE_GROUP");
        if (!pending) {
            this.finish([cluster], UpgradeFsm.completed, undefined);
            return;
        }
        const early = this.deps.settings().clusterWhileSeGroups === "completed";
        this.set(cluster, early ? UpgradeFsm.completed : UpgradeFsm.controllerCompleted);
        if (early) this.closeRecord(cluster, UpgradeFsm.completed, undefined);
        this.nextSeGroup();
    }

    private nextSeGroup(): void {
        const op = this.operation!;
        const next = op.concerned.find((r) => r.nodeType === "NODE_SE_GROUP" && r.state === UpgradeFsm.enqueued);
        const cluster = this.deps.cluster;
        const clusterWaiting = op.concerned.includes(cluster) && cluster.state !== UpgradeFsm.completed;
        if (next === undefined) {
            const failed = op.concerned.some((r) => r.state === UpgradeFsm.error);
            if (clusterWaiting)
                this.closeRecord(
                    cluster,
                    failed ? UpgradeFsm.error : UpgradeFsm.completed,
                    failed ? "One or more SE groups failed to upgrade." : undefined,
                );
            op.finished = true;
            this.deps.log(`upgrade operation finished`);
            return;
        }
        if (clusterWaiting) this.set(cluster, UpgradeFsm.seUpgradeInProgress);
        next.totalTasks = SE_GROUP_TASKS.length;
        next.segStatus = { se_group_uuid: next.uuid, se_group_name: next.name, state: UpgradeFsm.inProgress, num_se: 2, in_progress: true };
        this.set(next, UpgradeFsm.inProgress);
        this.runSeGroupTasks(next, 0, () => this.nextSeGroup());
    }

    private runSeGroupTasks(group: UsiRecord, from: number, done: () => void): void {
        const op = this.operation!;
        const failure = this.injected.seGroupFailure;
        const failsHere =
            failure !== undefined && (failure.seGroup === undefined || failure.seGroup === group.name || failure.seGroup === group.uuid);
        const runTask = (index: number) => {
            if (index >= SE_GROUP_TASKS.length) {
                group.version = op.request.targetVersion;
                group.imageUuid = op.request.imageUuid;
                group.segStatus = { ...group.segStatus, state: UpgradeFsm.completed, in_progress: false, progress: 100 };
                this.closeRecord(group, UpgradeFsm.completed, undefined);
                done();
                return;
            }
            this.after(this.deps.settings().timings.seGroupTaskMs, () => {
                if (failsHere && index === 1 && this.injected.seGroupFailure !== undefined) {
                    delete this.injected.seGroupFailure;
                    return this.seGroupFailed(group, failure.reason);
                }
                group.tasksCompleted = index + 1;
                group.progress = Math.round(((index + 1) / SE_GROUP_TASKS.length) * 100);
                group.events.push({
                    task_name: SE_GROUP_TASKS[index]!,
                    status: true,
                    message: "completed",
                    start_time: aviTime(this.deps.now()),
                    end_time: aviTime(this.deps.now()),
                });
                this.touch(group);
                runTask(index + 1);
            });
        };
        runTask(from);
    }

    private seGroupFailed(group: UsiRecord, reason: string): void {
        const op = this.operation!;
        const message = `SE group ${group.name}: ${reason}`;
        group.events.push({ task_name: SE_GROUP_TASKS[1]!, status: false, message: reason, start_time: aviTime(this.deps.now()) });
        switch (op.request.actionOnError) {
            case "SUSPEND_UPGRADE_OPS_ON_ERROR":
                group.segStatus = {
                    ...group.segStatus,
                    state: UpgradeFsm.suspended,
                    se_upgrade_suspended: [`se-${group.name}-1`],
                    reason: [message],
                };
                group.reason = message;
                op.suspended = group;
                this.set(group, UpgradeFsm.suspended);
                return;
            case "CONTINUE_UPGRADE_OPS_ON_ERROR":
                group.segStatus = {
                    ...group.segStatus,
                    state: UpgradeFsm.error,
                    se_upgrade_failed: [`se-${group.name}-1`],
                    reason: [message],
                };
                this.closeRecord(group, UpgradeFsm.error, message);
                this.nextSeGroup();
                return;
            case "ROLLBACK_UPGRADE_OPS_ON_ERROR": {
                this.closeRecord(group, UpgradeFsm.error, `${message}; the SE group was rolled back to ${group.previousVersion}`);
                const rest = op.concerned.filter((r) => r.state === UpgradeFsm.enqueued);
                for (const r of rest) this.closeRecord(r, UpgradeFsm.aborted, `Upgrade aborted after SE group ${group.name} failed.`);
                this.nextSeGroup();
                return;
            }
        }
    }

    private controllerError(event: { status: boolean; message: string; end_time?: string }, reason: string): void {
        const op = this.operation!;
        const cluster = this.deps.cluster;
        delete this.injected.controllerError;
        event.message = reason;
        event.end_time = aviTime(this.deps.now());
        cluster.reason = `${reason}; rolling back to ${cluster.previousVersion}`;
        this.set(cluster, UpgradeFsm.error);
        cluster.history.push({
            ops: "UPGRADE",
            version: op.request.targetVersion,
            state: UpgradeFsm.error,
            reason,
            end_time: aviTime(this.deps.now()),
        });
        for (const group of op.concerned.filter((r) => r.nodeType === "NODE_SE_GROUP"))
            this.closeRecord(group, UpgradeFsm.aborted, "Controller upgrade failed; SE group upgrade not started.");
        // The automatic rollback: a ROLLBACK operation that ends COMPLETED at the previous version.
        this.after(this.deps.settings().timings.rollbackMs / 2, () => {
            cluster.upgradeOps = "ROLLBACK";
            cluster.version = cluster.previousVersion ?? cluster.version;
            cluster.imageUuid = cluster.previousImageUuid;
            cluster.enableRollback = false;
            this.set(cluster, UpgradeFsm.inProgress);
            this.after(this.deps.settings().timings.rollbackMs / 2, () =>
                this.finish([cluster], UpgradeFsm.completed, `Rolled back after: ${reason}`),
            );
        });
    }

    private abortController(event: { message: string; end_time?: string }, reason: string): void {
        const op = this.operation!;
        delete this.injected.abort;
        event.message = reason;
        event.end_time = aviTime(this.deps.now());
        this.deps.cluster.reason = reason;
        this.set(this.deps.cluster, UpgradeFsm.abortInProgress);
        this.after(this.deps.settings().timings.rollbackMs, () => this.finish(op.concerned, UpgradeFsm.aborted, reason));
    }

    /** End the operation: every record in `records` reaches `state`. */
    private finish(records: readonly UsiRecord[], state: string, reason: string | undefined): void {
        for (const record of records) this.closeRecord(record, state, reason);
        if (this.operation !== undefined) this.operation.finished = true;
        this.deps.log(`upgrade operation finished: ${state}${reason ? ` (${reason})` : ""}`);
    }

    private closeRecord(record: UsiRecord, state: string, reason: string | undefined): void {
        record.reason = reason;
        record.endMs = this.deps.now();
        if (state === UpgradeFsm.completed && !record.upgradeOps.startsWith("ROLLBACK")) record.progress = 100;
        this.set(record, state);
        if (!state.startsWith("UPGRADE_PRE_CHECK")) {
            record.history.push({
                ops: record.upgradeOps,
                version: record.version,
                state,
                ...(reason === undefined ? {} : { reason }),
                start_time: record.startMs === undefined ? undefined : aviTime(record.startMs),
                end_time: aviTime(record.endMs),
                duration: record.startMs === undefined ? 0 : Math.round((record.endMs - record.startMs) / 1000),
            });
        }
    }

    private set(record: UsiRecord, state: string): void {
        record.state = state;
        this.touch(record);
    }

    private touch(record: UsiRecord): void {
        record.lastChangedMs = this.deps.now();
    }

    private after(ms: number, callback: () => void): void {
        this.deps.timers.after(Math.round(ms), callback);
    }
}

function check(finding: PrecheckFinding, state: string): Record<string, unknown> {
    return { check_code: finding.check_code, description: finding.description, state, details: [finding.description] };
}
