/**
 * Change tracking: every mutating appliance call answers 202 `{id}` and registers a change that
 * clients follow at `GET /appliances/{id}/change/{changeId}`.
 *
 * A change reads `{id, status: "running"}` until it completes, then
 * `{id, status: "completed", result: "success" | "failure", details}` (values as sdpctl uses them).
 * The controller keeps changes across reboots ([unknown]; the simulator keeps them in memory).
 */
import { randomUUID } from "node:crypto";

/** What a change tracks. */
export type AppgateChangeKind = "prepare" | "complete" | "switch-partition" | "cancel" | "upgrade";

/** A change as the API returns it. */
export interface AppgateChange {
    readonly id: string;
    readonly status: "running" | "completed";
    /** Present once completed. */
    readonly result?: "success" | "failure";
    readonly details: string;
}

/** A change with what the simulator needs to know about it. */
export interface ChangeRecord {
    readonly id: string;
    readonly applianceId: string;
    readonly kind: AppgateChangeKind;
    status: "running" | "completed";
    result: "success" | "failure" | undefined;
    details: string;
}

/** Most changes remembered; the oldest are forgotten first. */
const MAX_CHANGES = 5_000;

/** All changes of one controller. */
export class ChangeLog {
    private readonly records = new Map<string, ChangeRecord>();

    /** Register a running change. */
    open(applianceId: string, kind: AppgateChangeKind, details = ""): ChangeRecord {
        for (const id of this.records.keys()) {
            if (this.records.size < MAX_CHANGES) break;
            this.records.delete(id);
        }
        const record: ChangeRecord = { id: randomUUID(), applianceId, kind, status: "running", result: undefined, details };
        this.records.set(record.id, record);
        return record;
    }

    /** Complete a change (a second completion is ignored). */
    finish(record: ChangeRecord, result: "success" | "failure", details: string): void {
        if (record.status === "completed") return;
        record.status = "completed";
        record.result = result;
        record.details = details;
    }

    /** Look a change up; `undefined` if unknown or of another appliance. */
    get(applianceId: string, changeId: string): AppgateChange | undefined {
        const record = this.records.get(changeId);
        if (record === undefined || record.applianceId !== applianceId) return undefined;
        return view(record);
    }

    /** Every change, oldest first (control API). */
    list(): Array<AppgateChange & { applianceId: string; kind: AppgateChangeKind }> {
        return [...this.records.values()].map((record) => ({ ...view(record), applianceId: record.applianceId, kind: record.kind }));
    }
}

function view(record: ChangeRecord): AppgateChange {
    return record.status === "completed"
        ? { id: record.id, status: record.status, result: record.result, details: record.details }
        : { id: record.id, status: record.status, details: record.details };
}
