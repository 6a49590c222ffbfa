/**
 * Inputs, outputs and defaults of `avisi:ScheduledClusterUpgrade`, and the run context of one
 * operation (connection, client, clock, progress lines, finding the cluster).
 */
import { z } from "zod";
import type { Clock } from "../core/clock";
import { progressLogger } from "../core/dynamic";
import type { HandlerEnv } from "../core/env";
import { VendorApiError } from "../core/errors";
import { AvisiClient, type AvisiCluster } from "./client";
import { avisiConnectionSchema, resolveAvisiConnection } from "./connection";
import { avisiClock } from "./simulated-time";
import { isClusterVersion } from "./versions";

/** Defaults of the wait inputs, in seconds. */
export const SCHEDULED_UPGRADE_DEFAULTS = {
    waitFor: "SCHEDULED",
    /** Waiting for the scheduler to pick the window: minutes. */
    scheduledWaitTimeoutSeconds: 900,
    /** Waiting through the window: a week plus a day, so next week's window fits. */
    succeededWaitTimeoutSeconds: 8 * 86_400,
    pollIntervalSeconds: 30,
    /** Longest tolerated API outage within the deadline (a SaaS API is not expected to go down [inferred]). */
    rebootTimeoutSeconds: 900,
} as const;

const SLUG = /^[a-z0-9][a-z0-9-]*$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Input schema of `avisi:ScheduledClusterUpgrade` (also used by `check`). */
export const scheduledUpgradeInputsSchema = z
    .object({
        __logName: z.string().optional(),
        connection: avisiConnectionSchema.optional(),
        clusterIdentity: z.string().regex(UUID, "must be the cluster's identity, a UUID").optional(),
        environment: z.string().regex(SLUG, "must be the environment slug, e.g. production").optional(),
        cluster: z.string().regex(SLUG, "must be the cluster slug, e.g. k8s-prod").optional(),
        version: z.string().refine(isClusterVersion, "must be a Kubernetes version such as 1.31.4"),
        scheduleRequestDate: z
            .string()
            .datetime({ offset: true, message: "must be an ISO 8601 date-time such as 2026-12-08T02:00:00Z" })
            .optional(),
        ignoreMaintenanceSchedule: z.boolean().optional(),
        outsideWindowReason: z.string().trim().min(1, "must explain why the upgrade may run outside a maintenance window").optional(),
        maintenanceScheduleId: z.string().min(1).optional(),
        waitFor: z
            .enum(["SCHEDULED", "SUCCEEDED"], {
                message: 'must be "SCHEDULED" (the window is known) or "SUCCEEDED" (wait through the window)',
            })
            .optional(),
        waitTimeoutSeconds: z
            .number()
            .int("must be a whole number of seconds")
            .positive("must be a positive number of seconds")
            .max(35 * 86_400, "must be at most 35 days")
            .optional(),
        pollIntervalSeconds: z.number().positive("must be a positive number of seconds").max(3_600).optional(),
        rebootTimeoutSeconds: z
            .number()
            .int("must be a whole number of seconds")
            .positive("must be a positive number of seconds")
            .max(86_400)
            .optional(),
    })
    .passthrough()
    .superRefine((inputs, ctx) => {
        const bySlug = inputs.environment !== undefined || inputs.cluster !== undefined;
        if (inputs.clusterIdentity === undefined && (inputs.environment === undefined || inputs.cluster === undefined)) {
            ctx.addIssue({
                code: "custom",
                path: inputs.environment === undefined ? ["environment"] : ["cluster"],
                message: "give clusterIdentity, or environment and cluster (slugs)",
            });
        } else if (inputs.clusterIdentity !== undefined && bySlug) {
            ctx.addIssue({ code: "custom", path: ["clusterIdentity"], message: "give clusterIdentity or environment + cluster, not both" });
        }
        if (inputs.outsideWindowReason !== undefined && inputs.ignoreMaintenanceSchedule !== true) {
            ctx.addIssue({
                code: "custom",
                path: ["outsideWindowReason"],
                message: "only meaningful with ignoreMaintenanceSchedule: true",
            });
        }
    });

/** Inputs after `check`. */
export type ScheduledUpgradeInputs = z.infer<typeof scheduledUpgradeInputsSchema>;

/** Outputs (state) of `avisi:ScheduledClusterUpgrade`. */
export interface ScheduledUpgradeOutputs extends ScheduledUpgradeInputs {
    /** The cluster's identity (given, or looked up from environment + cluster). */
    resolvedClusterIdentity: string;
    /** `environment/cluster`. */
    clusterName: string;
    /** The vendor's upgrade object ("" when nothing was scheduled because the cluster already ran the version). */
    upgradeIdentity: string;
    /** The vendor's status, or `CURRENT` when the cluster already ran the version and nothing was scheduled. */
    status: string;
    /** ISO 8601 start and end of the window the upgrade runs in ("" while unknown). */
    windowStart: string;
    windowEnd: string;
    /** The vendor's reason for the last status ("" when none). */
    reason: string;
    /** Version the cluster ran when the upgrade was scheduled. */
    fromVersion: string;
    /** Version the cluster runs, as last read. */
    clusterVersion: string;
}

export const SCHEDULED_UPGRADE_OUTPUT_KEYS: ReadonlyArray<keyof ScheduledUpgradeOutputs> = [
    "resolvedClusterIdentity",
    "clusterName",
    "upgradeIdentity",
    "status",
    "windowStart",
    "windowEnd",
    "reason",
    "fromVersion",
    "clusterVersion",
];

/** Inputs whose change points the resource at another cluster or organisation: a replacement. */
export const SCHEDULED_UPGRADE_REPLACE_KEYS = ["clusterIdentity", "environment", "cluster"] as const;

/** What one operation works with: its inputs, the shared client, the clock and the progress logger. */
export interface Run {
    inputs: ScheduledUpgradeInputs;
    client: AvisiClient;
    clock: Clock;
    log: (line: string) => void;
}

/** Starts an operation: resolves the connection and the clock (simulated time, if configured). */
export function startRun(env: HandlerEnv, inputs: ScheduledUpgradeInputs): Run {
    const { clock, scale } = avisiClock(env.clock);
    const connection = resolveAvisiConnection(inputs.connection);
    const client = AvisiClient.for(connection, env, clock);
    const log = progressLogger(inputs.__logName, (s) => client.session.redact(s));
    if (scale !== 1) log(`simulated time: the provider's clock runs ×${scale} (AVISI_SIMULATED_TIME_SCALE)`);
    return { inputs, client, clock, log };
}

/** The cluster by environment + slug (undefined when the vendor says 404) or by identity (paged list). */
export async function findCluster(
    run: Run,
    inputs: { clusterIdentity?: string; environment?: string; cluster?: string; resolvedClusterIdentity?: string },
): Promise<AvisiCluster | undefined> {
    if (inputs.environment && inputs.cluster) {
        try {
            return await run.client.cluster(inputs.environment, inputs.cluster);
        } catch (err) {
            if (err instanceof VendorApiError && err.status === 404) return undefined;
            throw err;
        }
    }
    return run.client.clusterByIdentity((inputs.clusterIdentity ?? inputs.resolvedClusterIdentity)!);
}

/** `environment/cluster`. */
export function clusterName(cluster: AvisiCluster): string {
    return `${cluster.environmentSlug ?? "?"}/${cluster.slug}`;
}
