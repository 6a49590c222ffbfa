import * as pulumi from "@pulumi/pulumi";
import { avisi } from "pulumi-upgrades";

const config = new pulumi.Config();

// The windows the platform may upgrade the cluster in: Tuesday and Thursday nights, 02:00–06:00 UTC.
const windows = new avisi.MaintenanceSchedule("maintenance", {
    name: config.get("scheduleName") ?? "tue-thu-nights",
    windows: [
        { day: "TUESDAY", startTime: "02:00", duration: 240 },
        { day: "THURSDAY", startTime: "02:00", duration: 240 },
    ],
});

// The upgrade itself: attached to those windows, scheduled into the first one at or after the
// requested date. Changing `version` or `scheduleRequestDate` reschedules the same upgrade.
const upgrade = new avisi.ScheduledClusterUpgrade(config.require("cluster"), {
    environment: config.require("environment"),
    cluster: config.require("cluster"),
    version: config.require("version"),
    scheduleRequestDate: config.get("scheduleRequestDate"),
    maintenanceScheduleId: windows.id,
    waitFor: config.get("waitFor") === "SUCCEEDED" ? "SUCCEEDED" : "SCHEDULED",
});

export const status = upgrade.status;
export const window = pulumi.interpolate`${upgrade.windowStart} – ${upgrade.windowEnd}`;
export const clusterVersion = upgrade.clusterVersion;
