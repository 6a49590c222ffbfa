import * as pulumi from "@pulumi/pulumi";
import { unity } from "pulumi-upgrades";

const config = new pulumi.Config();

// 1. The candidate: streamed to the array (multipart, SHA-256 in the same pass), then found by
//    listing (the upload returns no id). The array holds ONE candidate: a new file replaces it.
const candidate = new unity.UpgradeCandidate("unity-5.3", {
    file: config.require("candidateFile"),
    expectedVersion: config.get("candidateVersion"),
});

// 2. The upgrade: eligibility check first, then one softwareUpgradeSession, waited for through the
//    primary-SP reboot (management fails over) until Upgrade_Completed. A failed or paused session
//    is resumed by the next `pulumi up`, never replaced.
const upgrade = new unity.UpgradeSession("unity-01", {
    candidateId: candidate.candidateId,
    candidateVersion: candidate.version,
    pauseBeforeReboot: config.getBoolean("pauseBeforeReboot"),
    resumeAfterPause: config.getBoolean("resumeAfterPause"),
    waitTimeoutSeconds: config.getNumber("waitTimeoutSeconds"),
    rebootTimeoutSeconds: config.getNumber("rebootTimeoutSeconds"),
    pollIntervalSeconds: config.getNumber("pollIntervalSeconds"),
});

export const candidateId = candidate.candidateId;
export const sessionId = upgrade.sessionId;
export const status = upgrade.status;
export const previousVersion = upgrade.previousVersion;
export const installedVersion = upgrade.installedVersion;
