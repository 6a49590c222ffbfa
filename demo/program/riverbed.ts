/**
 * Riverbed AppResponse probes: upload the new image to every device (checksum pinned), then install it.
 * Devices are independent, so they upgrade in parallel.
 */
import * as pulumi from "@pulumi/pulumi";
import { riverbed } from "pulumi-upgrades";

/** `fleet:spec.riverbed`. Credentials come from stack config `riverbed:username|password`. */
export interface RiverbedSpec {
    devices: { name: string; endpoint: string }[];
    image: { file: string; sha256: string };
}

export function deployRiverbed(spec: RiverbedSpec, common: { pollIntervalSeconds?: number }): Record<string, pulumi.Output<string>> {
    const versions: Record<string, pulumi.Output<string>> = {};
    for (const device of spec.devices) {
        const connection = { endpoint: device.endpoint };
        const image = new riverbed.UpgradeImage(`${device.name}-image`, {
            connection,
            file: spec.image.file,
            expectedSha256: spec.image.sha256,
            pollIntervalSeconds: common.pollIntervalSeconds,
        });
        const update = new riverbed.SystemUpdate(`${device.name}-update`, {
            connection,
            imageId: image.id,
            targetVersion: image.version,
            pollIntervalSeconds: common.pollIntervalSeconds,
        });
        versions[device.name] = update.installedVersion;
    }
    return versions;
}
