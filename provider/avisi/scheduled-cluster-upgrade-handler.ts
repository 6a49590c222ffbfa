/**
 * Provider logic of `avisi:ScheduledClusterUpgrade` (runs in the provider process, loaded by the runtime).
 *
 * Create / update, in order:
 * 1. Find the cluster (by identity, or environment + slug). With `maintenanceScheduleId`, attach
 *    that schedule to the cluster first when it is not attached yet.
 * 2. Find the cluster's current upgrade: an open one (`REQUESTED`, `SCHEDULED`, `SCHEDULED_NOTIFIED`,
 *    `IN_PROGRESS`), else the one this resource made. One with the same version, date and
 *    ignore-flag that has not failed is adopted: no request is sent.
 * 3. Otherwise: the cluster already runs the version → nothing to schedule (status `CURRENT`);
 *    a jump of more than one minor (or a downgrade across minors) → error naming both versions;
 *    an upgrade `IN_PROGRESS` towards another version → error (it cannot be rescheduled);
 *    else one POST, which schedules — or reschedules the open upgrade in place (version or date
 *    changes are updates, the vendor keeps one upgrade object per cluster).
 * 4. Wait per `waitFor` (see upgrade-wait.ts for the exact success and failure conditions).
 *
 * Waits take one deadline for the whole operation (`waitTimeoutSeconds`, see core/budget.ts; up to
 * 35 days here, since a window can be a week away); `rebootTimeoutSeconds` bounds an API outage.
 *
 * Failure: once an upgrade object exists, every error is a partial failure carrying the cluster
 * identity, so the resource stays in state with the vendor's status and the next `up` resumes:
 * `MISSED`/`FAILED`/`SUPERSEDED` are not adopted, so the next `up` schedules again.
 *
 * Refresh: rides out an API outage for a bounded time, then keeps the last known state (core/read.ts);
 * reads the upgrade (or, without a public read, the cluster's version). After
 * `MISSED`/`FAILED`/`SUPERSEDED` (or a vanished upgrade) the state's `version` input becomes the
 * version the cluster runs, so the next preview shows the upgrade as a change again.
 *
 * Destroy: an open upgrade is cancelled where the vendor allows it (DELETE on the upgrade: not
 * documented publicly). When the vendor has no such route, destroy says which upgrade stays
 * scheduled for which window and forgets the resource. Started or finished upgrades are only forgotten.
 */
import { WaitBudget } from "../core/budget";
import { endpointChanged } from "../core/connection";
import {
    checkWithSchema,
    containsUnknown,
    inputsFromState,
    ResourceNotReadyError,
    type DiffResult,
    type HandlerFactory,
    type ReadResult,
    type ResourceHandler,
} from "../core/dynamic";
import type { HandlerEnv } from "../core/env";
import { InputError } from "../core/errors";
import { phaseFailure } from "../core/phase";
import { readThroughOutage } from "../core/read";
import { AvisiClient, type ScheduledUpgrade } from "./client";
import { resolveAvisiConnection } from "./connection";
import {
    SCHEDULED_UPGRADE_DEFAULTS,
    SCHEDULED_UPGRADE_OUTPUT_KEYS,
    SCHEDULED_UPGRADE_REPLACE_KEYS,
    scheduledUpgradeInputsSchema,
    type ScheduledUpgradeInputs,
    type ScheduledUpgradeOutputs,
    clusterName,
    findCluster,
    startRun,
    type Run,
} from "./scheduled-cluster-upgrade-run";
import { FAILURE_STATUSES, OPEN_STATUSES, waitForSuccess, waitForWindow, type UpgradeWaitContext } from "./scheduled-cluster-upgrade-wait";
import { sameClusterVersion, versionStepProblem } from "./versions";

const ACTIVE_STATUSES = [...OPEN_STATUSES, "IN_PROGRESS"];

function sameInstant(a: string | null | undefined, b: string | undefined): boolean {
    if (!a || !b) return !a && !b;
    return Date.parse(a) === Date.parse(b);
}

/** The upgrade does what the inputs ask (fields the vendor leaves out are not held against it). */
function matches(upgrade: ScheduledUpgrade, inputs: ScheduledUpgradeInputs): boolean {
    if (!upgrade.toClusterVersion || !sameClusterVersion(upgrade.toClusterVersion, inputs.version)) return false;
    if (
        upgrade.ignoreMaintenanceSchedule !== undefined &&
        Boolean(upgrade.ignoreMaintenanceSchedule) !== Boolean(inputs.ignoreMaintenanceSchedule)
    )
        return false;
    if (upgrade.scheduleRequestDate !== undefined && !sameInstant(upgrade.scheduleRequestDate, inputs.scheduleRequestDate)) return false;
    return true;
}

