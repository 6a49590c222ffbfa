/**
 * Provider logic of `loopback:Setting` (runs in the provider process, loaded by the runtime).
 *
 * Create / update:
 * 1. Read the setting. The value already `APPLIED` → nothing to do; already `APPLYING` → adopt:
 *    wait for it instead of applying again; otherwise `PUT` the value once.
 * 2. Wait until `GET /settings/{key}` reports it.
 *
 * Success, exactly: the server reports `state: APPLIED` with the requested value.
 *
 * Failure, exactly:
 * - `state: FAILED` → `loopback server <url> setting <key>: applying failed in state FAILED: <server's message>`;
 * - the setting disappears while applying (`MISSING`) → the same shape, state `MISSING`;
 * - the deadline `waitTimeoutSeconds` passes, or the server stays unreachable longer than
 *   `rebootTimeoutSeconds` → the waiter's timeout error (last state, elapsed time, budget).
 * Every failure after the `PUT` is a partial failure: the setting stays in state with the last
 * state seen, and the next `up` resumes.
 *
 * Budget: `waitTimeoutSeconds` is one deadline for the whole create or update (the `PUT`, the wait
 * and any outage come out of it); `rebootTimeoutSeconds` is the longest outage inside it
 * (core/budget.ts).
 *
 * Read: the value on the server (drift shows as a diff of `value`); gone → dropped from state. An
 * unreachable server is ridden out for a bounded time, then the last known state is kept with a
 * warning (core/read.ts). Delete: `DELETE`, already gone is fine.
 */

import { z } from "zod";
import { waitBudgetFields, WaitBudget } from "../core/budget";
import { endpointChanged } from "../core/connection";
import { checkWithSchema, inputsFromState, ResourceNotReadyError, type HandlerFactory, type ResourceHandler } from "../core/dynamic";
import type { HandlerEnv } from "../core/env";
import { phaseFailure } from "../core/phase";
import { progressLogger, waitProgress } from "../core/progress";
import { readThroughOutage } from "../core/read";
import { waitFor } from "../core/waiter";
import { LoopbackClient, type LoopbackSetting } from "./client";
import { connectionSchema, resolveConnection, serverName } from "./connection";

/** Defaults of the wait budget, in seconds (see core/budget.ts for what each means). */
export const SETTING_DEFAULTS = { waitTimeoutSeconds: 60, pollIntervalSeconds: 0.2, rebootTimeoutSeconds: 60 } as const;

/** Input schema of `loopback:Setting` (also used by `check`). */
export const settingInputsSchema = z
    .object({
        __logName: z.string().optional(),
        connection: connectionSchema.optional(),
        key: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, "must be 1-64 characters of letters, digits, '.', '_' or '-'"),
        value: z.string(),
        ...waitBudgetFields,
    })
    .passthrough();

/** Inputs after `check`. */
export type SettingInputs = z.infer<typeof settingInputsSchema>;

/** Outputs (state) of `loopback:Setting`. */
export interface SettingOutputs extends SettingInputs {
    state: string;
    appliedValue: string;
}

const OUTPUT_KEYS = ["state", "appliedValue"] as const;

function outputsFor(inputs: SettingInputs, s: LoopbackSetting | undefined): SettingOutputs {
    return { ...inputs, state: s?.state ?? "UNKNOWN", appliedValue: s?.state === "APPLIED" ? s.value : "" };
}

/** The handler of `loopback:Setting` for an environment (clock, shared clients, locks). */
export const settingHandler: HandlerFactory = (env: HandlerEnv): ResourceHandler<SettingInputs, SettingOutputs> => {
    async function applyAndWait(inputs: SettingInputs): Promise<SettingOutputs> {
        const budget = new WaitBudget(env.clock, inputs, SETTING_DEFAULTS);
        const connection = resolveConnection(inputs.connection);
        const client = LoopbackClient.for(connection, env);
        const log = progressLogger(inputs.__logName, (s) => client.session.redact(s));
        const subject = `${serverName(connection)} setting ${inputs.key}`;

        return env.locks.run(`loopback|${connection.endpoint}|${inputs.key}`, async () => {
            const current = await client.get(inputs.key);
            if (current?.value === inputs.value && current.state === "APPLIED") {
                log(`${inputs.key} already ${current.value}: nothing to do`);
                return outputsFor(inputs, current);
            }
            if (current?.value === inputs.value && current.state === "APPLYING") {
                log(`${inputs.key} is already being applied: waiting for it instead of starting again`);
            } else {
                await client.apply(inputs.key, inputs.value);
                log(`applying ${inputs.key}`);
            }
            let last: LoopbackSetting | undefined;
            try {
                const done = await waitFor<LoopbackSetting>({
                    what: subject,
                    refresh: async () => {
                        last = await client.get(inputs.key);
                        return { state: last?.state ?? "MISSING", object: last, detail: last?.message };
                    },
                    target: ["APPLIED"],
                    pending: ["APPLYING"],
                    failure: ["FAILED", "MISSING"],
                    ...budget.waitOptions(),
                    onProgress: waitProgress(log, "state", { clock: env.clock, outageBudgetMs: budget.rebootMs }),
                });
                return outputsFor(inputs, done.object);
            } catch (err) {
                throw new ResourceNotReadyError(inputs.key, outputsFor(inputs, last), phaseFailure(subject, "applying", err));
            }
        });
    }

    return {
        async check(_olds, news) {
            return checkWithSchema(settingInputsSchema, news);
        },

        async diff(_id, olds, news) {
            const replaces: string[] = [];
            if (olds.key !== news.key) {
                replaces.push("key");
            }
            if (endpointChanged(olds, news)) {
                replaces.push("connection");
            }
            // `changes` left unset: the engine then computes a per-property diff from the inputs.
            return { replaces };
        },

        async create(raw) {
            const inputs = settingInputsSchema.parse(raw);
            return { id: inputs.key, outs: await applyAndWait(inputs) };
        },

        async update(_id, _olds, raw) {
            return { outs: await applyAndWait(settingInputsSchema.parse(raw)) };
        },

        async read(id, props) {
            const connection = resolveConnection(props.connection);
            const client = LoopbackClient.for(connection, env);
            const log = progressLogger(props.__logName, (s) => client.session.redact(s));
            const maxOutageMs = (props.rebootTimeoutSeconds ?? SETTING_DEFAULTS.rebootTimeoutSeconds) * 1_000;
            const read = await readThroughOutage(env, { what: `${serverName(connection)} setting ${props.key}`, log, maxOutageMs }, () =>
                client.get(props.key),
            );
            if (!read.reachable) {
                return { id, props, inputs: inputsFromState(props, OUTPUT_KEYS) };
            }
            if (!read.value) {
                return { id: "", props }; // gone: the engine drops it from state
            }
            const outs = { ...outputsFor(props, read.value), value: read.value.value };
            return { id, props: outs, inputs: inputsFromState(outs, OUTPUT_KEYS) };
        },

        async delete(_id, props) {
            const client = LoopbackClient.for(resolveConnection(props.connection), env);
            await client.remove(props.key);
            progressLogger(props.__logName, (s) => client.session.redact(s))(`removed ${props.key}`);
        },
    };
};
