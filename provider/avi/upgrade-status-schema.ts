/**
 * The zod schema of an Avi UpgradeStatusInfo record, apart from the wire client so that programs can
 * import the schema (`avi.upgradeStatusInfoSchema`) without loading any HTTP code.
 */

import { z } from "zod";

/** `state` is `{state, reason, …}` in every documented version; a bare string is accepted too. */
const opsStateSchema = z.union([
    z.looseObject({ state: z.string(), reason: z.string().optional(), rebooted: z.boolean().optional() }),
    z.string().transform((state) => ({ state, reason: undefined as string | undefined, rebooted: undefined as boolean | undefined })),
]);

const checkSchema = z.looseObject({
    check_code: z.string().optional(),
    description: z.string().optional(),
    state: z.string().optional(),
    details: z.array(z.unknown()).optional(),
});

const historySchema = z.looseObject({
    ops: z.string().optional(),
    version: z.string().optional(),
    state: z.string().optional(),
    reason: z.string().optional(),
    end_time: z.string().optional(),
});

/** Zod schema of one UpgradeStatusInfo record as this package reads it (unknown fields are kept). */
export const usiSchema = z.looseObject({
    uuid: z.string(),
    name: z.string().optional(),
    node_type: z.string().optional(),
    state: opsStateSchema,
    reason: z.string().optional(),
    upgrade_ops: z.string().optional(),
    progress: z.number().optional(),
    tasks_completed: z.number().optional(),
    total_tasks: z.number().optional(),
    version: z.string().optional(),
    previous_version: z.string().optional(),
    image_ref: z.string().optional(),
    enable_rollback: z.boolean().optional(),
    start_time: z.string().optional(),
    end_time: z.string().optional(),
    history: z.array(historySchema).optional(),
    upgrade_readiness: z.looseObject({ checks: z.array(checkSchema).optional() }).optional(),
    upgrade_events: z.array(z.unknown()).optional(),
    seg_status: z.looseObject({}).optional(),
});

/** One UpgradeStatusInfo record (controller cluster or SE group), typed where this package reads it. */
export type UpgradeStatusInfo = z.infer<typeof usiSchema>;
