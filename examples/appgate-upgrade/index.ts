/**
 * A staged Appgate SDP upgrade of one site, the way `sdpctl appliance upgrade prepare|complete`
 * sequences it:
 *
 * 1. `stage: prepare` (the default): every appliance downloads and verifies the image, all at once.
 *    Nothing is installed; users keep working.
 * 2. `stage: complete`: the controller installs and reboots into the new partition first, then each
 *    gateway, one at a time (dependsOn), so the site never loses more than one gateway.
 *
 * Changing `stage` from prepare to complete shows as an update in `pulumi preview --diff`.
 */
import * as pulumi from "@pulumi/pulumi";
import { appgate } from "pulumi-upgrades";

interface Appliance {
    name: string;
    id: string;
}

const config = new pulumi.Config();
const stage = (config.get("stage") ?? "prepare") as "prepare" | "complete";
if (stage !== "prepare" && stage !== "complete") {
    throw new Error(`config [stage] must be "prepare" or "complete", got "${stage}"`);
}
const site = config.require("site");
const imageUrl = config.require("imageUrl");
const controller = config.requireObject<Appliance>("controller");
const gateways = config.requireObject<Appliance[]>("gateways");
// Budgets: sdpctl allows 30 minutes per appliance; an appliance reboot may take several minutes.
const waits = {
    waitTimeoutSeconds: config.getNumber("waitTimeoutSeconds") ?? 1_800,
    pollIntervalSeconds: config.getNumber("pollIntervalSeconds") ?? 5,
    rebootTimeoutSeconds: config.getNumber("rebootTimeoutSeconds") ?? 900,
};

// The connection comes from stack config: appgate:endpoint, appgate:username, appgate:password (secret).
const controllerUpgrade = new appgate.ApplianceUpgrade(controller.name, {
    applianceId: controller.id,
    imageUrl,
    site,
    stage,
    ...waits,
});

// Preparing runs everywhere at once; completing runs one appliance at a time, controller first.
let previous: pulumi.Resource = controllerUpgrade;
const gatewayUpgrades = gateways.map((gateway) => {
    const upgrade = new appgate.ApplianceUpgrade(
        gateway.name,
        { applianceId: gateway.id, imageUrl, site, stage, ...waits },
        { dependsOn: stage === "complete" ? [previous] : [] },
    );
    previous = upgrade;
    return upgrade;
});

export const rollout = pulumi
    .all([controllerUpgrade, ...gatewayUpgrades].map((u) => pulumi.all([u.applianceName, u.runningVersion, u.volumeNumber, u.phase])))
    .apply((rows) => rows.map(([name, version, volume, phase]) => `${name}: ${version} on volume ${volume} (${phase})`));
