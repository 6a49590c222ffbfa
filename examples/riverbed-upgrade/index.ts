import * as pulumi from "@pulumi/pulumi";
import { riverbed } from "pulumi-upgrades";

const config = new pulumi.Config();

// 1. The image: streamed to the appliance, validated by it (VALID), and checked against the
//    published SHA-256. An identical VALID image already on the appliance is adopted instead.
const image = new riverbed.UpgradeImage("appresponse-11.7", {
    file: config.require("imageFile"),
    expectedSha256: config.require("imageSha256"),
});

// 2. The update: init → start → install → reboot → back online at the image's version. Nothing
//    happens when the appliance already runs it; downgrades are refused.
const update = new riverbed.SystemUpdate("appresponse-01", {
    imageId: image.id,
    targetVersion: image.version,
    waitTimeoutSeconds: config.getNumber("waitTimeoutSeconds"),
    rebootTimeoutSeconds: config.getNumber("rebootTimeoutSeconds"),
    pollIntervalSeconds: config.getNumber("pollIntervalSeconds"),
});

// A fleet gives each appliance its own endpoint (credentials still come from riverbed:* config):
//   new riverbed.UpgradeImage(`img-${host}`, { connection: { endpoint: `https://${host}` }, file, expectedSha256 });

export const imageVersion = image.version;
export const imageChecksum = image.checksum;
export const installedVersion = update.installedVersion;
export const previousVersion = update.previousVersion;
