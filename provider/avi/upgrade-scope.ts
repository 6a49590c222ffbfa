/**
 * What an upgrade is about, derived from the controller's answers: the target version (from the
 * image), the records it concerns (scope), whether an operation is already running and to which
 * image, and the summaries the outputs report.
 */

import { VendorFailureError } from "../core/errors";
import { uuidOfRef, type AviImage, type UpgradeStatusInfo } from "./client";
import type { RecordSummary, UpgradeInputs, UpgradeOutputs } from "./upgrade-inputs";
import { USI_STATES, type Scope, type UpgradeTarget } from "./upgrade-status";

export function targetOf(subject: string, image: AviImage | undefined, inputs: UpgradeInputs): UpgradeTarget {
    if (image === undefined)
        throw new VendorFailureError(subject, "reading the image", "NOT_FOUND", `image ${inputs.imageUuid} is not on the controller`);
    const state = image.img_state?.state;
    if (state !== undefined && state !== "IMAGE_FSM_COMPLETED")
        throw new VendorFailureError(subject, "reading the image", state, `image ${image.name ?? image.uuid} is not processed yet`);
    if (image.type !== undefined && image.type !== "IMAGE_TYPE_SYSTEM")
        throw new VendorFailureError(subject, "reading the image", image.type, `image ${image.name ?? image.uuid} is not a system image`);
    const build = image.controller_info?.build;
    const tag = build?.tag ?? (image.name && /^\d+\.\d+\.\d+-\d+/.test(image.name) ? image.name : undefined);
    const version = build?.version ?? tag?.split("-")[0] ?? inputs.targetVersion?.split("-")[0];
    if (version === undefined)
        throw new VendorFailureError(
            subject,
            "reading the image",
            "UNKNOWN_VERSION",
            `image ${image.uuid} reports no version; give targetVersion`,
        );
    const target: UpgradeTarget = { tag, version, buildNo: build?.build_no };
    if (inputs.targetVersion !== undefined && inputs.targetVersion !== tag && inputs.targetVersion !== version) {
        throw new VendorFailureError(
            subject,
            "reading the image",
            "VERSION_MISMATCH",
            `image ${image.uuid} is ${tag ?? version}, but targetVersion is ${inputs.targetVersion}`,
        );
    }
    return target;
}

export function scopeOf(subject: string, inputs: UpgradeInputs, clusterUuid: string, records: UpgradeStatusInfo[]): Scope {
    if (inputs.seGroups === undefined) return { clusterUuid, seGroups: "all" };
    const groups = records.filter((r) => r.node_type === "NODE_SE_GROUP");
    const uuids = inputs.seGroups.map((wanted) => {
        const match = groups.find((g) => g.uuid === wanted || g.name === wanted);
        if (match === undefined)
            throw new VendorFailureError(
                subject,
                "resolving SE groups",
                "NOT_FOUND",
                `no SE group ${wanted}; known: ${groups.map((g) => g.name ?? g.uuid).join(", ")}`,
            );
        return match.uuid;
    });
    return { clusterUuid: inputs.controller ? clusterUuid : undefined, seGroups: uuids };
}

/** In progress or waiting for a resume: an operation holds the records. */
export function isActive(record: UpgradeStatusInfo): boolean {
    return (
        (USI_STATES.inProgress as readonly string[]).includes(record.state.state) ||
        (USI_STATES.needsAction as readonly string[]).includes(record.state.state)
    );
}

/** The UpgradeParams of the record's operation, when the record carries them. */
function paramsOf(record: UpgradeStatusInfo): Record<string, unknown> | undefined {
    const r = record as Record<string, unknown>;
    return (r["params"] ?? r["seg_params"]) as Record<string, unknown> | undefined;
}

/** The image uuid an in-flight operation upgrades to, from its params, when the record says. */
export function imageOfOperation(record: UpgradeStatusInfo): string | undefined {
    const params = paramsOf(record);
    const ref = params?.["image_uuid"] ?? params?.["image_ref"];
    return typeof ref === "string" ? uuidOfRef(ref) : undefined;
}

/**
 * True when the record's running operation is a prechecks-only run (it ends at PRE_CHECK_*, never
 * upgrades). An upgrade also starts with prechecks, so only the params can tell; without them the
 * operation is taken for an upgrade.
 */
export function isPrechecksOnly(record: UpgradeStatusInfo): boolean {
    return paramsOf(record)?.["prechecks_only"] === true;
}

export function prechecksOf(records: UpgradeStatusInfo[]): UpgradeOutputs["precheckResults"] {
    const seen = new Map<string, UpgradeOutputs["precheckResults"][number]>();
    for (const record of records) {
        for (const c of record.upgrade_readiness?.checks ?? []) {
            const key = `${c.check_code}|${c.state}`;
            if (!seen.has(key)) seen.set(key, { checkCode: c.check_code ?? "", state: c.state ?? "", description: c.description ?? "" });
        }
    }
    return [...seen.values()];
}

export function summary(r: UpgradeStatusInfo): RecordSummary {
    return {
        uuid: r.uuid,
        name: r.name ?? "",
        nodeType: r.node_type ?? "",
        state: r.state.state,
        upgradeOps: r.upgrade_ops ?? "",
        version: r.version ?? "",
        progress: r.progress ?? 0,
    };
}
