/**
 * Provider logic of `avi:ControllerImage`: a controller package uploaded to the controller
 * (`POST /api/image`, multipart field `file`, streamed and hashed in the same pass) and processed.
 *
 * Create:
 * 1. Read the package's `bootstrap/VERSION` (first two tar blocks) for its build tag; `version`, when
 *    given, is the tag or release the image must carry.
 * 2. **Adopt** an image already on the controller whose `controller_info.build.tag` (or name) is that
 *    tag, provided the local file has the `expectedSha256` (when given): COMPLETED is used as is,
 *    STARTED/IN_PROGRESS is waited for; a FAILED one is uploaded again.
 * 3. Otherwise upload. The image is the uuid in the answer; when the answer has none ([unknown]
 *    shape), the image that appeared in the list since before the upload, else the one with the tag.
 *    A SHA-256 other than `expectedSha256` deletes the uploaded image and fails.
 * 4. Wait for `IMAGE_FSM_COMPLETED`.
 *
 * Success, exactly: the image is IMAGE_FSM_COMPLETED and, when a tag is known, carries it.
 * Failure: IMAGE_FSM_FAILED (error with the controller's `img_state.reason`), a tag or checksum
 * mismatch, or the deadline `waitTimeoutSeconds` (upload included) running out — then the image
 * stays in state (ResourceNotReadyError) and the next `up` resumes the wait.
 *
 * Read: the image as the controller reports it (gone → dropped from state; unreachable → last known
 * state kept). Delete forgets the image and leaves it on the controller (Avi keeps images for
 * rollback, and it may be the running version's image).
 */

import { z } from "zod";
import { waitBudgetFields, WaitBudget } from "../core/budget";
import { endpointChanged } from "../core/connection";
import { checkWithSchema, inputsFromState, ResourceNotReadyError, type HandlerFactory, type ResourceHandler } from "../core/dynamic";
import type { HandlerEnv } from "../core/env";
import { VendorFailureError } from "../core/errors";
import { inPhase, phaseFailure } from "../core/phase";
import { progressLogger, waitProgress, type Progress } from "../core/progress";
import { readThroughOutage } from "../core/read";
import { sha256File } from "../core/upload";
import { formatDuration, waitFor } from "../core/waiter";
import { AviClient, type AviImage } from "./client";
import { connectionSchema, controllerName, resolveConnection } from "./connection";
import { readPackageInfo } from "./versions";

/** Defaults of the wait budget, in seconds: one hour for upload and processing. */
export const IMAGE_DEFAULTS = { waitTimeoutSeconds: 3600, pollIntervalSeconds: 5, rebootTimeoutSeconds: 900 } as const;

/** Input schema of `avi:ControllerImage`. */
export const imageInputsSchema = z
    .object({
        __logName: z.string().optional(),
        connection: connectionSchema.optional(),
        file: z.string().min(1, "must be the path of a controller package, e.g. controller.pkg"),
        expectedSha256: z
            .string()
            .regex(/^[0-9a-fA-F]{64}$/, "must be 64 hex digits (sha256sum <file>)")
            .optional(),
        version: z
            .string()
            .regex(/^\d+\.\d+\.\d+(-\S+)?$/, "must be a release such as 22.1.7 or a build tag such as 22.1.7-9093-20231004.120000")
            .optional(),
        ...waitBudgetFields,
    })
    .passthrough();

export type ImageInputs = z.infer<typeof imageInputsSchema>;

/** Outputs (state) of `avi:ControllerImage`. */
export interface ImageOutputs extends ImageInputs {
    /** `image-<uuid>`, the resource id. */
    uuid: string;
    /** The image's API URL, for `image_ref`. */
    ref: string;
    name: string;
    /** Release, e.g. `22.1.7`. */
    imageVersion: string;
    /** Build tag, e.g. `22.1.7-9093-20231004.120000` (what UpgradeStatusInfo `version` reports after the upgrade). */
    tag: string;
    buildNo: number;
    /** `IMAGE_TYPE_SYSTEM` or `IMAGE_TYPE_PATCH`. */
    type: string;
    /** `IMAGE_FSM_COMPLETED` after success. */
    state: string;
    /** SHA-256 of the local package. */
    sha256: string;
    adopted: boolean;
}

type ImageFacts = ImageInputs & { uuid: string; sha256: string; adopted: boolean };

const OUTPUT_KEYS = ["uuid", "ref", "name", "imageVersion", "tag", "buildNo", "type", "state", "sha256", "adopted"] as const;

