import * as pulumi from "@pulumi/pulumi";
import { riverbedKinds } from "./kinds";
import { secretConnection, type RiverbedConnectionArgs } from "./connection-args";

/** Inputs of {@link UpgradeImage}. Give exactly one of `file` and `url`. */
export interface UpgradeImageArgs {
    /** The appliance; see {@link RiverbedConnectionArgs} for the config/env fallbacks. */
    connection?: RiverbedConnectionArgs;
    /**
     * Local image file, streamed to the device (`POST images/upload`) and hashed in the same pass.
     * `pulumi preview` does not read it. Changing it replaces the image.
     */
    file?: pulumi.Input<string>;
    /** URL the device downloads the image from itself (`POST images/fetch`). Changing it replaces the image. */
    url?: pulumi.Input<string>;
    /**
     * SHA-256 (64 hex digits) the image must have; checked against what the device reports, and used
     * to adopt an identical VALID image already on the device. Optional here, mandatory under the
     * policy pack. Changing it replaces the image, unless the new value is the checksum the device
     * already reports (then the image is only verified).
     */
    expectedSha256?: pulumi.Input<string>;
    /**
     * One deadline for the whole create or update, in seconds: the transfer, the device's validation
     * (or download and validation for a `url`) and any outage come out of it. Default 1800 (30 minutes).
     * The upload itself is also bounded by progress: it fails when no data moves for 2 minutes. An
     * image still being validated at the deadline stays in state; the next `up` resumes the wait.
     */
    waitTimeoutSeconds?: pulumi.Input<number>;
    /** Longest tolerated stretch of the device not answering, within `waitTimeoutSeconds`, in seconds. Default 600. */
    rebootTimeoutSeconds?: pulumi.Input<number>;
    /** Poll interval floor while waiting, in seconds (backs off up to 4×, at most 30 s; up to 120 s before earlier devices' shortest validation time). Default 5. */
    pollIntervalSeconds?: pulumi.Input<number>;
}

/**
 * An upgrade image on a Riverbed AppResponse appliance (`npm.system_update` 2.0), ready to install:
 * transferred (upload or device fetch), validated by the device (`VALID`) and checksum-verified.
 *
 * - A `VALID` image with the same SHA-256 already on the device is adopted instead of transferred.
 * - `INVALID` / `UPLOAD_ERROR` (or a checksum mismatch) fails with the device's description; the
 *   unusable image is deleted and nothing is kept in state.
 * - A wait that runs out keeps the image in state; the next `up` resumes the wait.
 * - After a {@link SystemUpdate} installs it, the device removes the image; refresh then reports
 *   state `CONSUMED` rather than forgetting it, so nothing is uploaded again.
 * - Destroy deletes the image from the device (already gone is fine).
 *
 * @example
 * ```ts
 * const image = new riverbed.UpgradeImage("appresponse-11.7", {
 *     file: "/images/appresponse-11.7.0.img",
 *     expectedSha256: "4f0c…",
 * });
 * export const version = image.version; // "11.7.0 #24010"
 * ```
 */
export class UpgradeImage extends pulumi.dynamic.Resource {
    /** Type token, for policies (`validateResourceOfType`). */
    static readonly __pulumiType = riverbedKinds.UpgradeImage.typeToken;

    declare readonly file: pulumi.Output<string | undefined>;
    declare readonly url: pulumi.Output<string | undefined>;
    declare readonly expectedSha256: pulumi.Output<string | undefined>;
    /** Version the device read from the image, e.g. `11.7.0 #24010`. Feed it to {@link SystemUpdate}'s `targetVersion`. */
    declare readonly version: pulumi.Output<string>;
    /** SHA-256 the device computed. */
    declare readonly checksum: pulumi.Output<string>;
    /** `VALID`; `CONSUMED` once the device installed and removed it. */
    declare readonly state: pulumi.Output<string>;
    /** The device's `state_description`. */
    declare readonly stateDescription: pulumi.Output<string>;
    /** True when an identical image already on the device was adopted. */
    declare readonly adopted: pulumi.Output<boolean>;

    constructor(name: string, args: UpgradeImageArgs, opts?: pulumi.CustomResourceOptions) {
        super(
            riverbedKinds.UpgradeImage.provider,
            name,
            {
                __logName: name,
                ...args,
                ...(args.connection && { connection: secretConnection(args.connection) }),
                file: args.file,
                url: args.url,
                expectedSha256: args.expectedSha256,
                version: undefined,
                checksum: undefined,
                state: undefined,
                stateDescription: undefined,
                adopted: undefined,
            },
            opts,
            "riverbed",
            "UpgradeImage",
        );
    }
}
