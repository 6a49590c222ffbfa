import * as pulumi from "@pulumi/pulumi";
import { secretAvisiConnection, type AvisiConnectionArgs } from "./connection-args";
import { avisiKinds } from "./kinds";

/** One weekly window. The format and the timezone are not documented: days `MONDAY`…`SUNDAY`, `HH:mm` in UTC. */
export interface MaintenanceWindowArgs {
    day: pulumi.Input<"MONDAY" | "TUESDAY" | "WEDNESDAY" | "THURSDAY" | "FRIDAY" | "SATURDAY" | "SUNDAY">;
    /** `HH:mm`, UTC, e.g. `02:00`. */
    startTime: pulumi.Input<string>;
    /** Length in minutes. */
    duration: pulumi.Input<number>;
}

/** Inputs of {@link MaintenanceSchedule}. */
export interface MaintenanceScheduleArgs {
    connection?: AvisiConnectionArgs;
    /** Schedule name, unique in the organisation (an existing schedule of this name is adopted). */
    name: pulumi.Input<string>;
    /** The weekly windows (at least one). */
    windows: pulumi.Input<pulumi.Input<MaintenanceWindowArgs>[]>;
}

/**
 * An Avisi Cloud maintenance schedule: the weekly windows in which scheduled cluster upgrades run.
 * Pass its `id` as a {@link ScheduledClusterUpgrade}'s `maintenanceScheduleId` to attach it to the
 * cluster, so a stack declares both the windows and the upgrade that lands in them.
 *
 * @example
 * ```ts
 * const weekly = new avisi.MaintenanceSchedule("weekly", {
 *     name: "weekly",
 *     windows: [{ day: "TUESDAY", startTime: "02:00", duration: 240 }],
 * });
 * export const nextWindow = weekly.nextWindowStart;
 * ```
 */
export class MaintenanceSchedule extends pulumi.dynamic.Resource {
    /** Type token, for policies (`validateResourceOfType`). */
    static readonly __pulumiType = avisiKinds.MaintenanceSchedule.typeToken;

    declare readonly name: pulumi.Output<string>;
    declare readonly windows: pulumi.Output<Array<{ day: string; startTime: string; duration: number }>>;
    /** The vendor's identity of the schedule (also the resource id). */
    declare readonly scheduleIdentity: pulumi.Output<string>;
    /** Next window occurrence (ISO 8601, UTC) as of the last create/update/refresh. */
    declare readonly nextWindowStart: pulumi.Output<string>;
    declare readonly nextWindowEnd: pulumi.Output<string>;

    constructor(name: string, args: MaintenanceScheduleArgs, opts?: pulumi.CustomResourceOptions) {
        super(
            avisiKinds.MaintenanceSchedule.provider,
            name,
            {
                __logName: name,
                ...args,
                ...(args.connection && { connection: secretAvisiConnection(args.connection) }),
                scheduleIdentity: undefined,
                nextWindowStart: undefined,
                nextWindowEnd: undefined,
            },
            opts,
            "avisi",
            "MaintenanceSchedule",
        );
    }
}
