/**
 * Provider logic of `loopback:Setting` (runs in the provider process, loaded by the runtime).
 *
 * Success condition: `GET /settings/{key}` reports `state: APPLIED` with the requested value.
 * Failure: `state: FAILED` → error naming the server, the key and the server's message; the setting
 * stays in state (partial failure) so the next `up` retries it.
 */

import { z } from "zod";
import {
    checkWithSchema,
    progressLogger,
    ResourceNotReadyError,
    type CreateResult,
    type DiffResult,
    type ResourceHandler,
} from "../core/dynamic";
import { connectionFields, resolveConnection } from "../core/connection";
import { VendorFailureError } from "../core/errors";
import { waitFor, WaitFailedError } from "../core/waiter";
import { LoopbackClient, type LoopbackConnection, type LoopbackSettingState } from "./client";

const connectionSchema = z.object(connectionFields).strict();

/** Input schema of `loopback:Setting` (also used by `check`). */
export const settingInputsSchema = z
    .object({
        __logName: z.string().optional(),
        connection: connectionSchema.optional(),
        key: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, "must be 1-64 characters of letters, digits, '.', '_' or '-'"),
        value: z.string(),
        waitTimeoutSeconds: z.number().int("must be a whole number of seconds").positive("must be a positive number of seconds").max(24 * 3600, "must be at most 86400 (24 hours)").optional(),
        pollIntervalSeconds: z.number().positive().max(300).optional(),
    })
    .passthrough();

/** Inputs after `check`. */
export type SettingInputs = z.infer<typeof settingInputsSchema>;

/** Outputs (state) of `loopback:Setting`. */
export interface SettingOutputs extends SettingInputs {
    state: string;
    appliedValue: string;
}

function connectionOf(inputs: SettingInputs): LoopbackConnection {
    return resolveConnection(inputs.connection, "loopback");
}

async function applyAndWait(inputs: SettingInputs): Promise<SettingOutputs> {
    const connection = connectionOf(inputs);
    const client = LoopbackClient.for(connection);
    const log = progressLogger(inputs.__logName, (s) => client.session.redact(s));
    const subject = `loopback server ${connection.endpoint} setting ${inputs.key}`;

    const current = await client.get(inputs.key);
    if (current && current.value === inputs.value && current.state === "APPLIED") {
        log(`${inputs.key} already ${current.value}: nothing to do`);
    } else if (current && current.value === inputs.value && current.state === "APPLYING") {
        log(`${inputs.key} is already being applied: waiting for it instead of starting again`);
    } else {
        await client.apply(inputs.key, inputs.value);
        log(`applying ${inputs.key}`);
    }

    const outputsFor = (s: LoopbackSettingState | undefined): SettingOutputs => ({
        ...inputs,
        state: s?.state ?? "UNKNOWN",
        appliedValue: s?.state === "APPLIED" ? s.value : "",
    });
    try {
        const done = await waitFor<LoopbackSettingState>({
            what: subject,
            refresh: async () => {
                const s = await client.get(inputs.key);
                return { state: s?.state ?? "MISSING", object: s, detail: s?.message };
            },
            target: ["APPLIED"],
            pending: ["APPLYING"],
            failure: ["FAILED", "MISSING"],
            timeoutMs: (inputs.waitTimeoutSeconds ?? 60) * 1_000,
            minDelayMs: (inputs.pollIntervalSeconds ?? 0.2) * 1_000,
            maxDelayMs: Math.max((inputs.pollIntervalSeconds ?? 0.2) * 1_000, 2_000),
            onProgress: (e) => {
                if (e.kind === "state") {
                    log(`state ${e.previous ?? "(start)"} → ${e.observation.state}`);
                } else if (e.kind === "transient") {
                    log(`server unreachable (${(e.error as Error).message}); still waiting`);
                }
            },
        });
        return outputsFor(done.object);
    } catch (err) {
        const last = (err as { lastObservation?: { object?: LoopbackSettingState } }).lastObservation?.object;
        const failure =
            err instanceof WaitFailedError
                ? new VendorFailureError(subject, "applying", err.lastState ?? "?", err.lastObservation?.detail)
                : err;
        throw new ResourceNotReadyError(inputs.key, outputsFor(last), failure);
    }
}

/** Handler of `loopback:Setting`. */
export const settingHandler: ResourceHandler<SettingInputs, SettingOutputs> = {
    async check(_olds, news) {
        return checkWithSchema(settingInputsSchema, news);
    },

    async diff(_id, olds, news): Promise<DiffResult> {
        const replaces: string[] = [];
        if (olds.key !== news.key) {
            replaces.push("key");
        }
        if ((olds.connection?.endpoint ?? "") !== (news.connection?.endpoint ?? "")) {
            replaces.push("connection");
        }
        // `changes` left unset: the engine then computes a per-property diff from the inputs.
        return { replaces };
    },

    async create(raw): Promise<CreateResult<SettingOutputs>> {
        const inputs = settingInputsSchema.parse(raw);
        return { id: inputs.key, outs: await applyAndWait(inputs) };
    },

    async update(_id, _olds, raw) {
        const inputs = settingInputsSchema.parse(raw);
        return { outs: await applyAndWait(inputs) };
    },

    async read(id, props) {
        const client = LoopbackClient.for(connectionOf(props));
        const s = await client.get(props.key);
        if (!s) {
            return { id: "", props }; // gone: the engine drops it from state
        }
        const { state: _state, appliedValue: _applied, ...inputs } = props;
        return {
            id,
            props: { ...props, value: s.value, state: s.state, appliedValue: s.state === "APPLIED" ? s.value : "" },
            inputs: { ...inputs, value: s.value },
        };
    },

    async delete(_id, props) {
        const client = LoopbackClient.for(connectionOf(props));
        await client.remove(props.key);
        progressLogger(props.__logName)(`removed ${props.key}`);
    },
};

/** Handlers of the loopback vendor, by kind. */
export const loopbackHandlers: Record<string, ResourceHandler> = { "loopback:Setting": settingHandler };
