/**
 * Dell Unity arrays: upload the candidate to each array (the array holds one), then run one upgrade
 * session per array to Upgrade_Completed through the primary-SP failover. Arrays are independent.
 */
import type * as pulumi from "@pulumi/pulumi";
import { unity } from "pulumi-upgrades";

/** `fleet:spec.unity`. Credentials come from stack config `unity:username|password`. */
export interface UnitySpec {
    arrays: { name: string; endpoint: string }[];
    candidate: { file: string; version: string };
}

export function deployUnity(spec: UnitySpec, common: { pollIntervalSeconds?: number }): Record<string, pulumi.Output<string>> {
    const versions: Record<string, pulumi.Output<string>> = {};
    for (const array of spec.arrays) {
        const connection = { endpoint: array.endpoint };
        const candidate = new unity.UpgradeCandidate(`${array.name}-candidate`, {
            connection,
            file: spec.candidate.file,
            expectedVersion: spec.candidate.version,
        });
        const upgrade = new unity.UpgradeSession(`${array.name}-upgrade`, {
            connection,
            candidateId: candidate.candidateId,
            candidateVersion: candidate.version,
            pollIntervalSeconds: common.pollIntervalSeconds,
        });
        versions[array.name] = upgrade.installedVersion;
    }
    return versions;
}
