import type { ResourceValidationPolicy } from "@pulumi/policy";
import { isUpgradeResourceType } from "./resource-types";

/** Resource kinds that put an image on a device (their `expectedSha256` input pins the bits). */
export const IMAGE_KINDS = ["UpgradeImage", "Image", "Candidate"] as const;

/**
 * `image-checksum`: every image resource pins the SHA-256 it expects (`expectedSha256`), so the bits a
 * device installs are the bits that were reviewed. Mandatory by default.
 */
export const imageChecksum: ResourceValidationPolicy = {
    name: "image-checksum",
    description: "Upgrade images must pin an expected SHA-256 (expectedSha256).",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps: "Set expectedSha256 to the 64-hex-digit SHA-256 published with the image (sha256sum <file>).",
    validateResource: (args, reportViolation) => {
        if (!isUpgradeResourceType(args.type) || !(IMAGE_KINDS as readonly string[]).includes(args.type.split(":").pop()!)) {
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