/** The handler of `avi:ControllerImage` for an environment (clock, shared clients, locks). */
export const controllerImageHandler: HandlerFactory = (env: HandlerEnv): ResourceHandler<ImageInputs, ImageOutputs> => {
    async function settle(
        client: AviClient,
        subject: string,
        budget: WaitBudget,
        facts: ImageFacts,
        log: Progress,
        startedHere = false,
    ): Promise<ImageOutputs> {
        let last: AviImage | undefined;
        // `progress` moves only at state changes: earlier controllers' processing of the same package
        // tells when to look (learned-durations.ts); only for an upload of this call (another's start is unknown).
        const learned = !startedHere
            ? undefined
            : { durations: env.durations, key: `avi:ControllerImage ${facts.sha256}`, startedAt: env.clock.now() };
        try {
            const result = await waitFor<AviImage>({
                what: `${subject} image ${facts.uuid}`,
                refresh: async () => {
                    last = await client.getImage(facts.uuid);
                    if (last === undefined) return { state: "GONE", detail: "the image disappeared from the controller" };
                    return {
                        state: last.img_state?.state ?? "IMAGE_FSM_STARTED",
                        object: last,
                        progressPercent: last.progress,
                        detail: last.img_state?.reason,
                    };
                },
                target: ["IMAGE_FSM_COMPLETED"],
                pending: ["IMAGE_FSM_STARTED", "IMAGE_FSM_IN_PROGRESS"],
                failure: ["IMAGE_FSM_FAILED", "GONE"],
                ...budget.waitOptions(),
                learned,
                onProgress: waitProgress(log, `image ${facts.uuid}`, { clock: env.clock, outageBudgetMs: budget.rebootMs }),
            });
            return outputsOf(facts, result.object!);
        } catch (err) {
            const failure = phaseFailure(subject, `processing image ${facts.uuid}`, err);
            if (failure instanceof VendorFailureError) throw failure; // FAILED: the image is unusable, keep nothing
            throw new ResourceNotReadyError(facts.uuid, last ? outputsOf(facts, last) : { ...facts, state: "UNKNOWN" }, failure);
        }
    }

    async function create(inputs: ImageInputs): Promise<ImageOutputs> {
        const budget = new WaitBudget(env.clock, inputs, IMAGE_DEFAULTS);
        const connection = resolveConnection(inputs.connection);
        const subject = controllerName(connection);
        const client = AviClient.for(connection, env);
        const log = progressLogger(inputs.__logName, (s) => client.session.redact(s));
        const expected = inputs.expectedSha256?.toLowerCase();
        const pkg = await inPhase(subject, "reading the package", () => readPackageInfo(inputs.file));
        const wanted = inputs.version ?? pkg?.tag;
        if (inputs.version !== undefined && pkg?.tag !== undefined && !matchesVersion(pkg.tag, inputs.version)) {
            throw new VendorFailureError(
                subject,
                "checking the package",
                "VERSION_MISMATCH",
                `${inputs.file} is ${pkg.tag}, not ${inputs.version}`,
            );
        }
        return env.locks.run(`avi|${connection.endpoint}|image|${wanted ?? inputs.file}`, async () => {
            const before = await inPhase(subject, "listing images", () => client.listImages());
            const existing =
                wanted === undefined
                    ? undefined
                    : before.find((i) => matchesVersion(tagOf(i) ?? i.name ?? "", wanted) && i.img_state?.state !== "IMAGE_FSM_FAILED");
            if (existing !== undefined) {
                const sha256 = await inPhase(subject, "hashing the package", () => sha256File(inputs.file));
                if (expected === undefined || sha256 === expected) {
                    log(
                        `adopting image ${existing.uuid} (${tagOf(existing) ?? existing.name}, ${existing.img_state?.state ?? "?"}) already on the controller`,
                    );
                    return settle(client, subject, budget, { ...inputs, uuid: existing.uuid, sha256, adopted: true }, log);
                }
                log(
                    `image ${existing.uuid} carries the same tag, but the local package's SHA-256 ${sha256} is not the expected ${expected}`,
                );
                throw new VendorFailureError(
                    subject,
                    "checking the package",
                    "CHECKSUM_MISMATCH",
                    `${inputs.file} has SHA-256 ${sha256}, expected ${expected}`,
                );
            }
            log(`uploading ${inputs.file}${pkg?.tag ? ` (${pkg.tag})` : ""}`);
            const upload = await inPhase(subject, "uploading the image", () =>
                client.uploadImage(inputs.file, (p) =>
                    log(`uploaded ${mib(p.bytesSent)} of ${mib(p.totalBytes)} MiB (${mib(p.bytesPerSecond)} MiB/s)`),
                ),
            );
            const rate = upload.elapsedMs > 0 ? ` (${mib((upload.bytes / upload.elapsedMs) * 1000)} MiB/s)` : "";
            log(`uploaded ${mib(upload.bytes)} MiB in ${formatDuration(upload.elapsedMs)}${rate}, SHA-256 ${upload.sha256.slice(0, 12)}…`);
            const uuid =
                upload.image?.uuid ?? (await inPhase(subject, "finding the uploaded image", () => findUploaded(client, before, wanted)));
            if (expected !== undefined && upload.sha256 !== expected) {
                await client.deleteImage(uuid).catch(() => undefined);
                throw new VendorFailureError(
                    subject,
                    "uploading the image",
                    "CHECKSUM_MISMATCH",
                    `${inputs.file} has SHA-256 ${upload.sha256}, expected ${expected}; the uploaded image was deleted`,
                );
            }
            const outs = await settle(client, subject, budget, { ...inputs, uuid, sha256: upload.sha256, adopted: false }, log, true);
            if (wanted !== undefined && !matchesVersion(outs.tag || outs.name, wanted)) {
                throw new VendorFailureError(
                    subject,
                    "checking the image",
                    outs.state,
                    `image ${uuid} is ${outs.tag || outs.name}, expected ${wanted}`,
                );
            }
            log(`image ${uuid} is ${outs.state}: ${outs.tag || outs.name} (${outs.type})`);
            return outs;
        });
    }

    return {
        async check(_olds, news) {
            return checkWithSchema(imageInputsSchema, news);
        },

        async diff(_id, olds, news) {
            const replaces = ["file", "version", "expectedSha256"].filter(
                (k) => (olds as Record<string, unknown>)[k] !== (news as Record<string, unknown>)[k],
            );
            if (endpointChanged(olds, news)) replaces.push("connection");
            return { replaces };
        },

        async create(raw) {
            const outs = await create(imageInputsSchema.parse(raw));
            return { id: outs.uuid, outs };
        },

        async update(id, olds, raw) {
            const inputs = imageInputsSchema.parse(raw);
            if (olds.state === "IMAGE_FSM_COMPLETED") return { outs: { ...olds, ...inputs } };
            const connection = resolveConnection(inputs.connection);
            const client = AviClient.for(connection, env);
            const log = progressLogger(inputs.__logName, (s) => client.session.redact(s));
            const budget = new WaitBudget(env.clock, inputs, IMAGE_DEFAULTS);
            return { outs: await settle(client, controllerName(connection), budget, { ...olds, ...inputs, uuid: id }, log) };
        },

        async read(id, props) {
            const connection = resolveConnection(props.connection);
            const client = AviClient.for(connection, env);
            const log = progressLogger(props.__logName, (s) => client.session.redact(s));
            const maxOutageMs = (props.rebootTimeoutSeconds ?? IMAGE_DEFAULTS.rebootTimeoutSeconds) * 1000;
            const read = await readThroughOutage(env, { what: `${controllerName(connection)} image ${id}`, log, maxOutageMs }, () =>
                client.getImage(id),
            );
            if (!read.reachable) return { id, props, inputs: inputsFromState(props, OUTPUT_KEYS) };
            if (!read.value) return { id: "", props };
            const outs = outputsOf(props, read.value);
            return { id, props: outs, inputs: inputsFromState(outs, OUTPUT_KEYS) };
        },

        async delete(id, props) {
            progressLogger(props.__logName)(`forgetting image ${id}; it stays on the controller`);
        },
    };
};

