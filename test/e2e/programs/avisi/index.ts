import * as pulumi from "@pulumi/pulumi";
import { avisi } from "pulumi-upgrades";

// Connection from stack config: avisi:endpoint, avisi:organisation, avisi:token (secret).
const config = new pulumi.Config();
const days = ["MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY"] as const;

// A window every night 02:00–06:00 UTC, so the next one is never more than a day away.
const nightly = new avisi.MaintenanceSchedule("nightly", {
    name: "e2e-nightly",
    windows: days.map((day) => ({ day, startTime: "02:00", duration: 240 })),
});

const upgrade = new avisi.ScheduledClusterUpgrade("k8s-prod", {
    environment: "production",
    cluster: "k8s-prod",
    version: config.require("version"),
    scheduleRequestDate: config.get("scheduleRequestDate"),
    ignoreMaintenanceSchedule: config.getBoolean("ignoreMaintenanceSchedule"),
    outsideWindowReason: config.get("outsideWindowReason"),
    maintenanceScheduleId: nightly.id,
    waitFor: config.get("waitFor") === "SUCCEEDED" ? "SUCCEEDED" : "SCHEDULED",
    // Simulated seconds: the simulator's time runs ×20000, so one real millisecond is 20 of these.
    waitTimeoutSeconds: config.getNumber("waitTimeoutSeconds") ?? 30 * 86_400,
});

export const status = upgrade.status;
export const window = pulumi.interpolate`${upgrade.windowStart} – ${upgrade.windowEnd}`;
export const upgradeIdentity = upgrade.upgradeIdentity;
export const clusterVersion = upgrade.clusterVersion;
export const nextNightlyWindow = nightly.nextWindowStart;
