/**
 * One run of `riverbed:SystemUpdate`: inputs, outputs, defaults, the run context, and the wait on the
 * device's update object every step uses.
 */

import { z } from "zod";
import { WaitBudget, waitBudgetFields } from "../core/budget";
import { inputsFromState, ResourceNotReadyError } from "../core/dynamic";
import type { HandlerEnv } from "../core/env";
import { VendorFailureError } from "../core/errors";
import { messageOf, PhaseError } from "../core/phase";
import { waitProgress, type Progress } from "../core/progress";
import { waitFor, WaitError, WaitFailedError } from "../core/waiter";
import type { LearnedHint } from "../core/learned-durations";
import { newestEntry, RiverbedClient, type RiverbedUpdate } from "./client";
import { connectionSchema } from "./connection";

/**
 * Defaults of the wait budget, in seconds (core/budget.ts): 90 minutes for the whole update —
 * reset, init, install, the reboot and the device coming back — with the device allowed to be
 * unreachable for up to 20 minutes of it, polling every 10 s or more.
 */
export const SYSTEM_UPDATE_DEFAULTS = { waitTimeoutSeconds: 90 * 60, pollIntervalSeconds: 10, rebootTimeoutSeconds: 20 * 60 } as const;

/** Default deadline of the whole update, in seconds. */
export const UPDATE_WAIT_TIMEOUT_SECONDS = SYSTEM_UPDATE_DEFAULTS.waitTimeoutSeconds;

/** Default poll floor, in seconds. */
export const UPDATE_POLL_INTERVAL_SECONDS = SYSTEM_UPDATE_DEFAULTS.pollIntervalSeconds;

/** Default longest tolerated outage (the reboot) inside the deadline, in seconds. */
export const UPDATE_REBOOT_TIMEOUT_SECONDS = SYSTEM_UPDATE_DEFAULTS.rebootTimeoutSeconds;

/** Input schema of `riverbed:SystemUpdate`. */
export const updateInputsSchema = z
    .object({
        __logName: z.string().optional(),
        connection: connectionSchema.optional(),
        imageId: z.union([
            z.string().regex(/^\d+$/, "must be the device's image id (digits), e.g. an UpgradeImage's id"),
            z.number().int().nonnegative(),
        ]),
        targetVersion: z.string().regex(/^\s*\d+(\.\d+)*\s*(#\s*\d+)?\s*$/, "must be a version such as 11.7.0 or 11.7.0 #24010"),
        allowDowngrade: z.boolean().optional(),
        deleteOtherImages: z.boolean().optional(),
        ...waitBudgetFields,
    })
    .passthrough();

/** Inputs after `check`. */
export type UpdateInputs = z.infer<typeof updateInputsSchema>;

/** Outputs (state) of `riverbed:SystemUpdate`. */
export interface UpdateOutputs extends UpdateInputs {
    /** The device's version (newest `update_history` entry), e.g. `11.7.0 #24010`. */
    installedVersion: string;
    /**
     * The version the device ran before this resource last updated it; for a device found already at
     * the target, the version before the installed one (from state, else `update_history`), "" when unknown.
     */
    previousVersion: string;
    /** The update object's state (`IDLE` after success). */
    state: string;
    /** The device's `state_description`. */
    stateDescription: string;
    /** When the installed version was installed (ISO 8601, from `update_history`). */
    installedAt: string;
}

export const OUTPUT_KEYS = ["installedVersion", "previousVersion", "state", "stateDescription", "installedAt"] as const;

export interface Ctx {
    /** Resource id: the device's endpoint. */
    id: string;
    inputs: UpdateInputs;
    client: RiverbedClient;
    subject: string;
    log: Progress;
    env: HandlerEnv;
    /** One deadline for the whole operation. */
    budget: WaitBudget;
    /** Last update object seen. */
    last?: RiverbedUpdate;
    previousVersion: string;
}

export function outputsFor(
    inputs: UpdateInputs,
    update: RiverbedUpdate | undefined,
    previousVersion: string,
    old?: Partial<UpdateOutputs>,
): UpdateOutputs {
    const newest = update ? newestEntry(update) : undefined;
    return {
        ...inputs,
        installedVersion: newest?.version ?? old?.installedVersion ?? "",
        previousVersion,
        state: update?.state ?? old?.state ?? "UNKNOWN",
        stateDescription: update?.state_description ?? old?.stateDescription ?? "",
        installedAt: newest ? new Date(newest.time * 1_000).toISOString() : (old?.installedAt ?? ""),
    };
}

export function describe(u: RiverbedUpdate): string {
    return `${u.state}${u.state_description ? ` (${u.state_description})` : ""}`;
}

/** Polls the update object until its (classified) state is in `target`. */
export async function waitUpdate(
    ctx: Ctx,
    phase: string,
    spec: {
        target: string[];
        pending: string[];
        failure: string[];
        classify?: (u: RiverbedUpdate) => { state: string; detail?: string };
        quiet?: boolean;
        /** Durations learned from earlier devices (only for an update this call started). */
        learned?: LearnedHint;
    },
): Promise<RiverbedUpdate> {
    try {
        const done = await waitFor<RiverbedUpdate>({
            what: `${ctx.subject} (${phase})`,
            refresh: async () => {
                const u = await ctx.client.getUpdate();
                ctx.last = u;
                const c = spec.classify?.(u) ?? { state: u.state };
                return { state: c.state, object: u, detail: c.detail ?? u.state_description };
            },
            target: spec.target,
            pending: spec.pending,
            failure: spec.failure,
            ...ctx.budget.waitOptions(),
            learned: spec.learned,
            onProgress: waitProgress(ctx.log, phase, {
                clock: ctx.env.clock,
                outageBudgetMs: ctx.budget.rebootMs,
                quietStates: spec.quiet,
            }),
        });
        return done.object!;
    } catch (err) {
        if (err instanceof WaitFailedError) {
            const last = err.lastObservation!;
            throw new VendorFailureError(ctx.subject, phase, last.state, last.detail);
        }
        if (err instanceof WaitError) {
            throw err; // its message names the device, the phase, the last state and the budget
        }
        throw new PhaseError(ctx.subject, phase, messageOf(err), err);
    }
}

/** Reads the update object, riding out a reboot that may still be under way. */
export async function readUpdate(ctx: Ctx): Promise<RiverbedUpdate> {
    return waitUpdate(ctx, "reading the update state", {
        target: ["READ"],
        pending: [],
        failure: [],
        classify: () => ({ state: "READ" }),
        quiet: true,
    });
}

export function refuse(ctx: Ctx, phase: string, detail: string): never {
    throw new PhaseError(ctx.subject, phase, detail);
}

export function partial(ctx: Ctx, err: unknown): ResourceNotReadyError {
    if (err instanceof ResourceNotReadyError) {
        return err;
    }
    return new ResourceNotReadyError(ctx.id, outputsFor(ctx.inputs, ctx.last, ctx.previousVersion), err);
}

export function inputsOf(props: UpdateOutputs): Record<string, unknown> {
    return inputsFromState(props, OUTPUT_KEYS);
}
