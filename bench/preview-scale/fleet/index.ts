/**
 * The stack of bench/preview-scale: one upgrade resource per simulated device, every vendor in one stack, using the
 * package the way users do (`pulumi-upgrades` from node_modules). The inventory is stack config `bench:spec`
 * (written by ../preview-scale.mts); credentials come from `<vendor>:username|password|endpoint` stack config.
 *
 * One resource per device, of a kind that waits on the device: Riverbed images (uploaded, then validated by the
 * probe), Appgate upgrades at stage `prepare` (download and verify on the appliance), Unity candidates (uploaded
 * and checked by the array), Avi controller images (uploaded, then validated), Avisi scheduled cluster upgrades
 * (waiting through the maintenance window until the cluster runs the version; plus the one schedule).
 */
import * as pulumi from "@pulumi/pulumi";
import { appgate, avi, avisi, riverbed, unity } from "pulumi-upgrades";

interface Spec {
    pollIntervalSeconds: number;
    riverbed: { devices: { name: string; endpoint: string }[]; image: { file: string; sha256: string } };
    appgate: { imageUrl: string; appliances: { name: string; id: string }[] };
    unity: { arrays: { name: string; endpoint: string }[]; candidate: { file: string; version: string } };
    avi: { controllers: { name: string; endpoint: string }[]; image: { file: string; sha256: string } };
    avisi: { clusters: { name: string; environment: string; version: string }[] };
}

const spec = new pulumi.Config("bench").requireObject<Spec>("spec");
const pollIntervalSeconds = spec.pollIntervalSeconds;

for (const device of spec.riverbed.devices) {
    new riverbed.UpgradeImage(device.name, {
        connection: { endpoint: device.endpoint },
        file: spec.riverbed.image.file,
        expectedSha256: spec.riverbed.image.sha256,
        pollIntervalSeconds,
    });
}

for (const appliance of spec.appgate.appliances) {
    new appgate.ApplianceUpgrade(appliance.name, {
        applianceId: appliance.id,
        imageUrl: spec.appgate.imageUrl,
        stage: "prepare",
        pollIntervalSeconds,
    });
}

for (const array of spec.unity.arrays) {
    new unity.UpgradeCandidate(array.name, {
        connection: { endpoint: array.endpoint },
        file: spec.unity.candidate.file,
        expectedVersion: spec.unity.candidate.version,
    });
}

for (const controller of spec.avi.controllers) {
    new avi.ControllerImage(controller.name, {
        connection: { endpoint: controller.endpoint },
        file: spec.avi.image.file,
        expectedSha256: spec.avi.image.sha256,
        pollIntervalSeconds,
    });
}

if (spec.avisi.clusters.length) {
    const days = ["MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY"] as const;
    const nightly = new avisi.MaintenanceSchedule("nightly", {
        name: "bench-nightly",
        windows: days.map((day) => ({ day, startTime: "02:00", duration: 240 })),
    });
    for (const cluster of spec.avisi.clusters) {
        new avisi.ScheduledClusterUpgrade(cluster.name, {
            environment: cluster.environment,
            cluster: cluster.name,
            version: cluster.version,
            maintenanceScheduleId: nightly.id,
            waitFor: "SUCCEEDED",
            // Simulated seconds (the simulator's time runs compressed, and the provider follows it).
            waitTimeoutSeconds: 30 * 86_400,
        });
    }
}
