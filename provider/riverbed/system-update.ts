import * as pulumi from "@pulumi/pulumi";
import { riverbedKinds } from "./kinds";
import { secretConnection, type RiverbedConnectionArgs } from "./connection-args";

/** Inputs of {@link SystemUpdate}. */
export interface SystemUpdateArgs {
    /** The appliance; see {@link RiverbedConnectionArgs}. Changing the endpoint replaces the resource. */
    connection?: RiverbedConnectionArgs;
    /** The device's id of a `VALID` image to install: an {@link UpgradeImage}'s `id`. Changing it updates in place. */
    imageId: pulumi.Input<string | number>;
    /**
     * The version the device must end up running, e.g. an {@link UpgradeImage}'s `version`, or the
     * short form `11.7.0`. Matched by prefix (`11.7.0` matches `11.7.0 #24010`). The image must carry it.
     */
    targetVersion: pulumi.Input<string>;
    /** Allow installing a version older than the running one. Default false; the policy pack flags true. */
    allowDowngrade?: pulumi.Input<boolean>;
    /**
     * The device initializes an update from its only `VALID` image. With true (default), other VALID
     * images are deleted before `init`; with false, their presence is an error.
     */
    deleteOtherImages?: pulumi.Input<boolean>;
    /**
     * One deadline for the whole create or update, in seconds: reset, init, install, the reboot and
     * the device coming back all come out of it (the reboot allowance is part of it, not added).
     * Default 5400 (90 minutes).
     */
    waitTimeoutSeconds?: pulumi.Input<number>;
    /** Poll interval floor, in seconds (backs off up to 4×, at most 30 s; up to 120 s before earlier devices' shortest update time). Default 10. */
    pollIntervalSeconds?: pulumi.Input<number>;
    /** Longest tolerated stretch of the device not answering (its reboot), within `waitTimeoutSeconds`, in seconds. Default 1200 (20 minutes). */
    rebootTimeoutSeconds?: pulumi.Input<number>;
}

/**
 * Brings a Riverbed AppResponse appliance to `targetVersion` by installing a `VALID` image:
 * `init` → `start` → install and reboot → back online, `IDLE`, with a new `update_history` entry at
 * the target version (the vendor has no explicit success state).
 *
 * - Already at the target version: nothing to do. An update already `RUNNING` towards the target is
 *   waited for, never started twice. Downgrades are refused unless `allowDowngrade`.
 * - The reboot (connections refused) and token expiry during the wait are ridden out.
 * - A failure names the device, the phase and the device's description, and keeps the resource in
 *   state: the next `up` resumes (a `FAILED_GRACEFUL` update is reset and retried).
 * - Destroy cannot downgrade a device: it only removes the resource from the stack and logs the
 *   version the device keeps.
 *
 * @example
 * ```ts
 * const image = new riverbed.UpgradeImage("img", { file: "appresponse-11.7.0.img", expectedSha256: sha });
 * const update = new riverbed.SystemUpdate("appresponse", { imageId: image.id, targetVersion: image.version });
 * export const running = update.installedVersion; // "11.7.0 #24010"
 * ```
 */
export class SystemUpdate extends pulumi.dynamic.Resource {
    /** Type token, for policies (`validateResourceOfType`). */
    static readonly __pulumiType = riverbedKinds.SystemUpdate.typeToken;

    declare readonly imageId: pulumi.Output<string | number>;
    declare readonly targetVersion: pulumi.Output<string>;
    /** The version the device runs (newest `update_history` entry), e.g. `11.7.0 #24010`. */
    declare readonly installedVersion: pulumi.Output<string>;
    /** The version the device ran before this resource last updated it. */
    declare readonly previousVersion: pulumi.Output<string>;
    /** The device's update state (`IDLE` after success). */
    declare readonly state: pulumi.Output<string>;
    /** The device's `state_description`. */
    declare readonly stateDescription: pulumi.Output<string>;
    /** When the installed version was installed (ISO 8601, from the device's `update_history`). */
    declare readonly installedAt: pulumi.Output<string>;

    constructor(name: string, args: SystemUpdateArgs, opts?: pulumi.CustomResourceOptions) {
        super(
            riverbedKinds.SystemUpdate.provider,
            name,
            {
                __logName: name,
                ...args,
                ...(args.connection && { connection: secretConnection(args.connection) }),
                installedVersion: undefined,
                previousVersion: undefined,
                state: undefined,
                stateDescription: undefined,
                installedAt: undefined,
            },
            opts,
            "riverbed",
            "SystemUpdate",
        );
    }
}
