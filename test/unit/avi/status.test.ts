import { concernedRecords, fingerprint, isTargetVersion, judge, type UpgradeTarget } from "../../../provider/avi/upgrade-status";
import type { UpgradeStatusInfo } from "../../../provider/avi/client";

const TAG = "22.1.7-9093-20231004.120000";
const OLD = "22.1.6-9191-20231004.120000";
const target: UpgradeTarget = { tag: TAG, version: "22.1.7", buildNo: 9093 };
const upgrade = { kind: "upgrade", skipWarnings: false } as const;

function rec(uuid: string, state: string, extra: Partial<UpgradeStatusInfo> = {}): UpgradeStatusInfo {
    return {
        uuid,
        name: uuid,
        node_type: uuid === "cluster-1" ? "NODE_CONTROLLER_CLUSTER" : "NODE_SE_GROUP",
        state: { state },
        version: TAG,
        upgrade_ops: "UPGRADE",
        ...extra,
    } as UpgradeStatusInfo;
}

describe("judging UpgradeStatusInfo records", () => {
    test("CONTROLLER_COMPLETED at progress 100 with SE groups pending is not success", () => {
        const records = [
            rec("cluster-1", "UPGRADE_FSM_CONTROLLER_COMPLETED", { progress: 100 }),
            rec("sg-1", "UPGRADE_FSM_ENQUEUED", { version: OLD }),
        ];
        expect(judge(records, target, upgrade).state).toBe("IN_PROGRESS");
    });

    test("a cluster COMPLETED early while an SE group still runs is not success", () => {
        const records = [
            rec("cluster-1", "UPGRADE_FSM_COMPLETED", { progress: 100 }),
            rec("sg-1", "UPGRADE_FSM_IN_PROGRESS", { version: OLD, progress: 100 }),
        ];
        expect(judge(records, target, upgrade).state).toBe("IN_PROGRESS");
    });

    test("every record COMPLETED at the target is success; the bare release and the version-build prefix match too", () => {
        expect(judge([rec("cluster-1", "UPGRADE_FSM_COMPLETED"), rec("sg-1", "UPGRADE_FSM_COMPLETED")], target, upgrade).state).toBe(
            "COMPLETE",
        );
        expect(isTargetVersion("22.1.7-9093-20231111.000000", target)).toBe(true);
        expect(isTargetVersion("22.1.7", target)).toBe(true);
        expect(isTargetVersion("22.1.7-9000-20231004.120000", target)).toBe(false);
    });

    test("COMPLETED at another version, or a completed ROLLBACK, is a failure with the reason", () => {
        const wrong = judge([rec("cluster-1", "UPGRADE_FSM_COMPLETED", { version: OLD })], target, upgrade);
        expect(wrong.state).toBe("FAILED");
        expect(wrong.problems[0]).toMatch(/not 22\.1\.7-9093/);
        const rolledBack = judge(
            [
                rec("cluster-1", "UPGRADE_FSM_COMPLETED", {
                    version: OLD,
                    upgrade_ops: "ROLLBACK",
                    history: [{ ops: "UPGRADE", state: "UPGRADE_FSM_ERROR", reason: "Disk full." }],
                }),
            ],
            target,
            upgrade,
        );
        expect(rolledBack.state).toBe("FAILED");
        expect(rolledBack.problems[0]).toMatch(/rolled back.*Disk full/);
    });

    test("a rollback still in progress is already a failure, quoting the failed upgrade from history", () => {
        const rolling = judge(
            [
                rec("cluster-1", "UPGRADE_FSM_IN_PROGRESS", {
                    version: OLD,
                    upgrade_ops: "ROLLBACK",
                    history: [{ ops: "UPGRADE", state: "UPGRADE_FSM_ERROR", reason: "Config migration failed." }],
                }),
                rec("sg-1", "UPGRADE_FSM_ABORTED", { version: OLD }),
            ],
            target,
            upgrade,
        );
        expect(rolling.state).toBe("FAILED");
        expect(rolling.problems[0]).toMatch(/cluster-1: the controller is rolling back.*UPGRADE_FSM_ERROR: Config migration failed/);
    });

    test("records unchanged since before the start are stale: an old PRE_CHECK_WARNING or COMPLETED does not end the wait", () => {
        const old = [
            rec("cluster-1", "UPGRADE_PRE_CHECK_WARNING", { version: OLD }),
            rec("sg-1", "UPGRADE_FSM_COMPLETED", { version: OLD }),
        ];
        const baseline = new Map(old.map((r) => [r.uuid, fingerprint(r)]));
        expect(judge(old, target, upgrade, baseline).state).toBe("IN_PROGRESS");
        expect(judge(old, target, upgrade).state).toBe("FAILED");
    });

    test("progress of the whole operation: the mean over the records, done = 100, not started = 0, task counters when progress is absent", () => {
        const records = [
            rec("cluster-1", "UPGRADE_FSM_COMPLETED", { progress: 100 }),
            rec("sg-1", "UPGRADE_FSM_IN_PROGRESS", { version: OLD, tasks_completed: 1, total_tasks: 4 }),
            rec("sg-2", "UPGRADE_FSM_ENQUEUED", { version: OLD }),
        ];
        expect(judge(records, target, upgrade).progressPercent).toBeCloseTo((100 + 25 + 0) / 3);
        // A record unchanged since before the start counts 0, whatever its old progress says.
        const old = [
            rec("cluster-1", "UPGRADE_FSM_COMPLETED", { version: OLD, progress: 100 }),
            rec("sg-1", "UPGRADE_FSM_IN_PROGRESS", { progress: 50 }),
        ];
        const baseline = new Map([["cluster-1", fingerprint(old[0])]]);
        expect(judge(old, target, upgrade, baseline).progressPercent).toBe(25);
        // Out-of-range values are clamped; no record reporting either field gives no progress at all.
        expect(judge([rec("sg-1", "UPGRADE_FSM_IN_PROGRESS", { progress: 140 })], target, upgrade).progressPercent).toBe(100);
        expect(judge([rec("sg-1", "UPGRADE_FSM_IN_PROGRESS")], target, upgrade).progressPercent).toBeUndefined();
    });

    test("failure states, SUSPENDED and unknown states", () => {
        for (const state of [
            "UPGRADE_FSM_ERROR",
            "UPGRADE_FSM_ENQUEUE_FAILED",
            "UPGRADE_FSM_ABORTED",
            "UPGRADE_FSM_ABORT_IN_PROGRESS",
            "UPGRADE_PRE_CHECK_ERROR",
        ]) {
            expect(judge([rec("cluster-1", state, { reason: "why" })], target, upgrade)).toMatchObject({
                state: "FAILED",
                problems: [expect.stringContaining("why")],
            });
        }
        expect(
            judge(
                [rec("cluster-1", "UPGRADE_FSM_CONTROLLER_COMPLETED"), rec("sg-1", "UPGRADE_FSM_SUSPENDED", { reason: "SE down" })],
                target,
                upgrade,
            ),
        ).toMatchObject({ state: "SUSPENDED", suspended: ["sg-1"] });
        expect(judge([rec("cluster-1", "UPGRADE_FSM_DUMMY")], target, upgrade).state).toBe("UNEXPECTED");
    });

    test("prechecks: SUCCESS is done; WARNING is done only with skipWarnings", () => {
        const warning = [
            {
                ...rec("cluster-1", "x"),
                state: { state: "UPGRADE_PRE_CHECK_WARNING" },
                upgrade_readiness: { checks: [{ check_code: "SYSERR_OLD_BACKUP", state: "WARNING" }] },
            },
        ] as UpgradeStatusInfo[];
        expect(judge(warning, target, { kind: "prechecks", skipWarnings: false })).toMatchObject({
            state: "FAILED",
            problems: [expect.stringMatching(/SYSERR_OLD_BACKUP.*skipWarnings/)],
        });
        expect(judge(warning, target, { kind: "prechecks", skipWarnings: true }).state).toBe("COMPLETE");
        expect(judge([rec("cluster-1", "UPGRADE_PRE_CHECK_SUCCESS")], target, { kind: "prechecks", skipWarnings: false }).state).toBe(
            "COMPLETE",
        );
        expect(judge([rec("cluster-1", "UPGRADE_PRE_CHECK_SUCCESS")], target, upgrade).state).toBe("IN_PROGRESS");
    });

    test("scope: a system upgrade concerns the cluster and every SE group; missing records are named", () => {
        const all = [rec("cluster-1", "UPGRADE_FSM_COMPLETED"), rec("sg-1", "UPGRADE_FSM_COMPLETED"), rec("sg-2", "UPGRADE_FSM_COMPLETED")];
        expect(concernedRecords(all, { clusterUuid: "cluster-1", seGroups: "all" }).records).toHaveLength(3);
        expect(concernedRecords(all, { seGroups: ["sg-2", "sg-9"] })).toMatchObject({ records: [{ uuid: "sg-2" }], missing: ["sg-9"] });
    });
});