/** The cluster's open upgrade, else the one this resource made (when the vendor lets us read them). */
async function currentUpgrade(run: Run, clusterIdentity: string, known: string | undefined): Promise<ScheduledUpgrade | undefined> {
    const open = await run.client.upgradesOf(clusterIdentity, undefined, ACTIVE_STATUSES);
    if (open && open.length > 0) return open[0];
    if (!known) return undefined;
    return (await run.client.upgrade(known)) ?? undefined;
}

function applyUpgrade(outs: ScheduledUpgradeOutputs, upgrade: ScheduledUpgrade): void {
    outs.upgradeIdentity = upgrade.identity;
    outs.status = upgrade.status;
    outs.windowStart = upgrade.windowStart ?? "";
    outs.windowEnd = upgrade.windowEnd ?? "";
    outs.reason = upgrade.reason ?? "";
    if (upgrade.fromClusterVersion) outs.fromVersion = upgrade.fromClusterVersion;
}

async function converge(
    env: HandlerEnv,
    inputs: ScheduledUpgradeInputs,
    olds: ScheduledUpgradeOutputs | undefined,
): Promise<{ id: string; outs: ScheduledUpgradeOutputs }> {
    const run = startRun(env, inputs);
    const waitMode = inputs.waitFor ?? SCHEDULED_UPGRADE_DEFAULTS.waitFor;
    const budget = new WaitBudget(run.clock, inputs, {
        waitTimeoutSeconds:
            waitMode === "SUCCEEDED"
                ? SCHEDULED_UPGRADE_DEFAULTS.succeededWaitTimeoutSeconds
                : SCHEDULED_UPGRADE_DEFAULTS.scheduledWaitTimeoutSeconds,
        pollIntervalSeconds: SCHEDULED_UPGRADE_DEFAULTS.pollIntervalSeconds,
        rebootTimeoutSeconds: SCHEDULED_UPGRADE_DEFAULTS.rebootTimeoutSeconds,
    });

    let cluster = await findCluster(run, inputs);
    if (!cluster) {
        const ref = inputs.clusterIdentity ?? `${inputs.environment}/${inputs.cluster}`;
        throw new InputError(
            inputs.clusterIdentity ? "clusterIdentity" : "cluster",
            `no cluster ${ref} in organisation ${run.client.organisation}`,
        );
    }
    const name = clusterName(cluster);
    const outs: ScheduledUpgradeOutputs = {
        ...inputs,
        resolvedClusterIdentity: cluster.identity,
        clusterName: name,
        upgradeIdentity: olds?.upgradeIdentity ?? "",
        status: olds?.status ?? "",
        windowStart: olds?.windowStart ?? "",
        windowEnd: olds?.windowEnd ?? "",
        reason: "",
        fromVersion: olds?.fromVersion ?? cluster.version,
        clusterVersion: cluster.version,
    };

    const subject = `avisi cluster ${name}`;
    let upgrade: ScheduledUpgrade | undefined;
    try {
        if (inputs.maintenanceScheduleId && cluster.maintenanceSchedule?.identity !== inputs.maintenanceScheduleId) {
            cluster = await run.client.attachSchedule(cluster, inputs.maintenanceScheduleId);
            run.log(`attached maintenance schedule ${inputs.maintenanceScheduleId} to ${name}`);
        }

        upgrade = await currentUpgrade(run, cluster.identity, olds?.upgradeIdentity || undefined);
        if (upgrade && matches(upgrade, inputs) && !(FAILURE_STATUSES as readonly string[]).includes(upgrade.status)) {
            run.log(`adopting upgrade ${upgrade.identity} of ${name} to ${inputs.version} (${upgrade.status}): nothing is requested again`);
        } else if (sameClusterVersion(cluster.version, inputs.version)) {
            run.log(`${name} already runs ${cluster.version}: nothing to schedule`);
            return { id: cluster.identity, outs: { ...outs, status: "CURRENT", upgradeIdentity: "", windowStart: "", windowEnd: "" } };
        } else {
            const problem = versionStepProblem(cluster.version, inputs.version);
            if (problem) throw new InputError("version", `cluster ${name} runs ${cluster.version}: ${problem}`);
            if (upgrade?.status === "IN_PROGRESS") {
                throw new Error(
                    `upgrade ${upgrade.identity} of ${name} to ${upgrade.toClusterVersion} is IN_PROGRESS and cannot be rescheduled; run \`pulumi up\` again once it ends`,
                );
            }
            const reschedule = upgrade !== undefined && (OPEN_STATUSES as readonly string[]).includes(upgrade.status);
            outs.fromVersion = cluster.version;
            upgrade = await run.client.requestUpgrade({
                clusterIdentity: cluster.identity,
                version: inputs.version,
                ...(inputs.scheduleRequestDate ? { scheduleRequestDate: new Date(inputs.scheduleRequestDate).toISOString() } : {}),
                ...(inputs.ignoreMaintenanceSchedule !== undefined ? { ignoreMaintenanceSchedule: inputs.ignoreMaintenanceSchedule } : {}),
            });
            run.log(
                `${reschedule ? "rescheduled" : "requested"} upgrade ${upgrade.identity} of ${name}: ${cluster.version} → ${inputs.version} (${upgrade.status})`,
            );
        }
    } catch (err) {
        // Nothing was scheduled by this run: a plain failure, naming the cluster and the step.
        throw phaseFailure(subject, "scheduling the upgrade", err);
    }
    applyUpgrade(outs, upgrade);

    const ctx: UpgradeWaitContext = {
        client: run.client,
        clusterName: name,
        environment: cluster.environmentSlug ?? inputs.environment ?? "",
        clusterSlug: cluster.slug,
        targetVersion: inputs.version,
        clock: run.clock,
        log: run.log,
        deadline: budget.deadline,
        pollIntervalMs: budget.poll.minDelayMs,
        maxOutageMs: budget.rebootMs,
        durations: env.durations,
    };
    try {
        const scheduled = await waitForWindow(ctx, upgrade);
        applyUpgrade(outs, scheduled.upgrade);
        let polls = scheduled.polls;
        if (waitMode === "SUCCEEDED") {
            const done = await waitForSuccess(ctx, scheduled.upgrade);
            applyUpgrade(outs, done.upgrade);
            polls += done.polls;
            outs.clusterVersion = done.clusterVersion ?? inputs.version;
            run.log(
                `${name} upgraded ${outs.fromVersion} → ${inputs.version} in the window ${outs.windowStart} – ${outs.windowEnd} (${polls} status reads)`,
            );
        } else {
            run.log(
                `upgrade ${outs.upgradeIdentity} of ${name} to ${inputs.version} is ${outs.status}: window ${outs.windowStart || "not known yet"} – ${outs.windowEnd || "?"} (${polls} status reads)`,
            );
        }
        return { id: cluster.identity, outs };
    } catch (err) {
        const failure = phaseFailure(subject, waitMode === "SUCCEEDED" ? "waiting through the window" : "waiting for the window", err);
        const status = (failure as { state?: string }).state;
        if (status) outs.status = status;
        throw new ResourceNotReadyError(cluster.identity, outs, failure);
    }
}

