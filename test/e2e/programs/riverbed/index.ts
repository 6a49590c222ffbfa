import * as pulumi from "@pulumi/pulumi";
import { riverbed } from "pulumi-upgrades";

const config = new pulumi.Config();

// The endpoint and user come from `riverbed:*` stack config. The password comes from
// `riverbed:password`, or, when `devicePassword` is set, is passed per resource from that secret
// (as a fleet program would).
const devicePassword = config.getSecret("devicePassword");
const connection = devicePassword ? { password: devicePassword } : undefined;
const poll = config.getNumber("pollIntervalSeconds") ?? 0.2;

const image = new riverbed.UpgradeImage("appresponse-image", {
    connection,
    file: config.require("imageFile"),
    expectedSha256: config.get("imageSha256"),
    waitTimeoutSeconds: 60,
    pollIntervalSeconds: poll,
});

const update = new riverbed.SystemUpdate("appresponse", {
    connection,
    imageId: image.id,
    targetVersion: image.version,
    waitTimeoutSeconds: config.getNumber("waitTimeoutSeconds") ?? 120,
    rebootTimeoutSeconds: config.getNumber("rebootTimeoutSeconds") ?? 60,
    pollIntervalSeconds: poll,
});

export const imageId = image.id;
export const imageVersion = image.version;
export const imageState = image.state;
export const installedVersion = update.installedVersion;
export const previousVersion = update.previousVersion;
