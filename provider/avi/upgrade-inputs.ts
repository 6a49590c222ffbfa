/**
 * Inputs, outputs and defaults of `avi:ControllerUpgrade` (the schema is also what `check` uses).
 */

import { z } from "zod";
import { waitBudgetFields } from "../core/budget";
import { connectionSchema } from "./connection";

/**
 * Defaults of the wait budget, in seconds: 4 hours for the whole operation (prechecks, controller
 * reboot, every SE group), polls from 10 s (the community playbook polls every 30 s), and up to
 * 30 minutes of the controller not answering (its reboot).
 */
export const UPGRADE_DEFAULTS = { waitTimeoutSeconds: 4 * 3600, pollIntervalSeconds: 10, rebootTimeoutSeconds: 30 * 60 } as const;
/** Default path that resumes a suspended SE group ([unknown] in the public docs). */
export const DEFAULT_RESUME_PATH = "/api/resumesegroup";

/** Input schema of `avi:ControllerUpgrade`. */
export const upgradeInputsSchema = z
    .object({
        __logName: z.string().optional(),
        connection: connectionSchema.optional(),
        imageUuid: z.string().min(1, "must be the image uuid, e.g. a ControllerImage's id"),
        targetVersion: z
            .string()
            .regex(/^\d+\.\d+\.\d+(-\S+)?$/, "must be a release such as 22.1.7 or a build tag")
            .optional(),
        seGroups: z.array(z.string().min(1)).optional(),
        controller: z.boolean().optional(),
        prechecks: z.boolean().optional(),
        skipWarnings: z.boolean().optional(),
        actionOnError: z
            .enum(["SUSPEND_UPGRADE_OPS_ON_ERROR", "CONTINUE_UPGRADE_OPS_ON_ERROR", "ROLLBACK_UPGRADE_OPS_ON_ERROR"])
            .optional(),
        resumeSuspended: z.boolean().optional(),
        resumePath: z
            .string()
            .regex(/^\/api\/\S+$/, "must be an API path such as /api/resumesegroup")
            .optional(),
        ...waitBudgetFields,
    })
    .passthrough()
    .refine((v) => v.controller !== false || (v.seGroups?.length ?? 0) > 0, {
        message: "controller: false needs seGroups (there would be nothing to upgrade)",
        path: ["controller"],
    });

export type UpgradeInputs = z.infer<typeof upgradeInputsSchema>;

/** One record as the outputs report it. */
export interface RecordSummary {
    uuid: string;
    name: string;
    nodeType: string;
    state: string;
    upgradeOps: string;
    version: string;
    progress: number;
}

/** Outputs (state) of `avi:ControllerUpgrade`. */
export interface UpgradeOutputs extends UpgradeInputs {
    /** The controller cluster's uuid (the resource id). */
    clusterUuid: string;
    /** Build tag the upgrade targets, e.g. `22.1.7-9093-20231004.120000`. */
    targetTag: string;
    /** The controller record's version now. */
    version: string;
    /** The controller record's version before this resource upgraded it. */
    previousVersion: string;
    /** `COMPLETED` after success; the aggregate verdict otherwise. */
    state: string;
    records: RecordSummary[];
    /** Must-check results of the prechecks (`check_code`, `state`, `description`). */
    precheckResults: Array<{ checkCode: string; state: string; description: string }>;
}
