/**
 * Provider logic of `avi:ControllerUpgrade`: bring the controller cluster and its SE groups (or the
 * chosen scope) to the version of a processed system image, through `POST /api/upgrade`, judged by
 * the UpgradeStatusInfo records. Create and update run the same convergence:
 *
 * 1. Read the image (must be IMAGE_FSM_COMPLETED, a system image); its build tag is the target.
 * 2. Read the records the upgrade concerns (system: the cluster record and every SE group record;
 *    otherwise the named SE groups, plus the cluster when `controller` is true).
 * 3. **Nothing to do** when every concerned record is COMPLETED at the target.
 * 4. **Adopt** an operation already running (any concerned record in progress or suspended) when it
 *    upgrades to our image; a running operation to another image is an error. Never a second start.
 *    A running prechecks-only operation (its params say `prechecks_only`) is waited out first.
 * 5. Optional **prechecks** (`prechecks: true`): `prechecks_only`, wait; must-check errors fail,
 *    warnings fail unless `skipWarnings`. The results are an output.
 * 6. **Start** once (`POST /api/upgrade`; retried only when the connection was refused), then wait.
 *
 * Success, exactly: EVERY concerned record is `UPGRADE_FSM_COMPLETED` at the target version by an
 * upgrade (not a rollback). `UPGRADE_FSM_CONTROLLER_COMPLETED` with SE groups pending, or
 * `progress: 100`, is not success.
 *
 * Failure: ERROR / ENQUEUE_FAILED / ABORTED / ABORT_IN_PROGRESS / PRE_CHECK_ERROR, a PRE_CHECK_WARNING
 * without `skipWarnings`, an automatic rollback (ROLLBACK completed at the old version), or a record
 * completed at another version: an error naming the controller, the phase, each record's reason,
 * failed tasks and must-checks; nothing is kept in state, so the next `up` starts over. A SUSPENDED
 * (or PAUSED) SE group: resumed at once when `resumeSuspended: true`, else an error that says how to
 * resume, with the resource kept in state (the next `up` adopts the operation and resumes it when
 * asked). The budget `waitTimeoutSeconds` (reboot window included) running out keeps the resource in
 * state too; the next `up` resumes the wait. Reboots (connections refused, 5xx), 403 during the
 * upgrade and expired sessions (401/419: a new login) are waited out within that budget.
 *
 * Delete forgets the resource: an installed version cannot be undone through this API.
 */

import { WaitBudget } from "../core/budget";
import { endpointChanged } from "../core/connection";
import { checkWithSchema, ResourceNotReadyError, type HandlerFactory, type ResourceHandler } from "../core/dynamic";
import type { HandlerEnv } from "../core/env";
import { VendorApiError, VendorFailureError } from "../core/errors";
import { inPhase, messageOf } from "../core/phase";
import { progressLogger, waitProgress, type Progress } from "../core/progress";
import { readThroughOutage } from "../core/read";
import { waitFor, WaitFailedError, WaitTimeoutError, TransientBudgetExceededError, UnexpectedStateError } from "../core/waiter";
import { AviClient, type AviImage, type UpgradeStatusInfo } from "./client";
import { isUpgradeTransient } from "./common";
import { controllerName, resolveConnection } from "./connection";
import { DEFAULT_RESUME_PATH, UPGRADE_DEFAULTS, upgradeInputsSchema, type UpgradeInputs, type UpgradeOutputs } from "./upgrade-inputs";
import { imageOfOperation, isActive, isPrechecksOnly, prechecksOf, scopeOf, summary, targetOf } from "./upgrade-scope";
import {
    concernedRecords,
    describeRecord,
    fingerprint,
    judge,
    type Phase,
    type Scope,
    type UpgradeTarget,
    type Verdict,
} from "./upgrade-status";

export {
    DEFAULT_RESUME_PATH,
    UPGRADE_DEFAULTS,
    upgradeInputsSchema,
    type RecordSummary,
    type UpgradeInputs,
    type UpgradeOutputs,
} from "./upgrade-inputs";

interface Ctx {
    inputs: UpgradeInputs;
    client: AviClient;
    subject: string;
    log: Progress;
    env: HandlerEnv;
    budget: WaitBudget;
    clusterUuid: string;
    scope: Scope;
    target: UpgradeTarget;
    image: AviImage;
    previousVersion: string;
    precheckResults: UpgradeOutputs["precheckResults"];
    last?: Verdict;
    lastRecords?: UpgradeStatusInfo[];
}

