/**
 * Avi / NSX ALB controllers: upload the controller package (checksum pinned), run the prechecks,
 * then upgrade the cluster and every SE group. Done only when every UpgradeStatusInfo record is
 * COMPLETED at the new version.
 */
import * as pulumi from "@pulumi/pulumi";
import { avi } from "pulumi-upgrades";

/** `fleet:spec.avi`. Credentials come from stack config `avi:username|password`. */
export interface AviSpec {
    controllers: { name: string; endpoint: string }[];
    image: { file: string; sha256: string };
}

export function deployAvi(spec: AviSpec, common: { pollIntervalSeconds?: number }): Record<string, pulumi.Output<string>> {
    const versions: Record<string, pulumi.Output<string>> = {};
    for (const controller of spec.controllers) {
        const connection = { endpoint: controller.endpoint };
        const image = new avi.ControllerImage(`${controller.name}-image`, {
            connection,
            file: spec.image.file,
            expectedSha256: spec.image.sha256,
            pollIntervalSeconds: common.pollIntervalSeconds,
        });
        const upgrade = new avi.ControllerUpgrade(`${controller.name}-upgrade`, {
            connection,
            imageUuid: image.id,
            prechecks: true,
            skipWarnings: true, // the demo controller has a standing backup warning
            pollIntervalSeconds: common.pollIntervalSeconds,
        });
        versions[controller.name] = upgrade.version;
    }
    return versions;
}
