/**
 * The organisation's objects the scheduler works on: clusters (with version, update channel and
 * attached maintenance schedule) and maintenance schedules. Plain data plus the JSON shapes the
 * API answers with (avisi.md §6–7).
 */
import { createHash, randomUUID } from "node:crypto";
import { SimulatorHttpError } from "../core/http-error";
import type { AvisiClusterSpec, AvisiScheduleSpec } from "./options";
import { parseKubeVersion } from "./versions";
import { windowProblem, type MaintenanceWindow } from "./windows";

/** A stable uuid for a name, so examples and tests can name clusters by identity across runs. */
export function stableAvisiId(kind: string, name: string): string {
    const hex = createHash("sha1").update(`avisi-sim/${kind}/${name}`).digest("hex");
    const variant = ((parseInt(hex.slice(16, 18), 16) & 0x3f) | 0x80).toString(16);
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(18, 20)}-${hex.slice(20, 32)}`;
}

/** One maintenance schedule. */
export interface SimSchedule {
    readonly identity: string;
    name: string;
    windows: MaintenanceWindow[];
}

/** One cluster. */
export interface SimCluster {
    readonly identity: string;
    readonly slug: string;
    readonly environmentSlug: string;
    version: string;
    updateChannel: string;
    autoUpgrade: boolean;
    status: string;
    maintenanceScheduleIdentity: string | undefined;
    modifiedAt: number;
}

/** Clusters and schedules of the one simulated organisation. */
export class CloudState {
    readonly clusters: SimCluster[] = [];
    readonly schedules: SimSchedule[] = [];

    constructor(
        readonly organisation: string,
        readonly clusterVersions: readonly string[],
        private readonly now: () => number,
    ) {}

    /** Add the schedules and clusters of the options. */
    seed(schedules: readonly AvisiScheduleSpec[], clusters: readonly AvisiClusterSpec[]): void {
        for (const spec of schedules) this.createSchedule({ name: spec.name, windows: spec.windows }, stableAvisiId("schedule", spec.name));
        for (const spec of clusters) {
            const environmentSlug = spec.environment ?? "production";
            const version = spec.version ?? "1.30.6";
            const parsed = parseKubeVersion(version);
            if (!parsed) throw new Error(`Cluster [${spec.slug}] version must look like 1.30.6, got "${version}".`);
            const scheduleName = spec.maintenanceSchedule === undefined ? this.schedules[0]?.name : spec.maintenanceSchedule;
            const schedule =
                scheduleName === null || scheduleName === undefined ? undefined : this.schedules.find((s) => s.name === scheduleName);
            if (scheduleName && !schedule)
                throw new Error(`Cluster [${spec.slug}] names an unknown maintenance schedule "${scheduleName}".`);
            this.clusters.push({
                identity: spec.identity ?? stableAvisiId("cluster", `${environmentSlug}/${spec.slug}`),
                slug: spec.slug,
                environmentSlug,
                version,
                updateChannel: spec.updateChannel ?? `${parsed.major}.${parsed.minor}`,
                autoUpgrade: false,
                status: "running",
                maintenanceScheduleIdentity: schedule?.identity,
                modifiedAt: this.now(),
            });
        }
    }

    clusterByIdentity(identity: string): SimCluster | undefined {
        return this.clusters.find((c) => c.identity === identity);
    }

    clusterBySlug(environmentSlug: string, slug: string): SimCluster {
        const cluster = this.clusters.find((c) => c.environmentSlug === environmentSlug && c.slug === slug);
        if (!cluster) throw new SimulatorHttpError(404, "NOT_FOUND", `Cluster ${environmentSlug}/${slug} not found.`);
        return cluster;
    }

    schedule(identity: string): SimSchedule {
        const schedule = this.schedules.find((s) => s.identity === identity);
        if (!schedule) throw new SimulatorHttpError(404, "NOT_FOUND", `Maintenance schedule ${identity} not found.`);
        return schedule;
    }

    /** Create a schedule from an API body; throws 400 naming the bad field. */
    createSchedule(body: unknown, identity: string = randomUUID()): SimSchedule {
        const { name, windows } = parseScheduleBody(body);
        const schedule: SimSchedule = { identity, name, windows };
        this.schedules.push(schedule);
        return schedule;
    }

    updateSchedule(identity: string, body: unknown): SimSchedule {
        const schedule = this.schedule(identity);
        const { name, windows } = parseScheduleBody(body);
        schedule.name = name;
        schedule.windows = windows;
        return schedule;
    }

    /** Delete a schedule and detach it from its clusters. */
    deleteSchedule(identity: string): void {
        const schedule = this.schedule(identity);
        this.schedules.splice(this.schedules.indexOf(schedule), 1);
        for (const cluster of this.clusters)
            if (cluster.maintenanceScheduleIdentity === identity) cluster.maintenanceScheduleIdentity = undefined;
    }

    scheduleJson(schedule: SimSchedule): Record<string, unknown> {
        return { identity: schedule.identity, name: schedule.name, windows: schedule.windows.map((w) => ({ ...w })) };
    }

    clusterJson(cluster: SimCluster): Record<string, unknown> {
        const schedule = cluster.maintenanceScheduleIdentity
            ? this.schedules.find((s) => s.identity === cluster.maintenanceScheduleIdentity)
            : undefined;
        return {
            identity: cluster.identity,
            slug: cluster.slug,
            environmentSlug: cluster.environmentSlug,
            organisationSlug: this.organisation,
            version: cluster.version,
            updateChannel: {
                name: cluster.updateChannel,
                available: true,
                kubernetesClusterVersion: this.latestOfChannel(cluster.updateChannel),
            },
            autoUpgrade: cluster.autoUpgrade,
            status: cluster.status,
            desiredStatus: "running",
            provisionStatus: "DONE",
            maintenanceSchedule: schedule ? this.scheduleJson(schedule) : null,
            modifiedAt: new Date(cluster.modifiedAt).toISOString(),
        };
    }

    /** Update channels: one per minor of the known versions, each pointing at its newest patch. */
    updateChannels(): Array<Record<string, unknown>> {
        const minors = [...new Set(this.clusterVersions.map((v) => v.split(".").slice(0, 2).join(".")))];
        return minors.map((name) => ({ name, available: true, kubernetesClusterVersion: this.latestOfChannel(name) }));
    }

    private latestOfChannel(channel: string): string | undefined {
        const inChannel = this.clusterVersions.filter((v) => v.startsWith(`${channel}.`));
        return inChannel.sort((a, b) => Number(a.split(".")[2]) - Number(b.split(".")[2])).at(-1);
    }
}

function parseScheduleBody(body: unknown): { name: string; windows: MaintenanceWindow[] } {
    const invalid = (detail: string) => new SimulatorHttpError(400, "INVALID_SCHEDULE", `Invalid maintenance schedule: ${detail}`);
    if (typeof body !== "object" || body === null || Array.isArray(body)) throw invalid("the body must be an object {name, windows}.");
    const { name, windows } = body as Record<string, unknown>;
    if (typeof name !== "string" || name.trim() === "") throw invalid("name must be a non-empty string.");
    if (!Array.isArray(windows)) throw invalid("windows must be an array.");
    for (const window of windows) {
        const problem = windowProblem(window);
        if (problem) throw invalid(`${problem}.`);
    }
    return { name, windows: windows.map((w: MaintenanceWindow) => ({ day: w.day, startTime: w.startTime, duration: w.duration })) };
}
