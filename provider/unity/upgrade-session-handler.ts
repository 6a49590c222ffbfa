/**
 * Provider logic of `unity:UpgradeSession` (runs in the provider process, loaded by the runtime).
 *
 * Create, in order:
 * 1. Read the installed version (`installedSoftwareVersion`, else `basicSystemInfo`). Already at
 *    `candidateVersion` → nothing to do (status `Already_Installed`, no session).
 * 2. A session that is not finished (in progress, paused, waiting, failed) for **this** candidate →
 *    adopt it (never a second one); for another candidate → an error naming it.
 * 3. `verifyUpgradeEligibility`: any ERROR-or-worse message (or a 4xx answer) → an error carrying the
 *    array's messages, before anything is started. Nothing is kept in state.
 * 4. Create the session (`candidate`, `pauseBeforeReboot`) — one POST, never retried unless the
 *    request provably did not reach the array.
 * 5. Wait for `Upgrade_Completed` (or `Upgrade_Acknowledged`). Polls start at `pollIntervalSeconds`
 *    and back off, shortened by the array's estimate (the tasks' `estRemainTime`, or the pace of
 *    `percentComplete`). The primary-SP reboot moves management to the peer SP: connection errors,
 *    503s and 401s are waited out for up to `rebootTimeoutSeconds` in a row; the client logs in again
 *    and takes the new CSRF token. `Upgrade_Paused` (and `Upgrade_Paused_Lock`) is resumed at once
 *    when `resumeAfterPause` is true; otherwise the resource stops with a message saying how to go on.
 * 6. Read the installed version from `basicSystemInfo`; it must be the candidate's.
 *
 * Success: `Upgrade_Completed`/`Upgrade_Acknowledged` and the array runs `candidateVersion`.
 * Outputs: `sessionId`, `status` (final status name), `installedVersion`, `previousVersion`.
 *
 * Failure: `Upgrade_Failed`, `Upgrade_Failed_Lock`, `Upgrade_Waiting_For_User`, a pause without
 * `resumeAfterPause`, `Upgrade_Cancelled`, a timeout, or an array that stayed unreachable → an error
 * naming the array, the session, the phase and the session's messages. Once a session exists the
 * error is a partial failure: the resource stays in state and the next `up` **resumes that session**
 * (the `resume` action for failed, paused or waiting sessions; a plain wait otherwise) instead of
 * creating another.
 *
 * Delete: only forgets the resource (an upgrade cannot be undone; `softwareUpgradeSession` has no cancel).
 */

import { z } from "zod";
import { waitBudgetFields, WaitBudget } from "../core/budget";
import { endpointChanged } from "../core/connection";
import {
    checkWithSchema,
    inputsFromState,
    ResourceNotReadyError,
    type CreateResult,
    type DiffResult,
    type HandlerFactory,
    type ResourceHandler,
} from "../core/dynamic";
import type { HandlerEnv } from "../core/env";
import { VendorApiError, VendorFailureError } from "../core/errors";
import { inPhase, PhaseError } from "../core/phase";
import { progressLogger, waitProgress, type Progress } from "../core/progress";
import { readThroughOutage } from "../core/read";
import { waitFor, type WaitEvent } from "../core/waiter";
import { UnityClient } from "./client";
import {
    CANCELLED,
    describeMessages,
    DONE,
    PAUSED,
    progressLine,
    RUNNING,
    STOPPED,
    stoppedError,
    UNFINISHED,
} from "./upgrade-session-states";
import { runsVersion } from "./versions";
import type { UnityMessage, UnitySession } from "./wire";
import { arrayName, connectionSchema, resolveConnection } from "./connection";

/**
 * Defaults, in seconds for the wait budget (core/budget.ts: `waitTimeoutSeconds` is one deadline for
 * the whole operation, the SP failover included). An NDU of both SPs commonly takes an hour or more.
 */
export const UNITY_SESSION_DEFAULTS = {
    waitTimeoutSeconds: 4 * 3600,
    pollIntervalSeconds: 15,
    rebootTimeoutSeconds: 30 * 60,
    pauseBeforeReboot: false,
    resumeAfterPause: false,
} as const;

/** Status reported when the array already ran the candidate's version. */
export const ALREADY_INSTALLED = "Already_Installed";

