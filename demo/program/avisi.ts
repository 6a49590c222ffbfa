/**
 * The Avisi Cloud part of the demo program: the organisation's maintenance windows, and one
 * scheduled upgrade per cluster that waits through its window until the cluster runs the version.
 */
import * as pulumi from "@pulumi/pulumi";
import { avisi } from "pulumi-upgrades";

/** `fleet:spec.avisi`. */
export interface AvisiSpec {
    clusters: Array<{ name: string; environment: string; version: string }>;
    windows: Array<{ day: avisi.MaintenanceWindowArgs["day"]; startTime: string; duration: number }>;
}

/** Declares the windows and the upgrades; returns cluster name → the version it runs afterwards. */
export function deployAvisi(spec: AvisiSpec, common: { pollIntervalSeconds?: number }): Record<string, pulumi.Output<string>> {
    const windows = new avisi.MaintenanceSchedule("avisi-nightly", { name: "demo-nightly", windows: spec.windows });
    const versions: Record<string, pulumi.Output<string>> = {};
    for (const c of spec.clusters) {
        const upgrade = new avisi.ScheduledClusterUpgrade(c.name, {
            environment: c.environment,
            cluster: c.name,
            version: c.version,
            maintenanceScheduleId: windows.id,
            waitFor: "SUCCEEDED",
            pollIntervalSeconds: common.pollIntervalSeconds,
        });
        versions[c.name] = upgrade.clusterVersion;
    }
    return versions;
}
