/**
 * Provider logic of `avisi:MaintenanceSchedule`: the weekly windows scheduled upgrades land in
 * (`/api/v1/organisations/{org}/maintenance-schedule`, avisi.md §6).
 *
 * Create: a schedule with the same name already in the organisation is adopted (and updated to the
 * declared windows) instead of creating a second one — a retried create never duplicates it.
 * Update: PATCH with the declared name and windows. Refresh: the vendor's name and windows become
 * the state's inputs, so a change made in the console shows as a diff. Delete: DELETE (an already
 * deleted schedule is fine); clusters using it lose their windows (the vendor detaches them [inferred]).
 *
 * Output `nextWindowStart`/`nextWindowEnd`: the next occurrence, computed in UTC (the timezone of
 * `startTime` is [unknown]; UTC is the simulator's assumption, see provider/avisi/README.md).
 */
import { z } from "zod";
import { endpointChanged } from "../core/connection";
import {
    checkWithSchema,
    inputsFromState,
    progressLogger,
    type DiffResult,
    type HandlerFactory,
    type ReadResult,
    type ResourceHandler,
} from "../core/dynamic";
import type { HandlerEnv } from "../core/env";
import { readThroughOutage } from "../core/read";
import { AvisiClient, type AvisiSchedule } from "./client";
import { avisiConnectionSchema, resolveAvisiConnection } from "./connection";
import { avisiClock } from "./simulated-time";
import { nextWindow, WEEK_DAYS } from "./windows";

/** Input schema of `avisi:MaintenanceSchedule`. */
export const maintenanceScheduleInputsSchema = z
    .object({
        __logName: z.string().optional(),
        connection: avisiConnectionSchema.optional(),
        name: z.string().trim().min(1, "must not be empty"),
        windows: z
            .array(
                z
                    .object({
                        day: z.enum(WEEK_DAYS, { message: `must be one of ${WEEK_DAYS.join(", ")}` }),
                        startTime: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, "must be HH:mm (24-hour, UTC), e.g. 02:00"),
                        duration: z
                            .number()
                            .int("must be whole minutes")
                            .min(1, "must be at least one minute")
                            .max(7 * 24 * 60, "must be at most a week (10080 minutes)"),
                    })
                    .strict(),
            )
            .min(1, "needs at least one window"),
    })
    .passthrough();

export type MaintenanceScheduleInputs = z.infer<typeof maintenanceScheduleInputsSchema>;

/** Outputs of `avisi:MaintenanceSchedule`. */
export interface MaintenanceScheduleOutputs extends MaintenanceScheduleInputs {
    scheduleIdentity: string;
    /** Next window occurrence (ISO 8601, UTC) at the time of the last create/update/refresh. */
    nextWindowStart: string;
    nextWindowEnd: string;
}

const OUTPUT_KEYS: ReadonlyArray<keyof MaintenanceScheduleOutputs> = ["scheduleIdentity", "nextWindowStart", "nextWindowEnd"];

function outputsOf(env: HandlerEnv, inputs: MaintenanceScheduleInputs, schedule: AvisiSchedule): MaintenanceScheduleOutputs {
    const next = nextWindow(inputs.windows, avisiClock(env.clock).clock.now());
    return {
        ...inputs,
        scheduleIdentity: schedule.identity,
        nextWindowStart: next ? new Date(next.startMs).toISOString() : "",
        nextWindowEnd: next ? new Date(next.endMs).toISOString() : "",
    };
}

function start(env: HandlerEnv, inputs: MaintenanceScheduleInputs) {
    const client = AvisiClient.for(resolveAvisiConnection(inputs.connection), env);
    return { client, log: progressLogger(inputs.__logName, (s) => client.session.redact(s)) };
}

/** The handler of `avisi:MaintenanceSchedule` for an environment (clock, shared clients, locks). */
export const maintenanceScheduleHandler: HandlerFactory = (
    env: HandlerEnv,
): ResourceHandler<MaintenanceScheduleInputs, MaintenanceScheduleOutputs> => ({
    async check(_olds, news) {
        return checkWithSchema(maintenanceScheduleInputsSchema, news);
    },

    async diff(_id, olds, news): Promise<DiffResult> {
        const moved = endpointChanged(olds, news) || (olds.connection?.organisation ?? "") !== (news.connection?.organisation ?? "");
        return { replaces: moved ? ["connection"] : [] };
    },

    async create(raw) {
        const inputs = maintenanceScheduleInputsSchema.parse(raw);
        const { client, log } = start(env, inputs);
        const body = { name: inputs.name, windows: inputs.windows };
        const existing = (await client.schedules()).find((s) => s.name === inputs.name);
        const schedule = existing ? await client.updateSchedule(existing.identity, body) : await client.createSchedule(body);
        log(
            `${existing ? "adopted" : "created"} maintenance schedule ${schedule.identity} "${inputs.name}" (${inputs.windows.map((w) => `${w.day} ${w.startTime} UTC +${w.duration}m`).join(", ")})`,
        );
        return { id: schedule.identity, outs: outputsOf(env, inputs, schedule) };
    },

    async update(id, _olds, raw) {
        const inputs = maintenanceScheduleInputsSchema.parse(raw);
        const { client } = start(env, inputs);
        return { outs: outputsOf(env, inputs, await client.updateSchedule(id, { name: inputs.name, windows: inputs.windows })) };
    },

    async read(id, props): Promise<ReadResult<MaintenanceScheduleOutputs>> {
        const { client, log } = start(env, props);
        const found = await readThroughOutage(env, { what: `avisi maintenance schedule ${props.name}`, log }, () => client.schedule(id));
        if (!found.reachable) return { id, props };
        const schedule = found.value;
        if (!schedule) return { id: "", props };
        const windows = (schedule.windows ?? []).map((w) => ({
            day: w.day as MaintenanceScheduleInputs["windows"][number]["day"],
            startTime: w.startTime,
            duration: w.duration,
        }));
        const outs = outputsOf(env, { ...props, name: schedule.name, windows }, schedule);
        return { id, props: outs, inputs: inputsFromState(outs, OUTPUT_KEYS) };
    },

    async delete(id, props) {
        const { client, log } = start(env, props);
        await client.deleteSchedule(id);
        log(`deleted maintenance schedule ${id} "${props.name}"`);
    },
});
