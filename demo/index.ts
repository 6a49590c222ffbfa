/**
 * The mixed-fleet upgrade, as code.
 *
 * - Riverbed AppResponse probes: upload the new image to every device (checksum pinned), then
 *   install it. Devices are independent, so they upgrade in parallel.
 * - Appgate SDP collective: controllers first, one at a time; then the gateways, site by site and one
 *   gateway at a time within a site, so a site never loses more than one gateway (the policy pack's
 *   `blast-radius` rule checks exactly that ordering in the dependency graph).
 *
 * Everything the program needs comes from stack config: `fleet:spec` (the inventory, below) and the
 * credentials `riverbed:username|password`, `appgate:username|password|endpoint` (passwords set with
 * `--secret`). `npm run demo` points it at the built-in simulators.
 */
import * as pulumi from "@pulumi/pulumi";
import { appgate, riverbed } from "pulumi-upgrades";

/** The inventory, from `pulumi config set fleet:spec '<json>'`. */
interface FleetSpec {
    riverbed: {
        devices: { name: string; endpoint: string }[];
        image: { file: string; sha256: string };
    };
    appgate: {
        imageUrl: string;
        controllers: { name: string; id: string }[];
        sites: { name: string; gateways: { name: string; id: string }[] }[];
    };
    /** Poll floor for the demo's compressed time; real appliances want the defaults. */
    pollIntervalSeconds?: number;
}

const fleet = new pulumi.Config("fleet").requireObject<FleetSpec>("spec");
const poll = fleet.pollIntervalSeconds;

// --- Riverbed: image, then update, per device -------------------------------------------------------
export const riverbedVersions: Record<string, pulumi.Output<string>> = {};
for (const device of fleet.riverbed.devices) {
    const connection = { endpoint: device.endpoint };
    const image = new riverbed.UpgradeImage(`${device.name}-image`, {
        connection,
        file: fleet.riverbed.image.file,
        expectedSha256: fleet.riverbed.image.sha256,
        pollIntervalSeconds: poll,
    });
    const update = new riverbed.SystemUpdate(`${device.name}-update`, {
        connection,
        imageId: image.id,
        targetVersion: image.version,
        pollIntervalSeconds: poll,
    });
    riverbedVersions[device.name] = update.installedVersion;
}

// --- Appgate: controllers one at a time, then gateways site by site ------------------------------------
let previous: pulumi.Resource | undefined;
const wave = (name: string, id: string, site?: string): appgate.ApplianceUpgrade => {
    const upgrade = new appgate.ApplianceUpgrade(
        name,
        { applianceId: id, imageUrl: fleet.appgate.imageUrl, stage: "complete", switchPartition: true, site, pollIntervalSeconds: poll },
        { dependsOn: previous ? [previous] : [] },
    );
    previous = upgrade;
    return upgrade;
};

export const appgateVersions: Record<string, pulumi.Output<string>> = {};
for (const controller of fleet.appgate.controllers) {
    appgateVersions[controller.name] = wave(controller.name, controller.id).runningVersion;
}
for (const site of fleet.appgate.sites) {
    for (const gateway of site.gateways) {
        appgateVersions[gateway.name] = wave(gateway.name, gateway.id, site.name).runningVersion;
    }
}