/** Input schema of `unity:UpgradeSession`. */
export const sessionInputsSchema = z
    .object({
        __logName: z.string().optional(),
        connection: connectionSchema.optional(),
        candidateId: z.string().min(1, "must be the candidate's id (UpgradeCandidate.candidateId)"),
        candidateVersion: z.string().regex(/^\d+(\.\d+){2,6}$/, "must be a Unity version such as 5.3.0.0.5.120 (UpgradeCandidate.version)"),
        pauseBeforeReboot: z.boolean().optional(),
        resumeAfterPause: z.boolean().optional(),
        ...waitBudgetFields,
    })
    .passthrough();

/** Inputs after `check`. */
export type SessionInputs = z.infer<typeof sessionInputsSchema>;

/** Outputs (state) of `unity:UpgradeSession`. */
export interface SessionOutputs extends SessionInputs {
    /** The array's session id ("" when the version was already installed). */
    sessionId: string;
    /** Final status name, e.g. `Upgrade_Completed`, or `Already_Installed`. */
    status: string;
    /** `basicSystemInfo.softwareVersion` after the upgrade. */
    installedVersion: string;
    /** The installed version before this resource started the session. */
    previousVersion: string;
    /** Messages of the session's last observation. */
    messages: string[];
}

const OUTPUT_KEYS = ["sessionId", "status", "installedVersion", "previousVersion", "messages"] as const;

/** A 404 for the session reads as "no session" (a refresh then keeps the last known status). */
function missingAs404(err: unknown): undefined {
    if (err instanceof VendorApiError && err.status === 404) return undefined;
    throw err;
}

interface Run {
    env: HandlerEnv;
    inputs: SessionInputs;
    client: UnityClient;
    endpoint: string;
    subject: string;
    log: Progress;
    /** One deadline for the whole create or update. */
    budget: WaitBudget;
}

function startRun(inputs: SessionInputs, env: HandlerEnv): Run {
    const connection = resolveConnection(inputs.connection);
    const client = UnityClient.for(connection, env);
    return {
        env,
        inputs,
        client,
        endpoint: connection.endpoint,
        subject: arrayName(connection),
        log: progressLogger(inputs.__logName, (s) => client.session.redact(s)),
        budget: new WaitBudget(env.clock, inputs, UNITY_SESSION_DEFAULTS),
    };
}

function outputs(
    run: Run,
    fields: { sessionId: string; status: string; installedVersion: string; previousVersion: string; messages?: UnityMessage[] },
): SessionOutputs {
    return { ...run.inputs, ...fields, messages: (fields.messages ?? []).map((m) => m.text) };
}

async function installedVersion(run: Run): Promise<string> {
    const exact = await run.client.installedVersion().catch(() => undefined);
    if (exact) return exact;
    const info = await run.client.systemInfo();
    return info.softwareVersion ?? info.softwareFullVersion ?? "";
}

async function create(run: Run): Promise<CreateResult<SessionOutputs>> {
    const inputs = run.inputs;
    const before = await inPhase(run.subject, "reading the installed version", () => installedVersion(run));
    if (runsVersion(before, inputs.candidateVersion)) {
        run.log(`already at ${before}: nothing to do`);
        return {
            id: `${ALREADY_INSTALLED}:${inputs.candidateVersion}`,
            outs: outputs(run, { sessionId: "", status: ALREADY_INSTALLED, installedVersion: before, previousVersion: before }),
        };
    }
    const sessions = await inPhase(run.subject, "listing upgrade sessions", () => run.client.sessions());
    const unfinished = sessions.find((s) => UNFINISHED.includes(s.status));
    if (unfinished && unfinished.candidateId !== undefined && unfinished.candidateId !== inputs.candidateId) {
        throw new PhaseError(
            run.subject,
            "starting the upgrade",
            `session ${unfinished.id} (${unfinished.status}) is already running for candidate ${unfinished.candidateId}; finish it on the array first`,
        );
    }
    let sessionId: string;
    if (unfinished) {
        sessionId = unfinished.id;
        run.log(
            `adopting session ${sessionId} already on the array (${unfinished.status}${unfinished.percentComplete !== undefined ? `, ${unfinished.percentComplete}%` : ""}): not starting another`,
        );
    } else {
        const eligibility = await inPhase(run.subject, "the eligibility check", () => run.client.verifyEligibility());
        if (!eligibility.eligible) {
            throw new VendorFailureError(
                run.subject,
                "the eligibility check (verifyUpgradeEligibility)",
                "not eligible",
                describeMessages(eligibility.messages.filter((m) => (m.severity ?? 0) <= 3)),
            );
        }
        run.log(`eligibility check passed${eligibility.messages.length ? `: ${describeMessages(eligibility.messages)}` : ""}`);
        const pause = inputs.pauseBeforeReboot ?? UNITY_SESSION_DEFAULTS.pauseBeforeReboot;
        sessionId = await inPhase(run.subject, "creating the upgrade session", () => run.client.createSession(inputs.candidateId, pause));
        run.log(
            `session ${sessionId} started: ${before} → ${inputs.candidateVersion}${pause ? " (pausing before the first SP reboot)" : ""}`,
        );
    }
    const outs = await finish(run, sessionId, before, false);
    return { id: sessionId, outs };
}

