import * as pulumi from "@pulumi/pulumi";
import { secretConnection } from "../core/connection-args";
import type { UnityConnectionArgs } from "./connection-args";
import { unityKinds } from "./kinds";

/** Inputs of {@link UpgradeSession}. */
export interface UpgradeSessionArgs {
    /** The array; see {@link UnityConnectionArgs}. */
    connection?: UnityConnectionArgs;
    /** The candidate to install: `UpgradeCandidate.candidateId`. Changing it is a new upgrade (replace). */
    candidateId: pulumi.Input<string>;
    /** Its version: `UpgradeCandidate.version`. The upgrade is done when the array runs it. */
    candidateVersion: pulumi.Input<string>;
    /** Stop after the preinstall tasks, before the first storage-processor reboot. Default false. */
    pauseBeforeReboot?: pulumi.Input<boolean>;
    /**
     * When the session pauses (`Upgrade_Paused`): true resumes it at once; false (default) stops with
     * an error saying how to continue — set this to true and run `pulumi up` again.
     */
    resumeAfterPause?: pulumi.Input<boolean>;
    /** One deadline for the whole upgrade, reboot windows included, in seconds. Default 14400 (4 hours). */
    waitTimeoutSeconds?: pulumi.Input<number>;
    /** Poll interval floor, in seconds (backs off up to 4×, at most 30 s; the array's estimate shortens it near the end and stretches it up to 120 s far from it). Default 15. */
    pollIntervalSeconds?: pulumi.Input<number>;
    /** Longest tolerated stretch of management being unreachable (the primary-SP failover), in seconds. Default 1800. */
    rebootTimeoutSeconds?: pulumi.Input<number>;
}

/**
 * A non-disruptive software upgrade of a Dell Unity array: a `softwareUpgradeSession` that installs
 * the uploaded candidate and is waited for until `Upgrade_Completed`.
 *
 * - `verifyUpgradeEligibility` runs first; if any component is degraded the resource fails with the
 *   array's messages before anything starts.
 * - Exactly one session per upgrade: a session already running for this candidate is adopted, and a
 *   failed or paused one is **resumed** by the next `pulumi up` rather than replaced.
 * - The primary-SP reboot moves management to the peer SP; the wait rides through the outage, logs
 *   in again and takes the new CSRF token.
 * - Already at `candidateVersion`: nothing to do.
 * - Failed / Failed_Lock / Waiting_For_User: an error carrying the session's messages; the resource
 *   stays in state and the next `up` resumes the session.
 * - Destroy only forgets the resource (an upgrade cannot be undone).
 *
 * @example
 * ```ts
 * const candidate = new unity.UpgradeCandidate("unity-5.3", { file: "images/Unity-5.3.0.0.5.120.tgz.bin.gpg" });
 * const upgrade = new unity.UpgradeSession("unity-1", {
 *     candidateId: candidate.candidateId,
 *     candidateVersion: candidate.version,
 *     pauseBeforeReboot: true,
 *     resumeAfterPause: true,
 * });
 * export const installed = upgrade.installedVersion;
 * ```
 */
export class UpgradeSession extends pulumi.dynamic.Resource {
    /** Type token, for policies (`validateResourceOfType`). */
    static readonly __pulumiType = unityKinds.UpgradeSession.typeToken;

    declare readonly candidateId: pulumi.Output<string>;
    declare readonly candidateVersion: pulumi.Output<string>;
    /** The array's session id ("" when the version was already installed). */
    declare readonly sessionId: pulumi.Output<string>;
    /** Final status name: `Upgrade_Completed`, `Upgrade_Acknowledged`, or `Already_Installed`. */
    declare readonly status: pulumi.Output<string>;
    /** `basicSystemInfo.softwareVersion` after the upgrade. */
    declare readonly installedVersion: pulumi.Output<string>;
    /** The version before this resource started the session. */
    declare readonly previousVersion: pulumi.Output<string>;
    /** The session's last messages. */
    declare readonly messages: pulumi.Output<string[]>;

    constructor(name: string, args: UpgradeSessionArgs, opts?: pulumi.CustomResourceOptions) {
        const kind = unityKinds.UpgradeSession;
        const props = {
            __logName: name,
            ...args,
            ...(args.connection && { connection: secretConnection(args.connection) }),
            sessionId: undefined,
            status: undefined,
            installedVersion: undefined,
            previousVersion: undefined,
            messages: undefined,
        };
        super(kind.provider, name, props, opts, kind.vendor, kind.kind);
    }
}
