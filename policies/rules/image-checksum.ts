import type { ResourceValidationPolicy } from "@pulumi/policy";
import { isImageResourceType } from "./resource-types";

/**
 * `image-checksum`: every image resource (a kind defined with the `image` trait) pins the SHA-256 it expects (`expectedSha256`), so the bits a
 * device installs are the bits that were reviewed. Mandatory by default.
 */
export const imageChecksum: ResourceValidationPolicy = {
    name: "image-checksum",
    description: "Upgrade images must pin an expected SHA-256 (expectedSha256).",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps: "Set expectedSha256 to the 64-hex-digit SHA-256 published with the image (sha256sum <file>).",
    validateResource: (args, reportViolation) => {
        if (!isImageResourceType(args.type)) {
            return;
        }
        const sha = args.props.expectedSha256;
        if (sha === undefined || sha === null || sha === "") {
            reportViolation(`Image '${args.name}' does not pin expectedSha256.`);
        } else if (typeof sha !== "string" || !/^[0-9a-fA-F]{64}$/.test(sha)) {
            reportViolation(`Image '${args.name}' has an expectedSha256 that is not 64 hex digits.`);
        }
    },
};