/**
 * Waits for the session to complete (resuming it first when `resumeNow`), then reads the version.
 * @throws ResourceNotReadyError (stays in state) for every failure once the session exists.
 */
async function finish(run: Run, sessionId: string, previousVersion: string, resumeNow: boolean): Promise<SessionOutputs> {
    const notReady = (status: string, err: unknown, messages: UnityMessage[] = []) =>
        new ResourceNotReadyError(sessionId, outputs(run, { sessionId, status, installedVersion: "", previousVersion, messages }), err);
    let last: UnitySession | undefined;
    try {
        if (resumeNow) {
            await inPhase(run.subject, `resuming session ${sessionId}`, () => run.client.resumeSession(sessionId));
            run.log(`session ${sessionId} resumed`);
        }
        for (;;) {
            last = await waitOnce(run, sessionId);
            if (DONE.includes(last.status)) break;
            if (PAUSED.includes(last.status) && (run.inputs.resumeAfterPause ?? UNITY_SESSION_DEFAULTS.resumeAfterPause)) {
                run.log(`session ${sessionId} is paused (${describeMessages(last.messages)}): resuming it (resumeAfterPause)`);
                await inPhase(run.subject, `resuming session ${sessionId}`, () => run.client.resumeSession(sessionId));
                continue;
            }
            throw stoppedError(run.subject, last);
        }
    } catch (err) {
        if (err instanceof ResourceNotReadyError) throw err;
        throw notReady(last?.status ?? "unknown", err, last?.messages);
    }
    try {
        const info = await inPhase(run.subject, "reading the installed version", () => run.client.systemInfo());
        const now = info.softwareVersion ?? info.softwareFullVersion ?? "";
        const exact = await run.client.installedVersion().catch(() => undefined);
        if (!runsVersion(now, run.inputs.candidateVersion) && !runsVersion(exact, run.inputs.candidateVersion)) {
            throw new PhaseError(
                run.subject,
                "verifying the installed version",
                `session ${sessionId} reports ${last.status} but the array runs ${now || exact || "an unknown version"}, not ${run.inputs.candidateVersion}`,
            );
        }
        run.log(`upgrade complete: ${previousVersion || "?"} → ${now} (session ${sessionId}, ${last.status})`);
        return outputs(run, { sessionId, status: last.status, installedVersion: now, previousVersion, messages: last.messages });
    } catch (err) {
        throw notReady(last.status, err, last.messages);
    }
}

/** One wait: until done, paused, stopped or cancelled. */
async function waitOnce(run: Run, sessionId: string): Promise<UnitySession> {
    const shared = waitProgress<UnitySession>(run.log, `session ${sessionId}`, {
        clock: run.env.clock,
        outageBudgetMs: run.budget.rebootMs,
        quietStates: true,
    });
    let lastTask = "";
    const result = await waitFor<UnitySession>({
        what: `${run.subject} session ${sessionId}`,
        refresh: async () => {
            const session = await run.client.getSession(sessionId);
            const detail = [session.currentTask, session.percentComplete !== undefined ? `${session.percentComplete}%` : undefined]
                .filter(Boolean)
                .join(", ");
            return {
                state: session.status,
                object: session,
                progressPercent: session.percentComplete,
                etaMs: session.estRemainingMs,
                detail: detail || undefined,
            };
        },
        target: [...DONE, ...PAUSED, ...STOPPED, ...CANCELLED],
        pending: RUNNING,
        ...run.budget.waitOptions(),
        onProgress: (event: WaitEvent<UnitySession>) => {
            shared(event); // outage, recovery and heartbeat lines, in the package's one format
            const line = progressLine(event);
            const task =
                event.kind === "state" || event.kind === "poll"
                    ? `${event.observation.state}|${event.observation.object?.currentTask ?? ""}`
                    : lastTask;
            if (line && task !== lastTask) {
                lastTask = task;
                run.log(line);
            }
        },
    });
    return result.object!;
}

