/**
 * UpgradeStatusInfo records (avi.md §5): one for the controller cluster (uuid = the cluster uuid)
 * and one per SE group. The controller owns them; {@link renderRecord} produces the API shape for a
 * requested `X-Avi-Version`, omitting fields introduced after it.
 */
import { compareVersions, STATE_INTRODUCED, USI_FIELD_INTRODUCED } from "./constants";

/** One task of `upgrade_events`. */
export interface UpgradeEvent {
    readonly task_name: string;
    status: boolean;
    message: string;
    start_time: string;
    end_time?: string;
}

/** One `history` entry: a past operation on this node. */
export interface HistoryEntry {
    readonly ops: string;
    readonly version: string;
    readonly state: string;
    readonly reason?: string;
    readonly start_time?: string;
    readonly end_time: string;
    readonly duration?: number;
}

/** A record as the simulator keeps it. */
export interface UsiRecord {
    readonly uuid: string;
    readonly name: string;
    readonly nodeType: "NODE_CONTROLLER_CLUSTER" | "NODE_SE_GROUP";
    state: string;
    reason: string | undefined;
    rebooted: boolean;
    lastChangedMs: number;
    upgradeOps: string;
    progress: number;
    tasksCompleted: number;
    totalTasks: number;
    startMs: number | undefined;
    endMs: number | undefined;
    enqueueMs: number | undefined;
    version: string;
    previousVersion: string | undefined;
    imageUuid: string | undefined;
    previousImageUuid: string | undefined;
    system: boolean;
    enableRollback: boolean;
    params: Record<string, unknown> | undefined;
    events: UpgradeEvent[];
    history: HistoryEntry[];
    readiness: Record<string, unknown> | undefined;
    segStatus: Record<string, unknown> | undefined;
    /** Fields written through PUT/PATCH that the simulator does not model; echoed back as stored. */
    extra: Record<string, unknown>;
}

/** A fresh record: the last operation (the install) completed at `version`. */
export function newRecord(uuid: string, name: string, nodeType: UsiRecord["nodeType"], version: string, nowMs: number): UsiRecord {
    return {
        uuid,
        name,
        nodeType,
        state: "UPGRADE_FSM_COMPLETED",
        reason: undefined,
        rebooted: false,
        lastChangedMs: nowMs,
        upgradeOps: "UPGRADE",
        progress: 100,
        tasksCompleted: 0,
        totalTasks: 0,
        startMs: undefined,
        endMs: undefined,
        enqueueMs: undefined,
        version,
        previousVersion: undefined,
        imageUuid: undefined,
        previousImageUuid: undefined,
        system: false,
        enableRollback: false,
        params: undefined,
        events: [],
        history: [],
        readiness: undefined,
        segStatus: undefined,
        extra: {},
    };
}

/** Avi's time strings, e.g. `2023-10-04 12:00:00`. */
export function aviTime(ms: number): string {
    return new Date(ms)
        .toISOString()
        .replace("T", " ")
        .replace(/\.\d+Z$/, "");
}

/** The API shape of a record for `apiVersion`. */
export function renderRecord(record: UsiRecord, baseUrl: string, apiVersion: string): Record<string, unknown> {
    const ref = (uuid: string | undefined) => (uuid === undefined ? undefined : `${baseUrl}/api/image/${uuid}`);
    let state = record.state;
    const introduced = STATE_INTRODUCED[state];
    if (introduced !== undefined && compareVersions(apiVersion, introduced.since) < 0) state = introduced.olderName;
    const full: Record<string, unknown> = {
        ...record.extra,
        url: `${baseUrl}/api/upgradestatusinfo/${record.uuid}`,
        uuid: record.uuid,
        name: record.name,
        node_type: record.nodeType,
        tenant_ref: `${baseUrl}/api/tenant/tenant-admin`,
        obj_cloud_ref: record.nodeType === "NODE_SE_GROUP" ? `${baseUrl}/api/cloud/cloud-default` : undefined,
        state: {
            state,
            ...(record.reason === undefined ? {} : { reason: record.reason }),
            last_changed_time: { secs: Math.floor(record.lastChangedMs / 1000), usecs: (record.lastChangedMs % 1000) * 1000 },
            rebooted: record.rebooted,
        },
        reason: record.reason,
        upgrade_ops: record.upgradeOps,
        progress: record.progress,
        tasks_completed: record.tasksCompleted,
        total_tasks: record.totalTasks,
        start_time: record.startMs === undefined ? undefined : aviTime(record.startMs),
        end_time: record.endMs === undefined ? undefined : aviTime(record.endMs),
        enqueue_time: record.enqueueMs === undefined ? undefined : aviTime(record.enqueueMs),
        duration: record.startMs === undefined ? undefined : Math.round(((record.endMs ?? record.lastChangedMs) - record.startMs) / 1000),
        version: record.version,
        previous_version: record.previousVersion,
        image_ref: ref(record.imageUuid),
        previous_image_ref: ref(record.previousImageUuid),
        system: record.system,
        enable_rollback: record.enableRollback,
        fips_mode: false,
        params: record.nodeType === "NODE_CONTROLLER_CLUSTER" ? record.params : undefined,
        seg_params: record.nodeType === "NODE_SE_GROUP" ? record.params : undefined,
        upgrade_events: record.events.length > 0 ? [{ nodes_events: record.events.map((e) => ({ ...e, duration: 0 })) }] : undefined,
        seg_status: record.segStatus,
        history: record.history,
        upgrade_readiness: record.readiness,
        _last_modified: String(record.lastChangedMs * 1000),
    };
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(full)) {
        if (value === undefined) continue;
        const since = USI_FIELD_INTRODUCED[key];
        if (since !== undefined && compareVersions(apiVersion, since) < 0) continue;
        out[key] = value;
    }
    return out;
}

/** The subset `GET /api/upgradestatussummary` lists. */
export function renderSummary(record: UsiRecord, baseUrl: string, apiVersion: string): Record<string, unknown> {
    const full = renderRecord(record, baseUrl, apiVersion);
    const keys = [
        "uuid",
        "name",
        "node_type",
        "obj_cloud_ref",
        "tenant_ref",
        "state",
        "upgrade_ops",
        "version",
        "previous_version",
        "image_ref",
        "enable_rollback",
        "url",
    ];
    return Object.fromEntries(keys.filter((k) => full[k] !== undefined).map((k) => [k, full[k]]));
}

/** Fields a PUT/PATCH may not change (identity and what the controller derives). */
export const READ_ONLY_FIELDS = new Set(["uuid", "url", "node_type", "_last_modified"]);
