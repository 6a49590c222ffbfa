import type { ResourceValidationPolicy } from "@pulumi/policy";
import { isUpgradeResourceType } from "./resource-types";

/**
 * `no-downgrade`: the providers refuse to move a device to an older version unless the resource sets
 * `allowDowngrade: true`; this rule flags every resource that does. Mandatory by default: a
 * downgrade needs the pack's enforcement lowered for that run, which is visible in review.
 */
export const noDowngrade: ResourceValidationPolicy = {
    name: "no-downgrade",
    description: "Resources must not allow downgrades (allowDowngrade: true).",
    enforcementLevel: "mandatory",
    severity: "critical",
    remediationSteps: "Remove allowDowngrade, or run this one change with --policy-pack-config setting no-downgrade to advisory.",
    validateResource: (args, reportViolation) => {
        if (isUpgradeResourceType(args.type) && args.props.allowDowngrade === true) {
            reportViolation(`'${args.name}' allows a downgrade (allowDowngrade: true).`);
        }
    },
};
