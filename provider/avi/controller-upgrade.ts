import * as pulumi from "@pulumi/pulumi";
import { secretConnection, type AviConnectionArgs } from "./connection-args";
import { aviKinds } from "./kinds";

/** Inputs of {@link ControllerUpgrade}. */
export interface ControllerUpgradeArgs {
    /** The controller; see {@link AviConnectionArgs}. */
    connection?: AviConnectionArgs;
    /** Uuid of a processed system image, e.g. a {@link ControllerImage}'s id. Changing it runs another upgrade. */
    imageUuid: pulumi.Input<string>;
    /** Release or build tag the image must carry (a guard against upgrading to the wrong image). */
    targetVersion?: pulumi.Input<string>;
    /**
     * Upgrade only these SE groups (names or uuids) instead of the whole system. Default: the whole
     * system (`system: true`: the controller cluster and every SE group).
     */
    seGroups?: pulumi.Input<pulumi.Input<string>[]>;
    /** With `seGroups`: also upgrade the controller cluster. Default false. */
    controller?: pulumi.Input<boolean>;
    /** Run `prechecks_only` first and stop on must-check errors (and warnings unless `skipWarnings`). Default false. */
    prechecks?: pulumi.Input<boolean>;
    /** Accept must-check warnings (`skip_warnings`); errors can never be skipped. Default false. */
    skipWarnings?: pulumi.Input<boolean>;
    /** What the controller does when an SE group fails (`se_group_options.action_on_error`). Controller default applies when unset. */
    actionOnError?: pulumi.Input<"SUSPEND_UPGRADE_OPS_ON_ERROR" | "CONTINUE_UPGRADE_OPS_ON_ERROR" | "ROLLBACK_UPGRADE_OPS_ON_ERROR">;
    /** Resume SUSPENDED SE groups of this upgrade (once each) instead of failing. Default false. */
    resumeSuspended?: pulumi.Input<boolean>;
    /** API path that resumes SE groups (the public docs do not give it). Default `/api/resumesegroup`. */
    resumePath?: pulumi.Input<string>;
    /** One budget for the whole operation — prechecks, controller reboot and every SE group — in seconds. Default 14400 (4 hours). */
    waitTimeoutSeconds?: pulumi.Input<number>;
    /** Poll interval floor, in seconds (backs off up to 4×, at most 30 s; the progress rate stretches it up to 120 s far from the end). Default 10. */
    pollIntervalSeconds?: pulumi.Input<number>;
}

/**
 * An upgrade of an Avi / NSX ALB controller cluster and its SE groups (`POST /api/upgrade`), done
 * when EVERY UpgradeStatusInfo record it concerns is `UPGRADE_FSM_COMPLETED` at the image's version
 * (`CONTROLLER_COMPLETED` with SE groups pending, or `progress: 100`, is not done).
 *
 * - Already at the target: nothing is started. An upgrade to the same image already running is
 *   adopted; exactly one `POST /api/upgrade` per upgrade.
 * - Survives the controller reboot (connections refused, 5xx, every session void), 403 while the
 *   upgrade runs, and expired sessions (a new login, a new CSRF token).
 * - ERROR / ABORTED / ENQUEUE_FAILED / an automatic rollback / precheck errors fail with each
 *   record's reason, failed tasks and must-checks. A SUSPENDED SE group fails with how to resume it
 *   and stays in state; `resumeSuspended: true` resumes it on the next `up`.
 * - Destroy forgets the resource (an installed version cannot be undone through this API).
 *
 * @example
 * ```ts
 * const image = new avi.ControllerImage("alb-22.1.7", { file: "controller-22.1.7.pkg" });
 * const upgrade = new avi.ControllerUpgrade("alb", {
 *     imageUuid: image.id,
 *     prechecks: true,          // stop on must-check errors before anything changes
 *     waitTimeoutSeconds: 3 * 3600,
 * });
 * export const running = upgrade.version; // "22.1.7-9093-20231004.120000"
 * ```
 */
export class ControllerUpgrade extends pulumi.dynamic.Resource {
    /** Type token, for policies (`validateResourceOfType`). */
    static readonly __pulumiType = aviKinds.ControllerUpgrade.typeToken;

    declare readonly imageUuid: pulumi.Output<string>;
    /** The controller cluster's uuid (also the resource id). */
    declare readonly clusterUuid: pulumi.Output<string>;
    /** Build tag the upgrade targets. */
    declare readonly targetTag: pulumi.Output<string>;
    /** The controller record's version. */
    declare readonly version: pulumi.Output<string>;
    /** The controller record's version before the upgrade. */
    declare readonly previousVersion: pulumi.Output<string>;
    /** `COMPLETED`. */
    declare readonly state: pulumi.Output<string>;
    /** The concerned UpgradeStatusInfo records, summarized. */
    declare readonly records: pulumi.Output<
        Array<{ uuid: string; name: string; nodeType: string; state: string; upgradeOps: string; version: string; progress: number }>
    >;
    /** Must-check results of the prechecks. */
    declare readonly precheckResults: pulumi.Output<Array<{ checkCode: string; state: string; description: string }>>;

    constructor(name: string, args: ControllerUpgradeArgs, opts?: pulumi.CustomResourceOptions) {
        super(
            aviKinds.ControllerUpgrade.provider,
            name,
            {
                __logName: name,
                ...args,
                ...(args.connection && { connection: secretConnection(args.connection) }),
                clusterUuid: undefined,
                targetTag: undefined,
                version: undefined,
                previousVersion: undefined,
                state: undefined,
                records: undefined,
                precheckResults: undefined,
            },
            opts,
            "avi",
            "ControllerUpgrade",
        );
    }
}
