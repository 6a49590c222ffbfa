import * as pulumi from "@pulumi/pulumi";
import { secretConnection } from "../core/connection-args";
import type { AppgateConnectionArgs } from "./connection-args";
import { appgateKinds } from "./kinds";
import { formatAppgateVersion, imageFileName, versionFromImageName } from "./versions";

/** Inputs of {@link ApplianceUpgrade}. */
export interface ApplianceUpgradeArgs {
    connection?: AppgateConnectionArgs;
    /** The appliance's id (a UUID; `GET /admin/appliances` lists them). Changing it replaces the resource. */
    applianceId: pulumi.Input<string>;
    /**
     * Where the appliance downloads the image: an http(s) URL it can reach, or
     * `controller://<controller-hostname>/<file>` for a file in the controller's repository. The file
     * name should follow the vendor pattern `appgate-<version>-<build>-release.img.zip`.
     */
    imageUrl: pulumi.Input<string>;
    /**
     * The version the image installs, e.g. `6.4.1+40123`. Default: derived from the image file name by
     * this class (so `pulumi preview` shows it); the provider checks that a given value matches the image.
     */
    targetVersion?: pulumi.Input<string>;
    /**
     * How far to go: `"prepare"` (default) downloads and verifies the image and stops at `ready`, so a
     * staged rollout can prepare everything first; `"complete"` installs it. Changing it is an update.
     */
    stage?: pulumi.Input<"prepare" | "complete">;
    /**
     * With `stage: "complete"`: reboot into the new partition (default true). When false the upgrade
     * is installed and stays `success` until a partition switch (set this to true later to switch).
     */
    switchPartition?: pulumi.Input<boolean>;
    /** The appliance's site (id or name). When given, it is verified against the controller; a mismatch is an error. */
    site?: pulumi.Input<string>;
    /** Allow a target older than the running version. Default false. */
    allowDowngrade?: pulumi.Input<boolean>;
    /**
     * One deadline for the whole create or update of this appliance, in seconds: prepare, complete,
     * the reboot and the controller coming back all come out of it (the reboot allowance is part of
     * it, not added). Default 1800 (30 minutes); give a `complete` of a slow appliance more.
     */
    waitTimeoutSeconds?: pulumi.Input<number>;
    /** Floor of the poll interval, in seconds (it backs off to four times this, at most 30 s). Default 5. */
    pollIntervalSeconds?: pulumi.Input<number>;
    /** Longest tolerated stretch of the appliance or controller being unreachable (a reboot), within `waitTimeoutSeconds`, in seconds. Default 900. */
    rebootTimeoutSeconds?: pulumi.Input<number>;
}

/**
 * An upgrade of one Appgate SDP appliance (controller, gateway, ...) through the Controller admin
 * API, staged the way `sdpctl appliance upgrade prepare|complete` works.
 *
 * - `stage: "prepare"`: the appliance downloads and verifies `imageUrl` and waits at `ready`.
 * - `stage: "complete"`: it installs the upgrade and (with `switchPartition`) reboots into the other
 *   partition; the resource waits until the appliance is back on the target version **and** on the
 *   other volume. Reboots of the appliance — or of the controller itself — are waited out.
 *
 * Already at the target: nothing to do. Destroy before completion cancels the prepared upgrade;
 * after completion it only forgets the resource.
 *
 * @example
 * ```ts
 * const controller = new appgate.ApplianceUpgrade("controller-1", {
 *     applianceId: "acfa98e0-b58d-5159-82b5-f078170996eb",
 *     imageUrl: "https://files.example.com/appgate-6.4.1-40123-release.img.zip",
 *     stage: "complete",
 * });
 * ```
 */
export class ApplianceUpgrade extends pulumi.dynamic.Resource {
    /** Type token, for policies (`validateResourceOfType`). */
    static readonly __pulumiType = appgateKinds.ApplianceUpgrade.typeToken;

    declare readonly applianceId: pulumi.Output<string>;
    declare readonly imageUrl: pulumi.Output<string>;
    /** Target version (given, or derived from the image name). After a refresh: what the appliance is at or prepared for. */
    declare readonly targetVersion: pulumi.Output<string>;
    declare readonly stage: pulumi.Output<"prepare" | "complete" | undefined>;
    declare readonly site: pulumi.Output<string | undefined>;
    /** The appliance's name on the controller. */
    declare readonly applianceName: pulumi.Output<string>;
    declare readonly siteId: pulumi.Output<string>;
    declare readonly siteName: pulumi.Output<string>;
    /** `prepared`, `installed` (partition switch pending), `completed`, `current` (was already at the target) or `failed`. */
    declare readonly phase: pulumi.Output<string>;
    /** Last upgrade status reported by the appliance (`ready`, `idle`, `success`, ...). */
    declare readonly upgradeStatus: pulumi.Output<string>;
    declare readonly upgradeDetails: pulumi.Output<string>;
    /** Image file name prepared by this resource ("" once installed or when none). */
    declare readonly preparedImage: pulumi.Output<string>;
    /** Version the appliance runs, e.g. `6.4.1+40123`. */
    declare readonly runningVersion: pulumi.Output<string>;
    /** Active volume (partition) number. */
    declare readonly volumeNumber: pulumi.Output<number>;
    /** Version before this resource completed the upgrade. */
    declare readonly previousVersion: pulumi.Output<string>;
    /** Volume before this resource completed the upgrade. */
    declare readonly previousVolumeNumber: pulumi.Output<number>;
    /** Peer API version spoken to the controller. */
    declare readonly peerApiVersion: pulumi.Output<number>;

    constructor(name: string, args: ApplianceUpgradeArgs, opts?: pulumi.CustomResourceOptions) {
        // Derived here rather than in `check`, which never rewrites an input: the reviewer sees it in the preview.
        // A plain string is derived at once: no Outputs made per resource for the usual case.
        const targetVersion =
            args.targetVersion ??
            (typeof args.imageUrl === "string" ? targetVersionOf(args.imageUrl) : pulumi.output(args.imageUrl).apply(targetVersionOf));
        super(
            appgateKinds.ApplianceUpgrade.provider,
            name,
            {
                __logName: name,
                ...args,
                ...(args.connection && { connection: secretConnection(args.connection) }),
                targetVersion,
                stage: args.stage,
                site: args.site,
                applianceName: undefined,
                siteId: undefined,
                siteName: undefined,
                phase: undefined,
                upgradeStatus: undefined,
                upgradeDetails: undefined,
                preparedImage: undefined,
                runningVersion: undefined,
                volumeNumber: undefined,
                previousVersion: undefined,
                previousVolumeNumber: undefined,
                peerApiVersion: undefined,
            },
            opts,
            "appgate",
            "ApplianceUpgrade",
        );
    }
}

/** The version an image installs, from its vendor file name (`appgate-<version>-<build>-release.img.zip`). */
function targetVersionOf(imageUrl: string): string | undefined {
    const derived = versionFromImageName(imageFileName(imageUrl));
    return derived ? formatAppgateVersion(derived) : undefined;
}
