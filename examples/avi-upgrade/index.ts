import * as pulumi from "@pulumi/pulumi";
import { avi } from "pulumi-upgrades";

const config = new pulumi.Config();

// 1. The controller package: streamed to POST /api/image (multipart `file`), hashed in the same pass
//    and checked against the published SHA-256, then processed by the controller (IMAGE_FSM_COMPLETED).
//    An image with the package's build tag already on the controller is adopted instead.
const image = new avi.ControllerImage("controller-22.1.7", {
    file: config.require("imageFile"),
    expectedSha256: config.require("imageSha256"),
});

// 2. The upgrade: prechecks first (must-check errors stop it; warnings only with skipWarnings), then
//    POST /api/upgrade once for the whole system, and a wait through the controller reboot until
//    EVERY UpgradeStatusInfo record — the cluster and each SE group — is COMPLETED at the new version.
const upgrade = new avi.ControllerUpgrade("alb", {
    imageUuid: image.id,
    prechecks: true,
    skipWarnings: config.getBoolean("skipWarnings") ?? false,
    resumeSuspended: config.getBoolean("resumeSuspended") ?? false,
    waitTimeoutSeconds: config.getNumber("waitTimeoutSeconds"),
    rebootTimeoutSeconds: config.getNumber("rebootTimeoutSeconds"),
    pollIntervalSeconds: config.getNumber("pollIntervalSeconds"),
});

export const imageTag = image.tag;
export const version = upgrade.version;
export const previousVersion = upgrade.previousVersion;
export const records = upgrade.records;
export const prechecks = upgrade.precheckResults;