/** {@link converge}, one at a time per cluster within a provider process (two resources on one cluster would reschedule each other). */
function locked(
    env: HandlerEnv,
    inputs: ScheduledUpgradeInputs,
    olds: ScheduledUpgradeOutputs | undefined,
): Promise<{ id: string; outs: ScheduledUpgradeOutputs }> {
    const cluster = inputs.clusterIdentity ?? `${inputs.environment}/${inputs.cluster}`;
    return env.locks.run(`avisi|${inputs.connection?.endpoint ?? ""}|${inputs.connection?.organisation ?? ""}|${cluster}`, () =>
        converge(env, inputs, olds),
    );
}

/** Network check at preview: refuse a version jump the vendor would refuse. Silent when offline. */
async function previewVersionProblem(env: HandlerEnv, news: ScheduledUpgradeInputs): Promise<string | undefined> {
    try {
        const client = AvisiClient.for(resolveAvisiConnection(news.connection), env, env.clock, { retry: { limit: 1 } });
        const cluster = await findCluster({ inputs: news, client, clock: env.clock, log: () => undefined }, news);
        if (!cluster) return undefined;
        const problem = versionStepProblem(cluster.version, news.version);
        return problem ? `cluster ${clusterName(cluster)} runs ${cluster.version}: ${problem}` : undefined;
    } catch {
        return undefined; // offline preview, missing token, ...: create checks again
    }
}

