import * as pulumi from "@pulumi/pulumi";
import { secretAvisiConnection, type AvisiConnectionArgs } from "./connection-args";
import { avisiKinds } from "./kinds";

/** Inputs of {@link ScheduledClusterUpgrade}. */
export interface ScheduledClusterUpgradeArgs {
    connection?: AvisiConnectionArgs;
    /** The cluster's identity (a UUID). Or give `environment` and `cluster`. Changing it replaces the resource. */
    clusterIdentity?: pulumi.Input<string>;
    /** Environment slug of the cluster, e.g. `production` (with `cluster`). */
    environment?: pulumi.Input<string>;
    /** Cluster slug, e.g. `k8s-prod` (with `environment`). */
    cluster?: pulumi.Input<string>;
    /**
     * Target Kubernetes version, e.g. `1.31.10`. One minor version at a time: a jump of more than one
     * minor from the version the cluster runs is refused at preview. Changing it reschedules (an update).
     */
    version: pulumi.Input<string>;
    /** Earliest start (ISO 8601). The scheduler picks the next maintenance window at or after it. Changing it reschedules. */
    scheduleRequestDate?: pulumi.Input<string>;
    /** Run at `scheduleRequestDate` regardless of maintenance windows. The policy pack requires `outsideWindowReason` with it. */
    ignoreMaintenanceSchedule?: pulumi.Input<boolean>;
    /** Why this upgrade may run outside a maintenance window: the explicit waiver the policy pack looks for. Not sent to the vendor. */
    outsideWindowReason?: pulumi.Input<string>;
    /** Attach this maintenance schedule (e.g. a {@link MaintenanceSchedule}'s `id`) to the cluster before scheduling. */
    maintenanceScheduleId?: pulumi.Input<string>;
    /**
     * `"SCHEDULED"` (default): done once the window is known (outputs `windowStart`/`windowEnd`);
     * `"SUCCEEDED"`: wait through the window — sleeping until it opens, not polling all week — until the cluster runs the version.
     */
    waitFor?: pulumi.Input<"SCHEDULED" | "SUCCEEDED">;
    /** One deadline for the whole operation, in seconds. Default 900 for `SCHEDULED`, 691200 (8 days) for `SUCCEEDED`. */
    waitTimeoutSeconds?: pulumi.Input<number>;
    /** Floor of the poll interval inside a window, in seconds (backs off to 1 minute). Default 30. */
    pollIntervalSeconds?: pulumi.Input<number>;
}

/**
 * A scheduled upgrade of one Avisi Cloud Kubernetes cluster
 * (`POST /api/v1/orgs/{org}/scheduled-cluster-upgrades`, the documented call that schedules *or
 * reschedules*): the platform upgrades the cluster in its next maintenance window.
 *
 * - One upgrade object per cluster: changing `version` or `scheduleRequestDate` reschedules it in place.
 * - `MISSED`, `FAILED` and `SUPERSEDED` are errors naming the cluster and the vendor's reason; the
 *   resource stays in state and the next `up` schedules again.
 * - Destroy cancels an upgrade that has not started where the vendor allows it; otherwise it says
 *   which upgrade stays scheduled, for which window.
 *
 * @example
 * ```ts
 * const windows = new avisi.MaintenanceSchedule("weekly", {
 *     name: "weekly", windows: [{ day: "TUESDAY", startTime: "02:00", duration: 240 }],
 * });
 * const upgrade = new avisi.ScheduledClusterUpgrade("k8s-prod", {
 *     environment: "production", cluster: "k8s-prod", version: "1.31.10",
 *     maintenanceScheduleId: windows.id,
 * });
 * export const window = pulumi.interpolate`${upgrade.windowStart} – ${upgrade.windowEnd}`;
 * ```
 */
export class ScheduledClusterUpgrade extends pulumi.dynamic.Resource {
    /** Type token, for policies (`validateResourceOfType`). */
    static readonly __pulumiType = avisiKinds.ScheduledClusterUpgrade.typeToken;

    declare readonly version: pulumi.Output<string>;
    declare readonly ignoreMaintenanceSchedule: pulumi.Output<boolean | undefined>;
    declare readonly outsideWindowReason: pulumi.Output<string | undefined>;
    declare readonly scheduleRequestDate: pulumi.Output<string | undefined>;
    /** The cluster's identity (given, or looked up from environment + cluster). */
    declare readonly resolvedClusterIdentity: pulumi.Output<string>;
    /** `environment/cluster`. */
    declare readonly clusterName: pulumi.Output<string>;
    /** The vendor's upgrade object ("" when the cluster already ran the version). */
    declare readonly upgradeIdentity: pulumi.Output<string>;
    /** `REQUESTED`, `SCHEDULED`, `SCHEDULED_NOTIFIED`, `IN_PROGRESS`, `SUCCEEDED`, `FAILED`, `MISSED`, `SUPERSEDED`, or `CURRENT` (nothing scheduled). */
    declare readonly status: pulumi.Output<string>;
    /** Start of the maintenance window the upgrade runs in (ISO 8601; "" while unknown). */
    declare readonly windowStart: pulumi.Output<string>;
    declare readonly windowEnd: pulumi.Output<string>;
    /** The vendor's reason for the last status. */
    declare readonly reason: pulumi.Output<string>;
    /** Version the cluster ran when the upgrade was scheduled. */
    declare readonly fromVersion: pulumi.Output<string>;
    /** Version the cluster runs, as last read. */
    declare readonly clusterVersion: pulumi.Output<string>;

    constructor(name: string, args: ScheduledClusterUpgradeArgs, opts?: pulumi.CustomResourceOptions) {
        super(
            avisiKinds.ScheduledClusterUpgrade.provider,
            name,
            {
                __logName: name,
                ...args,
                ...(args.connection && { connection: secretAvisiConnection(args.connection) }),
                ignoreMaintenanceSchedule: args.ignoreMaintenanceSchedule,
                outsideWindowReason: args.outsideWindowReason,
                scheduleRequestDate: args.scheduleRequestDate,
                resolvedClusterIdentity: undefined,
                clusterName: undefined,
                upgradeIdentity: undefined,
                status: undefined,
                windowStart: undefined,
                windowEnd: undefined,
                reason: undefined,
                fromVersion: undefined,
                clusterVersion: undefined,
            },
            opts,
            "avisi",
            "ScheduledClusterUpgrade",
        );
    }
}
