import * as pulumi from "@pulumi/pulumi";
import { unity } from "pulumi-upgrades";

const config = new pulumi.Config();

// Endpoint and user come from `unity:*` stack config; the password from `unity:password` (secret),
// or, when `arrayPassword` is set, per resource from that secret (as a fleet program would).
const arrayPassword = config.getSecret("arrayPassword");
const connection = arrayPassword ? { password: arrayPassword } : undefined;

const candidate = new unity.UpgradeCandidate("unity-candidate", {
    connection,
    file: config.require("candidateFile"),
    expectedVersion: config.get("candidateVersion"),
});

const upgrade = new unity.UpgradeSession("unity-array", {
    connection,
    candidateId: candidate.candidateId,
    candidateVersion: candidate.version,
    pauseBeforeReboot: config.getBoolean("pauseBeforeReboot") ?? false,
    resumeAfterPause: config.getBoolean("resumeAfterPause") ?? false,
    waitTimeoutSeconds: 120,
    rebootTimeoutSeconds: 60,
    pollIntervalSeconds: config.getNumber("pollIntervalSeconds") ?? 0.2,
});

export const candidateId = candidate.candidateId;
export const candidateVersion = candidate.version;
export const sessionId = upgrade.sessionId;
export const status = upgrade.status;
export const installedVersion = upgrade.installedVersion;
export const previousVersion = upgrade.previousVersion;
