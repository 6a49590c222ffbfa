import type { ResourceValidationPolicy } from "@pulumi/policy";
import { isUpgradeResourceType } from "./resource-types";

/**
 * `tls-verification`: upgrade resources verify the device's certificate. Turning verification off
 * (`connection.insecure: true`) is allowed only explicitly, and this rule reports every such resource.
 *
 * Advisory by default; make it a gate with `--policy-pack-config`:
 * ```json
 * { "tls-verification": "mandatory" }
 * ```
 */
export const tlsVerification: ResourceValidationPolicy = {
    name: "tls-verification",
    description: "Upgrade resources must verify device TLS certificates; disabling verification is flagged.",
    enforcementLevel: "advisory",
    severity: "high",
    remediationSteps:
        "Remove connection.insecure and trust the device's CA with connection.caBundle (or the <vendor>:caBundle config key).",
    validateResource: (args, reportViolation) => {
        if (!isUpgradeResourceType(args.type)) {
            return;
        }
        const connection = args.props.connection as { insecure?: unknown } | undefined;
        if (connection?.insecure === true) {
            reportViolation(
                `TLS certificate verification is disabled for '${args.name}' (connection.insecure = true); ` +
                    `trust the device's CA with connection.caBundle instead.`,
            );
        }
    },
};
