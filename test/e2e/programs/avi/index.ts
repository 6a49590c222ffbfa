import * as pulumi from "@pulumi/pulumi";
import { avi } from "pulumi-upgrades";

const config = new pulumi.Config();

// Endpoint, user and password come from `avi:*` stack config (the password set with --secret).
const poll = config.getNumber("pollIntervalSeconds") ?? 0.1;

const image = new avi.ControllerImage("alb-image", {
    file: config.require("imageFile"),
    expectedSha256: config.get("imageSha256"),
    waitTimeoutSeconds: 60,
    pollIntervalSeconds: poll,
});

const upgrade = new avi.ControllerUpgrade("alb", {
    imageUuid: image.id,
    prechecks: true,
    skipWarnings: config.getBoolean("skipWarnings") ?? false,
    resumeSuspended: config.getBoolean("resumeSuspended") ?? false,
    waitTimeoutSeconds: 120,
    rebootTimeoutSeconds: 60,
    pollIntervalSeconds: poll,
});

export const imageTag = image.tag;
export const version = upgrade.version;
export const previousVersion = upgrade.previousVersion;
export const records = upgrade.records;
export const prechecks = upgrade.precheckResults;
