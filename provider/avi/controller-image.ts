import * as pulumi from "@pulumi/pulumi";
import { secretConnection, type AviConnectionArgs } from "./connection-args";
import { aviKinds } from "./kinds";

/** Inputs of {@link ControllerImage}. */
export interface ControllerImageArgs {
    /** The controller; see {@link AviConnectionArgs} for the `avi:*` config / `AVI_*` env fallbacks. */
    connection?: AviConnectionArgs;
    /**
     * Local controller package (`controller.pkg`), streamed to `POST /api/image` (multipart field
     * `file`) and hashed in the same pass. `pulumi preview` does not read it. Changing it replaces the image.
     */
    file: pulumi.Input<string>;
    /**
     * Release (`22.1.7`) or build tag (`22.1.7-9093-20231004.120000`) the image must carry. Optional:
     * the package's own `bootstrap/VERSION` is used when absent. Changing it replaces the image.
     */
    version?: pulumi.Input<string>;
    /**
     * SHA-256 (64 hex digits) the local file must have; computed in the same pass as the upload, and a
     * mismatch deletes the uploaded image and fails. The policy pack's `image-checksum` rule requires it.
     */
    expectedSha256?: pulumi.Input<string>;
    /**
     * One deadline for the whole create or update, in seconds: the upload, the controller's processing
     * (`IMAGE_FSM_*`) and any outage come out of it. Default 3600 (1 hour). An image still being processed
     * at the deadline stays in state; the next `up` resumes the wait.
     */
    waitTimeoutSeconds?: pulumi.Input<number>;
    /** Poll interval floor while waiting, in seconds. Default 5. */
    pollIntervalSeconds?: pulumi.Input<number>;
}

/**
 * A controller image on an Avi / NSX ALB controller, processed (`IMAGE_FSM_COMPLETED`) and ready
 * for {@link ControllerUpgrade}.
 *
 * - An image with the package's build tag already on the controller is adopted instead of uploaded.
 * - The upload streams from disk with bounded memory; the image is found even when the controller's
 *   answer carries no uuid (by diffing the image list, then by build tag).
 * - `IMAGE_FSM_FAILED` fails with the controller's reason; a wait that runs out keeps the image in
 *   state and the next `up` resumes it.
 * - Destroy forgets the image and leaves it on the controller.
 *
 * @example
 * ```ts
 * const image = new avi.ControllerImage("alb-22.1.7", { file: "/images/controller-22.1.7.pkg" });
 * const upgrade = new avi.ControllerUpgrade("alb", { imageUuid: image.id, prechecks: true });
 * ```
 */
export class ControllerImage extends pulumi.dynamic.Resource {
    /** Type token, for policies (`validateResourceOfType`). */
    static readonly __pulumiType = aviKinds.ControllerImage.typeToken;

    declare readonly file: pulumi.Output<string>;
    declare readonly version: pulumi.Output<string | undefined>;
    /** `image-<uuid>` (also the resource id). */
    declare readonly uuid: pulumi.Output<string>;
    /** The image's API URL (`image_ref`). */
    declare readonly ref: pulumi.Output<string>;
    declare readonly name: pulumi.Output<string>;
    /** Release the image carries, e.g. `22.1.7`. */
    declare readonly imageVersion: pulumi.Output<string>;
    /** Build tag, e.g. `22.1.7-9093-20231004.120000`. */
    declare readonly tag: pulumi.Output<string>;
    declare readonly buildNo: pulumi.Output<number>;
    /** `IMAGE_TYPE_SYSTEM` or `IMAGE_TYPE_PATCH`. */
    declare readonly type: pulumi.Output<string>;
    /** `IMAGE_FSM_COMPLETED`. */
    declare readonly state: pulumi.Output<string>;
    /** SHA-256 of the local package. */
    declare readonly sha256: pulumi.Output<string>;
    /** True when an image already on the controller was adopted. */
    declare readonly adopted: pulumi.Output<boolean>;

    constructor(name: string, args: ControllerImageArgs, opts?: pulumi.CustomResourceOptions) {
        super(
            aviKinds.ControllerImage.provider,
            name,
            {
                __logName: name,
                ...args,
                ...(args.connection && { connection: secretConnection(args.connection) }),
                version: args.version,
                uuid: undefined,
                ref: undefined,
                name: undefined,
                imageVersion: undefined,
                tag: undefined,
                buildNo: undefined,
                type: undefined,
                state: undefined,
                sha256: undefined,
                adopted: undefined,
            },
            opts,
            "avi",
            "ControllerImage",
        );
    }
}