/** The handler of `avisi:ScheduledClusterUpgrade` for an environment (clock, shared clients, locks). */
export const scheduledClusterUpgradeHandler: HandlerFactory = (
    env: HandlerEnv,
): ResourceHandler<ScheduledUpgradeInputs, ScheduledUpgradeOutputs> => ({
    async check(olds, news) {
        const result = checkWithSchema(scheduledUpgradeInputsSchema, news);
        const failures = result.failures ?? [];
        const relevant = [news["connection"], news["clusterIdentity"], news["environment"], news["cluster"], news["version"]];
        // An unchanged version asks nothing new (the cluster may have moved on since it succeeded).
        const versionChanged = olds["version"] !== news["version"];
        if (failures.length === 0 && versionChanged && !containsUnknown(relevant)) {
            const problem = await previewVersionProblem(env, scheduledUpgradeInputsSchema.parse(news));
            if (problem) failures.push({ property: "version", reason: problem });
        }
        return { inputs: news, failures };
    },

    async diff(_id, olds, news): Promise<DiffResult> {
        const replaces: string[] = SCHEDULED_UPGRADE_REPLACE_KEYS.filter((key) => (olds[key] ?? "") !== (news[key] ?? ""));
        if (endpointChanged(olds, news) || (olds.connection?.organisation ?? "") !== (news.connection?.organisation ?? ""))
            replaces.push("connection");
        return { replaces };
    },

    async create(raw) {
        return locked(env, scheduledUpgradeInputsSchema.parse(raw), undefined);
    },

    async update(_id, olds, raw) {
        return { outs: (await locked(env, scheduledUpgradeInputsSchema.parse(raw), olds)).outs };
    },

    async read(id, props): Promise<ReadResult<ScheduledUpgradeOutputs>> {
        const run = startRun(env, props);
        const what = `avisi cluster ${props.clusterName || props.resolvedClusterIdentity}`;
        const maxOutageMs = (props.rebootTimeoutSeconds ?? SCHEDULED_UPGRADE_DEFAULTS.rebootTimeoutSeconds) * 1000;
        const found = await readThroughOutage({ ...env, clock: run.clock }, { what, log: run.log, maxOutageMs }, async () => {
            const cluster = await findCluster(run, props);
            const upgrade = cluster && props.upgradeIdentity ? await run.client.upgrade(props.upgradeIdentity) : undefined;
            return { cluster, upgrade };
        });
        if (!found.reachable) return { id, props };
        const { cluster, upgrade } = found.value;
        if (!cluster) return { id: "", props }; // the cluster is gone, and with it its upgrade
        const outs: ScheduledUpgradeOutputs = { ...props, clusterVersion: cluster.version };
        const atTarget = sameClusterVersion(cluster.version, props.version);
        if (props.upgradeIdentity) {
            if (upgrade) applyUpgrade(outs, upgrade);
            else if (upgrade === null) outs.status = atTarget ? "SUCCEEDED" : "GONE";
            else if (atTarget) outs.status = "SUCCEEDED"; // no public read: confirmed from the cluster's version
        }
        const inputs = inputsFromState(outs, SCHEDULED_UPGRADE_OUTPUT_KEYS);
        if (!atTarget && [...FAILURE_STATUSES, "GONE"].includes(outs.status)) {
            // Nothing will bring the cluster to the version any more: show it as a change again.
            inputs["version"] = cluster.version;
        }
        return { id, props: outs, inputs };
    },

    async delete(_id, props) {
        const run = startRun(env, props);
        const name = props.clusterName || props.resolvedClusterIdentity;
        if (!props.upgradeIdentity) {
            run.log(`nothing was scheduled for ${name}: destroy only forgets this resource`);
            return;
        }
        const upgrade = await run.client.upgrade(props.upgradeIdentity);
        if (upgrade === null) {
            run.log(`upgrade ${props.upgradeIdentity} of ${name} no longer exists: nothing to cancel`);
            return;
        }
        if (upgrade && !(OPEN_STATUSES as readonly string[]).includes(upgrade.status)) {
            run.log(`upgrade ${upgrade.identity} of ${name} is ${upgrade.status}: nothing to cancel; destroy only forgets this resource`);
            return;
        }
        const result = await run.client.cancelUpgrade(props.upgradeIdentity);
        if (result.outcome === "cancelled") {
            run.log(`cancelled upgrade ${props.upgradeIdentity} of ${name}${result.upgrade ? ` (now ${result.upgrade.status})` : ""}`);
            return;
        }
        const window = upgrade?.windowStart ?? props.windowStart;
        run.log(
            `Avisi Cloud offers no public cancel of scheduled upgrades (DELETE answered ${result.status}${result.message ? `: ${result.message}` : ""}): ` +
                `upgrade ${props.upgradeIdentity} of ${name} to ${props.version} STAYS SCHEDULED` +
                `${window ? ` for the window ${window} – ${upgrade?.windowEnd ?? props.windowEnd}` : ""}. Cancel it in the Avisi Cloud console if it must not run; ` +
                `destroy only forgets this resource.`,
        );
    },
});
