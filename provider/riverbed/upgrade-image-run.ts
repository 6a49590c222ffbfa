/**
 * One run of `riverbed:UpgradeImage`: inputs, outputs, defaults, the run context and the small
 * helpers every step shares.
 */

import { stat } from "node:fs/promises";
import { basename } from "node:path";
import { z } from "zod";
import { WaitBudget, waitBudgetFields } from "../core/budget";
import { inputsFromState } from "../core/dynamic";
import type { HandlerEnv } from "../core/env";
import { InputError } from "../core/errors";
import { messageOf } from "../core/phase";
import { progressLogger, type Progress } from "../core/progress";
import { known, RiverbedClient, type RiverbedImage } from "./client";
import { connectionSchema, deviceName, resolveConnection } from "./connection";

/**
 * Defaults of the wait budget, in seconds (core/budget.ts): 30 minutes for the whole create — the
 * transfer, the device's validation (or download and validation) and any outage — with outages of up
 * to 10 minutes tolerated inside it, polling every 5 s or more.
 */
export const UPGRADE_IMAGE_DEFAULTS = { waitTimeoutSeconds: 30 * 60, pollIntervalSeconds: 5, rebootTimeoutSeconds: 10 * 60 } as const;

/** Default deadline of a create, in seconds. */
export const IMAGE_WAIT_TIMEOUT_SECONDS = UPGRADE_IMAGE_DEFAULTS.waitTimeoutSeconds;

/** Default poll floor while an image is validated, in seconds. */
export const IMAGE_POLL_INTERVAL_SECONDS = UPGRADE_IMAGE_DEFAULTS.pollIntervalSeconds;

/** State reported when the device consumed the image by installing it. */
export const CONSUMED = "CONSUMED";

export const sha256 = z.string().regex(/^[0-9a-fA-F]{64}$/, "must be a SHA-256: 64 hexadecimal digits");

/** Input schema of `riverbed:UpgradeImage`. */
export const imageInputsSchema = z
    .object({
        __logName: z.string().optional(),
        connection: connectionSchema.optional(),
        file: z.string().min(1, "must be a path to the image file").optional(),
        url: z
            .string()
            .url("must be an http(s) URL the device can download")
            .refine((u) => /^https?:\/\//i.test(u), "must be an http(s) URL the device can download")
            .optional(),
        expectedSha256: sha256.optional(),
        ...waitBudgetFields,
    })
    .passthrough()
    .superRefine((v, ctx) => {
        if ((v.file === undefined) === (v.url === undefined)) {
            ctx.addIssue({
                code: "custom",
                path: ["file"],
                message: "give exactly one image source: file (uploaded) or url (fetched by the device)",
            });
        }
    });

/** Inputs after `check`. */
export type ImageInputs = z.infer<typeof imageInputsSchema>;

/** Outputs (state) of `riverbed:UpgradeImage`. */
export interface ImageOutputs extends ImageInputs {
    /** Version the device read from the image, e.g. `11.7.0 #24010`. */
    version: string;
    /** SHA-256 the device computed. */
    checksum: string;
    /** `VALID` after a successful create; `CONSUMED` once installed and removed by the device. */
    state: string;
    /** The device's `state_description`. */
    stateDescription: string;
    /** True when an image already on the device was adopted instead of transferred. */
    adopted: boolean;
}

export const OUTPUT_KEYS = ["version", "checksum", "state", "stateDescription", "adopted"] as const;

export interface Ctx {
    env: HandlerEnv;
    inputs: ImageInputs;
    client: RiverbedClient;
    subject: string;
    log: Progress;
    /** One deadline for the whole operation (started when the context is made). */
    budget: WaitBudget;
}

export function context(inputs: ImageInputs, env: HandlerEnv): Ctx {
    const connection = resolveConnection(inputs.connection);
    const client = RiverbedClient.for(connection, env);
    return {
        env,
        inputs,
        client,
        subject: deviceName(connection),
        log: progressLogger(inputs.__logName, (s) => client.session.redact(s)),
        budget: new WaitBudget(env.clock, inputs, UPGRADE_IMAGE_DEFAULTS),
    };
}

export function outputsFor(
    inputs: ImageInputs,
    image: RiverbedImage | undefined,
    adopted: boolean,
    previous?: Partial<ImageOutputs>,
): ImageOutputs {
    return {
        ...inputs,
        version: known(image?.version) ?? previous?.version ?? "",
        checksum: known(image?.checksum) ?? previous?.checksum ?? "",
        state: image?.state ?? previous?.state ?? "UNKNOWN",
        stateDescription: image?.state_description ?? previous?.stateDescription ?? "",
        adopted,
    };
}

export function sourceName(inputs: ImageInputs): string {
    return inputs.file !== undefined ? basename(inputs.file) : displayUrl(inputs.url!);
}

/** A URL for messages: without user info and query string (either may carry a credential). */
export function displayUrl(url: string): string {
    try {
        const u = new URL(url);
        return `${u.protocol}//${u.host}${u.pathname}${u.search ? "?…" : ""}`;
    } catch {
        return "(the url input)";
    }
}

/** Deletes an image that can never become usable; a failure to delete is added to the message. */
export async function discard(ctx: Ctx, id: number): Promise<string> {
    try {
        await ctx.client.deleteImage(id);
        return `image ${id} was deleted from the device`;
    } catch (err) {
        return `deleting image ${id} from the device failed too: ${messageOf(err)}`;
    }
}

/** Size of the image file; an {@link InputError} naming the file when it cannot be read. */
export async function fileSize(file: string): Promise<number> {
    try {
        const s = await stat(file);
        if (!s.isFile()) {
            throw Object.assign(new Error("not a regular file"), { code: "EISDIR" });
        }
        return s.size;
    } catch (err) {
        throw new InputError("file", `cannot read the image file ${file}: ${(err as NodeJS.ErrnoException).code ?? messageOf(err)}`);
    }
}

/** What the reads of update, read and delete need. */
export type Reader = Pick<Ctx, "client" | "subject" | "env"> & {
    inputs: Pick<ImageInputs, "pollIntervalSeconds" | "waitTimeoutSeconds" | "rebootTimeoutSeconds">;
};

/** How long a read rides out an unreachable device: the outage allowance of the waits, within the wait budget. */
export function readBudget(reader: Reader): { maxOutageMs: number; minDelayMs: number; maxDelayMs: number } {
    const budget = new WaitBudget(reader.env.clock, reader.inputs, UPGRADE_IMAGE_DEFAULTS);
    return { maxOutageMs: budget.rebootMs, ...budget.poll };
}

export function inputsOf(props: ImageOutputs): Record<string, unknown> {
    return inputsFromState(props, OUTPUT_KEYS);
}