/** The build tag an image reports. */
function tagOf(image: AviImage): string | undefined {
    return image.controller_info?.build?.tag ?? image.se_info?.build?.tag;
}

/** `22.1.7-9093-…` matches `22.1.7-9093-…` exactly, and the release `22.1.7`. */
export function matchesVersion(tagOrName: string, wanted: string): boolean {
    return tagOrName === wanted || (!wanted.includes("-") && tagOrName.startsWith(`${wanted}-`));
}

function mib(bytes: number): string {
    return (bytes / 2 ** 20).toFixed(1);
}

async function findUploaded(client: AviClient, before: AviImage[], wanted: string | undefined): Promise<string> {
    const after = await client.listImages();
    const fresh = after.filter((i) => !before.some((b) => b.uuid === i.uuid));
    if (fresh.length === 1) return fresh[0]!.uuid;
    const byTag = wanted === undefined ? [] : after.filter((i) => matchesVersion(tagOf(i) ?? i.name ?? "", wanted));
    if (byTag.length === 1) return byTag[0]!.uuid;
    throw new Error(
        `the upload answer carried no image uuid and ${fresh.length} new images appeared (${fresh.map((i) => i.name ?? i.uuid).join(", ") || "none"}); cannot tell which one is ours`,
    );
}

function outputsOf(facts: ImageFacts, image: AviImage): ImageOutputs {
    const build = image.controller_info?.build ?? image.se_info?.build;
    return {
        ...facts,
        uuid: image.uuid,
        ref: image.url ?? "",
        name: image.name ?? "",
        imageVersion: build?.version ?? "",
        tag: build?.tag ?? "",
        buildNo: build?.build_no ?? 0,
        type: image.type ?? "",
        state: image.img_state?.state ?? "",
    };
}
