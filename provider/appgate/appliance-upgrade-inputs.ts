/**
 * Inputs, outputs and defaults of `appgate:ApplianceUpgrade` (shared by its handler and the
 * prepare/complete steps).
 */

import { z } from "zod";
import { waitBudgetFields } from "../core/budget";
import { connectionSchema } from "./connection";
import { imageFileName } from "./versions";

/**
 * Defaults, in seconds for the wait budget (core/budget.ts): 30 minutes for the whole create or
 * update of one appliance — prepare, complete, the reboot and the controller coming back — with the
 * appliance allowed to be unreachable for up to 15 minutes of it. sdpctl allows 30 minutes per
 * appliance for prepare and for complete.
 */
export const APPGATE_DEFAULTS = {
    waitTimeoutSeconds: 1_800,
    pollIntervalSeconds: 5,
    rebootTimeoutSeconds: 900,
    stage: "prepare",
    switchPartition: true,
    identityProvider: "local",
} as const;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const VERSION = /^\d+\.\d+\.\d+(?:[+-]\d+)?$/;

function isImageUrl(value: string): boolean {
    try {
        const u = new URL(value);
        return ["http:", "https:", "controller:"].includes(u.protocol) && imageFileName(value) !== "";
    } catch {
        return false;
    }
}

/** Input schema of `appgate:ApplianceUpgrade` (also used by `check`). */
export const applianceUpgradeInputsSchema = z
    .object({
        __logName: z.string().optional(),
        connection: connectionSchema.optional(),
        applianceId: z.string().regex(UUID, "must be the appliance's id, a UUID (GET /admin/appliances lists them)"),
        imageUrl: z
            .string()
            .refine(
                isImageUrl,
                "must be an http(s):// or controller:// URL ending in the image file name, e.g. https://files.example.com/appgate-6.4.1-40123-release.img.zip",
            ),
        targetVersion: z.string().regex(VERSION, "must look like 6.4.1 or 6.4.1+40123").optional(),
        switchPartition: z.boolean().optional(),
        stage: z
            .enum(["prepare", "complete"], { message: 'must be "prepare" (stop at ready) or "complete" (install and switch)' })
            .optional(),
        site: z.string().min(1).optional(),
        allowDowngrade: z.boolean().optional(),
        ...waitBudgetFields,
    })
    .passthrough();

/** Inputs after `check`. */
export type ApplianceUpgradeInputs = z.infer<typeof applianceUpgradeInputsSchema>;

/** How far the resource got. */
export type UpgradePhase = "prepared" | "installed" | "completed" | "current" | "failed";

/** Outputs (state) of `appgate:ApplianceUpgrade`. */
export interface ApplianceUpgradeOutputs extends ApplianceUpgradeInputs {
    applianceName: string;
    siteId: string;
    siteName: string;
    /** `prepared` (ready), `installed` (success, partition switch pending), `completed`, `current` (was already at the target), `failed`. */
    phase: UpgradePhase;
    /** Last upgrade status the appliance reported. */
    upgradeStatus: string;
    upgradeDetails: string;
    /** The image file name this resource prepared or is preparing ("" when none, or once installed). */
    preparedImage: string;
    runningVersion: string;
    volumeNumber: number;
    /** Version and volume before this resource completed the upgrade. */
    previousVersion: string;
    previousVolumeNumber: number;
    /** Peer API version the provider spoke to the controller. */
    peerApiVersion: number;
}

export const OUTPUT_KEYS: ReadonlyArray<keyof ApplianceUpgradeOutputs> = [
    "applianceName",
    "siteId",
    "siteName",
    "phase",
    "upgradeStatus",
    "upgradeDetails",
    "preparedImage",
    "runningVersion",
    "volumeNumber",
    "previousVersion",
    "previousVolumeNumber",
    "peerApiVersion",
];