/** The handler of `avi:ControllerUpgrade` for an environment (clock, shared clients, locks). */
export const controllerUpgradeHandler: HandlerFactory = (env: HandlerEnv): ResourceHandler<UpgradeInputs, UpgradeOutputs> => {
    async function converge(raw: UpgradeInputs, old?: UpgradeOutputs): Promise<UpgradeOutputs> {
        const inputs = upgradeInputsSchema.parse(raw);
        const connection = resolveConnection(inputs.connection);
        const subject = controllerName(connection);
        const client = AviClient.for(connection, env);
        const log = progressLogger(inputs.__logName, (s) => client.session.redact(s));
        const budget = new WaitBudget(env.clock, inputs, UPGRADE_DEFAULTS);
        return env.locks.run(`avi|${connection.endpoint}|upgrade`, () => convergeLocked(inputs, client, subject, log, budget, old));
    }

    async function convergeLocked(
        inputs: UpgradeInputs,
        client: AviClient,
        subject: string,
        log: Progress,
        budget: WaitBudget,
        old?: UpgradeOutputs,
    ): Promise<UpgradeOutputs> {
        const [clusterUuid, image] = await inPhase(subject, "reading the cluster and the image", async () =>
            Promise.all([client.clusterUuid(), client.getImage(inputs.imageUuid)]),
        );
        const target = targetOf(subject, image, inputs);
        const records = await inPhase(subject, "reading UpgradeStatusInfo", () => client.listUpgradeStatus());
        const scope = scopeOf(subject, inputs, clusterUuid, records);
        const clusterRecord = records.find((r) => r.uuid === clusterUuid);
        const ctx: Ctx = {
            inputs,
            client,
            subject,
            log,
            env,
            budget,
            clusterUuid,
            scope,
            target,
            image: image!,
            previousVersion: old?.previousVersion || clusterRecord?.version || "",
            precheckResults: old?.precheckResults ?? [],
        };
        const concerned = concernedRecords(records, scope);
        if (concerned.missing.length > 0)
            throw new VendorFailureError(subject, "reading UpgradeStatusInfo", "MISSING", `no record for ${concerned.missing.join(", ")}`);
        const now = judge(concerned.records, target, { kind: "upgrade", skipWarnings: true });
        if (now.state === "COMPLETE") {
            log(`already at ${target.tag ?? target.version}: ${now.lines.join("; ")}`);
            return outputs(ctx, concerned.records, "COMPLETED");
        }
        let running = concerned.records.filter((r) => isActive(r));
        if (running.length > 0 && running.every(isPrechecksOnly)) {
            // Prechecks someone (or an earlier run) started: let them finish, then go on as usual.
            log(`waiting for the prechecks already running: ${running.map((r) => describeRecord(r)).join("; ")}`);
            await waitVerdict(ctx, undefined, { kind: "prechecks", skipWarnings: true }, "prechecks (already running)").catch(
                (err: unknown) => {
                    if (!(err instanceof WaitFailedError)) throw err;
                },
            );
            running = [];
        }
        if (running.length > 0) {
            const other = running.map((r) => imageOfOperation(r)).find((uuid) => uuid !== undefined && uuid !== inputs.imageUuid);
            if (other !== undefined) {
                throw new VendorFailureError(
                    subject,
                    "checking for a running upgrade",
                    running[0]!.state.state,
                    `an upgrade to image ${other} is already running (${running.map((r) => describeRecord(r)).join("; ")}); wait for it to finish`,
                );
            }
            log(`adopting the upgrade already running: ${running.map((r) => describeRecord(r)).join("; ")}`);
            ctx.previousVersion = old?.previousVersion || clusterRecord?.previous_version || ctx.previousVersion;
            return await wait(ctx, undefined, { kind: "upgrade", skipWarnings: inputs.skipWarnings ?? false });
        }

        if (inputs.prechecks) {
            await runPrechecks(ctx);
        }
        const baseline = await snapshot(ctx);
        log(
            `starting the upgrade to ${target.tag ?? target.version}${inputs.seGroups ? ` (SE groups: ${inputs.seGroups.join(", ")})` : " (system: controller and every SE group)"}`,
        );
        await start(ctx, baseline, false);
        return await wait(ctx, baseline, { kind: "upgrade", skipWarnings: inputs.skipWarnings ?? false });
    }

    async function runPrechecks(ctx: Ctx): Promise<void> {
        const baseline = await snapshot(ctx);
        ctx.log(`running prechecks for ${ctx.target.tag ?? ctx.target.version}`);
        await start(ctx, baseline, true);
        const phase: Phase = { kind: "prechecks", skipWarnings: ctx.inputs.skipWarnings ?? false };
        try {
            await waitVerdict(ctx, baseline, phase, "prechecks");
        } catch (err) {
            if (err instanceof WaitFailedError || err instanceof UnexpectedStateError) {
                throw new VendorFailureError(
                    ctx.subject,
                    "prechecks",
                    ctx.last?.state ?? err.lastState ?? "?",
                    `${ctx.last?.problems.join("; ") ?? err.message}. Nothing was upgraded`,
                );
            }
            if (err instanceof WaitTimeoutError || err instanceof TransientBudgetExceededError) {
                throw new VendorFailureError(ctx.subject, "prechecks", ctx.last?.state ?? "?", `${err.message}. Nothing was upgraded`);
            }
            throw err;
        } finally {
            ctx.precheckResults = prechecksOf(ctx.lastRecords ?? []);
            if (ctx.precheckResults.length > 0)
                ctx.log(`prechecks: ${ctx.precheckResults.map((c) => `${c.checkCode} ${c.state}`).join(", ")}`);
        }
    }

    /** `POST /api/upgrade`, exactly once; a lost answer is resolved by reading the records. */
    async function start(ctx: Ctx, baseline: Map<string, string>, prechecksOnly: boolean): Promise<void> {
        const inputs = ctx.inputs;
        const seGroupRefs =
            ctx.scope.seGroups === "all"
                ? undefined
                : ctx.scope.seGroups.map((uuid) => `${ctx.client.session.baseUrl}/api/serviceenginegroup/${uuid}`);
        try {
            await ctx.client.startUpgrade({
                imageRef: ctx.image.url ?? `${ctx.client.session.baseUrl}/api/image/${ctx.image.uuid}`,
                system: ctx.scope.seGroups === "all",
                seGroupRefs,
                skipWarnings: inputs.skipWarnings ?? false,
                prechecksOnly,
                actionOnError: inputs.actionOnError,
            });
        } catch (err) {
            if (err instanceof VendorApiError && (err.status === undefined || err.status >= 500)) {
                // The request may have reached the controller: only the records can tell.
                const records = concernedRecords(await ctx.client.listUpgradeStatus(), ctx.scope).records;
                if (records.some((r) => baseline.get(r.uuid) !== fingerprint(r))) {
                    ctx.log(`the start request's answer was lost (${err.message}), but the records show the operation started`);
                    return;
                }
            }
            throw new VendorFailureError(
                ctx.subject,
                prechecksOnly ? "starting the prechecks" : "starting the upgrade",
                err instanceof VendorApiError ? String(err.status ?? err.code) : "ERROR",
                messageOf(err),
            );
        }
    }

    async function wait(ctx: Ctx, baseline: Map<string, string> | undefined, phase: Phase): Promise<UpgradeOutputs> {
        try {
            await waitVerdict(ctx, baseline, phase, "upgrade");
        } catch (err) {
            const verdict = ctx.last;
            const partial = outputs(ctx, ctx.lastRecords ?? [], verdict?.state ?? "UNKNOWN");
            if (err instanceof WaitFailedError && verdict?.state === "SUSPENDED") {
                const how = `set resumeSuspended: true and run \`pulumi up\` again (it resumes them through POST ${ctx.inputs.resumePath ?? DEFAULT_RESUME_PATH}), or resume them in the controller UI`;
                throw new ResourceNotReadyError(
                    ctx.clusterUuid,
                    partial,
                    new VendorFailureError(
                        ctx.subject,
                        "upgrading SE groups",
                        "UPGRADE_FSM_SUSPENDED",
                        `${verdict.problems.join("; ")}. To resume: ${how}`,
                    ),
                );
            }
            if (err instanceof WaitFailedError || err instanceof UnexpectedStateError) {
                throw new VendorFailureError(
                    ctx.subject,
                    "upgrade",
                    verdict?.state ?? err.lastState ?? "?",
                    `${verdict?.problems.join("; ") ?? err.message}. Records: ${verdict?.lines.join("; ") ?? ""}`,
                );
            }
            if (err instanceof WaitTimeoutError || err instanceof TransientBudgetExceededError) {
                throw new ResourceNotReadyError(ctx.clusterUuid, partial, err);
            }
            throw err;
        }
        ctx.log(
            `upgrade complete: ${ctx.previousVersion || "?"} → ${ctx.target.tag ?? ctx.target.version} (${(ctx.last?.lines ?? []).join("; ")})`,
        );
        return outputs(ctx, ctx.lastRecords ?? [], "COMPLETED");
    }

    async function waitVerdict(ctx: Ctx, baseline: Map<string, string> | undefined, phase: Phase, label: string): Promise<void> {
        const resumed = new Map<string, string>(); // uuid → fingerprint when we resumed it
        let lastLines = "";
        const options = ctx.budget.waitOptions();
        await waitFor<Verdict>({
            what: `${ctx.subject} ${label}`,
            refresh: async () => {
                const all = await ctx.client.listUpgradeStatus();
                const concerned = concernedRecords(all, ctx.scope).records;
                // A record we resumed stays "not started" until the controller changes it.
                const effectiveBaseline = new Map([...(baseline ?? new Map<string, string>()), ...resumed]);
                let verdict = judge(
                    concerned,
                    ctx.target,
                    phase,
                    baseline === undefined && resumed.size === 0 ? undefined : effectiveBaseline,
                );
                if (verdict.state === "SUSPENDED" && ctx.inputs.resumeSuspended) {
                    const toResume = concerned.filter((r) => verdict.suspended.includes(r.uuid) && !resumed.has(r.uuid));
                    if (toResume.length > 0) {
                        ctx.log(`resuming suspended SE group(s): ${verdict.problems.join("; ")}`);
                        await ctx.client.resumeSeGroups(
                            toResume.map((r) => `${ctx.client.session.baseUrl}/api/serviceenginegroup/${r.uuid}`),
                            ctx.inputs.resumePath ?? DEFAULT_RESUME_PATH,
                        );
                        for (const r of toResume) resumed.set(r.uuid, fingerprint(r));
                        verdict = { ...verdict, state: "IN_PROGRESS" };
                    }
                }
                ctx.last = verdict;
                ctx.lastRecords = concerned;
                const lines = verdict.lines.join("; ");
                if (lines !== lastLines) {
                    lastLines = lines;
                    ctx.log(`${label}: ${lines}`);
                }
                return { state: verdict.state, object: verdict, detail: lines, progressPercent: verdict.progressPercent };
            },
            target: ["COMPLETE"],
            pending: ["IN_PROGRESS"],
            failure: ["FAILED", "SUSPENDED"],
            ...options,
            transient: { ...options.transient, isTransient: isUpgradeTransient },
            onProgress: waitProgress(ctx.log, label, { clock: ctx.env.clock, outageBudgetMs: ctx.budget.rebootMs, quietStates: true }),
        });
    }

    async function snapshot(ctx: Ctx): Promise<Map<string, string>> {
        const records = concernedRecords(await ctx.client.listUpgradeStatus(), ctx.scope).records;
        return new Map(records.map((r) => [r.uuid, fingerprint(r)]));
    }

    return {
        async check(_olds, news) {
            return checkWithSchema(upgradeInputsSchema, news);
        },

        async diff(_id, olds, news) {
            // Another image or scope is another upgrade of the same cluster: an update, not a replacement.
            return { replaces: endpointChanged(olds, news) ? ["connection"] : [] };
        },

        async create(inputs) {
            const outs = await converge(inputs);
            return { id: outs.clusterUuid, outs };
        },

        async update(_id, olds, news) {
            return { outs: await converge(news, olds) };
        },

        async read(id, props) {
            const connection = resolveConnection(props.connection);
            const client = AviClient.for(connection, env);
            const log = progressLogger(props.__logName, (s) => client.session.redact(s));
            const maxOutageMs = (props.rebootTimeoutSeconds ?? UPGRADE_DEFAULTS.rebootTimeoutSeconds) * 1000;
            const read = await readThroughOutage(env, { what: `${controllerName(connection)} UpgradeStatusInfo`, log, maxOutageMs }, () =>
                client.listUpgradeStatus(),
            );
            if (!read.reachable) return { id, props };
            const records = read.value;
            const scope: Scope = {
                clusterUuid: props.controller === false ? undefined : id,
                seGroups: props.seGroups
                    ? records.filter((r) => props.seGroups!.includes(r.name ?? "") || props.seGroups!.includes(r.uuid)).map((r) => r.uuid)
                    : "all",
            };
            const concerned = concernedRecords(records, scope).records;
            const cluster = records.find((r) => r.uuid === id);
            return { id, props: { ...props, version: cluster?.version ?? props.version, records: concerned.map(summary) } };
        },

        async delete(id, props) {
            progressLogger(props.__logName)(
                `forgetting the upgrade of controller cluster ${id}; the controller keeps version ${props.version || "?"}`,
            );
        },
    };
};

function outputs(ctx: Ctx, records: UpgradeStatusInfo[], state: string): UpgradeOutputs {
    const cluster = records.find((r) => r.uuid === ctx.clusterUuid);
    return {
        ...ctx.inputs,
        clusterUuid: ctx.clusterUuid,
        targetTag: ctx.target.tag ?? ctx.target.version,
        version: cluster?.version ?? records[0]?.version ?? "",
        previousVersion: ctx.previousVersion,
        state,
        records: records.map(summary),
        precheckResults: ctx.precheckResults,
    };
}