async function resumeOrWait(run: Run, id: string, olds: SessionOutputs): Promise<SessionOutputs> {
    const news = run.inputs;
    if (!olds.sessionId) {
        return { ...olds, ...news };
    }
    const session = await inPhase(run.subject, `reading session ${olds.sessionId}`, () => run.client.getSession(olds.sessionId)).catch(
        (err: unknown) => {
            throw new ResourceNotReadyError(id, { ...olds, ...news }, err);
        },
    );
    if (DONE.includes(session.status) && olds.installedVersion) {
        return { ...olds, ...news, status: session.status };
    }
    // Failed, waiting or (with resumeAfterPause) paused: running `up` again is the instruction to go on.
    const resumable =
        STOPPED.includes(session.status) ||
        (PAUSED.includes(session.status) && (news.resumeAfterPause ?? UNITY_SESSION_DEFAULTS.resumeAfterPause));
    if (resumable) {
        run.log(`session ${session.id} is ${session.status} (${describeMessages(session.messages)}): resuming it`);
    } else if (RUNNING.includes(session.status)) {
        run.log(
            `session ${session.id} is ${session.status}${session.percentComplete !== undefined ? ` (${session.percentComplete}%)` : ""}: waiting for it`,
        );
    }
    return finish(run, olds.sessionId, olds.previousVersion, resumable);
}

/** The handler of `unity:UpgradeSession` for an environment (clock, shared clients, locks). */
export const upgradeSessionHandler: HandlerFactory = (env: HandlerEnv): ResourceHandler<SessionInputs, SessionOutputs> => {
    /** Actions on one array's upgrade never overlap within a run (one session per array at a time). */
    const locked = <T>(run: Run, fn: () => Promise<T>) => env.locks.run(`unity|${run.endpoint}|upgrade`, fn);
    return {
        async check(_olds, news) {
            return checkWithSchema(sessionInputsSchema, news);
        },

        async diff(_id, olds, news): Promise<DiffResult> {
            const replaces: string[] = [];
            if (olds.candidateId !== news.candidateId) replaces.push("candidateId");
            if (olds.candidateVersion !== news.candidateVersion) replaces.push("candidateVersion");
            if (endpointChanged(olds, news)) replaces.push("connection");
            return { replaces };
        },

        async create(raw) {
            const run = startRun(sessionInputsSchema.parse(raw), env);
            return locked(run, () => create(run));
        },

        async update(id, olds, raw) {
            const run = startRun(sessionInputsSchema.parse(raw), env);
            return { outs: await locked(run, () => resumeOrWait(run, id, olds)) };
        },

        async read(id, props) {
            const connection = resolveConnection(props.connection);
            const client = UnityClient.for(connection, env);
            const log = progressLogger(props.__logName, (s) => client.session.redact(s));
            const maxOutageMs = (props.rebootTimeoutSeconds ?? UNITY_SESSION_DEFAULTS.rebootTimeoutSeconds) * 1_000;
            const read = await readThroughOutage(env, { what: `${arrayName(connection)} upgrade`, log, maxOutageMs }, async () => ({
                info: await client.systemInfo(),
                session: props.sessionId ? await client.getSession(props.sessionId).catch(missingAs404) : undefined,
            }));
            if (!read.reachable) {
                return { id, props, inputs: inputsFromState(props, OUTPUT_KEYS) };
            }
            // The session may be gone from the array's list (it keeps a limited history): keep the last status then.
            const outs: SessionOutputs = {
                ...props,
                status: read.value.session?.status ?? props.status,
                installedVersion: read.value.info.softwareVersion ?? read.value.info.softwareFullVersion ?? props.installedVersion,
            };
            return { id, props: outs, inputs: inputsFromState(outs, OUTPUT_KEYS) };
        },

        async delete(id, props) {
            progressLogger(props.__logName)(
                `forgetting upgrade session ${props.sessionId || id}: an upgrade cannot be undone; the array keeps ${props.installedVersion || "its version"}`,
            );
        },
    };
};
