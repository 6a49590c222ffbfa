/**
 * Provider logic of `avi:ControllerImage`: a controller package uploaded to the controller
 * (`POST /api/image`, multipart field `file`, streamed and hashed in the same pass) and processed.
 *
 * Create:
 * 1. Read the package's `bootstrap/VERSION` (first two tar blocks) for its build tag; `version`, when
 *    given, is the tag or release the image must carry.
 * 2. **Adopt** an image already on the controller whose `controller_info.build.tag` (or name) is that
 *    tag: COMPLETED is used as is, STARTED/IN_PROGRESS is waited for, FAILED is uploaded again.
 * 3. Otherwise upload. The image is the uuid in the answer; when the answer has none ([unknown]
 *    shape), the image that appeared in the list since before the upload, else the one with the tag.
 * 4. Wait for `IMAGE_FSM_COMPLETED`.
 *
 * Success, exactly: the image is IMAGE_FSM_COMPLETED and, when a tag is known, carries it.
 * Failure: IMAGE_FSM_FAILED (error with the controller's `img_state.reason`), a tag mismatch, or the
 * budget `waitTimeoutSeconds` running out — then the image stays in state (ResourceNotReadyError) and
 * the next `up` resumes the wait.
 *
 * Delete forgets the image and leaves it on the controller (it may be the running version's image;
 * Avi keeps images for rollback).
 */

import { z } from "zod";
import { checkWithSchema, inputsFromState, progressLogger, ResourceNotReadyError, type DiffResult, type ResourceHandler } from "../core/dynamic";
import { VendorFailureError } from "../core/errors";
import { sha256File } from "../core/upload";
import { formatDuration, systemClock, waitFor, WaitFailedError, WaitTimeoutError, type Clock } from "../core/waiter";
import { AviClient, type AviImage } from "./client";
import { pollBounds, inPhase } from "./common";
import { connectionSchema, controllerName, resolveConnection } from "./connection";
import { readPackageInfo } from "./package-info";

/** Default budget of processing after the upload: 60 minutes. */
export const IMAGE_WAIT_TIMEOUT_SECONDS = 3600;
/** Default poll floor: 5 s. */
export const IMAGE_POLL_INTERVAL_SECONDS = 5;

/** Input schema of `avi:ControllerImage`. */
export const imageInputsSchema = z
    .object({
        __logName: z.string().optional(),
        connection: connectionSchema.optional(),
        file: z.string().min(1, "must be the path of a controller package, e.g. controller.pkg"),
        version: z.string().regex(/^\d+\.\d+\.\d+(-\S+)?$/, "must be a release such as 22.1.7 or a build tag such as 22.1.7-9093-20231004.120000").optional(),
        waitTimeoutSeconds: z.number().int("must be a whole number of seconds").positive("must be a positive number of seconds").max(86_400, "must be at most 86400 (24 hours)").optional(),
        pollIntervalSeconds: z.number().positive("must be a positive number of seconds").max(300, "must be at most 300").optional(),
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

const OUTPUT_KEYS = ["uuid", "ref", "name", "imageVersion", "tag", "buildNo", "type", "state", "sha256", "adopted"] as const;

/** Dependencies, injectable for tests. */
export interface ImageHandlerDeps {
    clock?: Clock;
}

/** Builds the handler (tests inject a clock). */
export function createImageHandler(deps: ImageHandlerDeps = {}): ResourceHandler<ImageInputs, ImageOutputs> {
    const clock = deps.clock ?? systemClock;

    async function settle(client: AviClient, subject: string, uuid: string, inputs: ImageInputs, log: (s: string) => void, partial: ImageInputs & { sha256: string; adopted: boolean }): Promise<ImageOutputs> {
        const timeoutMs = (inputs.waitTimeoutSeconds ?? IMAGE_WAIT_TIMEOUT_SECONDS) * 1000;
        try {
            const result = await waitFor<AviImage>({
                what: `${subject} image ${uuid}`,
                refresh: async () => {
                    const image = await client.getImage(uuid);
                    if (image === undefined) return { state: "GONE" };
                    return { state: image.img_state?.state ?? "IMAGE_FSM_STARTED", object: image, progressPercent: image.progress };
                },
                target: ["IMAGE_FSM_COMPLETED"],
                pending: ["IMAGE_FSM_STARTED", "IMAGE_FSM_IN_PROGRESS"],
                failure: ["IMAGE_FSM_FAILED", "GONE"],
                timeoutMs,
                ...pollBounds(inputs.pollIntervalSeconds ?? IMAGE_POLL_INTERVAL_SECONDS),
                transient: { maxOutageMs: timeoutMs },
                clock,
                onProgress: (e) => {
                    if (e.kind === "state") log(`image ${uuid}: ${e.observation.state}`);
                },
            });
            return outputsOf(partial, result.object!);
        } catch (err) {
            if (err instanceof WaitFailedError) {
                const image = err.lastObservation?.object as AviImage | undefined;
                throw new VendorFailureError(subject, `processing image ${uuid}`, err.lastState ?? "?", image?.img_state?.reason ?? (err.lastState === "GONE" ? "the image disappeared from the controller" : undefined));
            }
            if (err instanceof WaitTimeoutError) {
                throw new ResourceNotReadyError(uuid, { ...partial, state: err.lastState ?? "IMAGE_FSM_STARTED" }, err);
            }
            throw err;
        }
    }

    return {
        async check(_olds, news) {
            return checkWithSchema(imageInputsSchema, news);
        },

        async diff(_id, olds, news): Promise<DiffResult> {
            const replaces = ["file", "version"].filter((k) => (olds as Record<string, unknown>)[k] !== (news as Record<string, unknown>)[k]);
            if (olds.connection?.endpoint !== news.connection?.endpoint) replaces.push("connection.endpoint");
            const changed = replaces.length > 0 || olds.waitTimeoutSeconds !== news.waitTimeoutSeconds || olds.pollIntervalSeconds !== news.pollIntervalSeconds || olds.state !== "IMAGE_FSM_COMPLETED";
            return { changes: changed, replaces, deleteBeforeReplace: false };
        },

        async create(raw) {
            const inputs = imageInputsSchema.parse(raw);
            const connection = resolveConnection(inputs.connection);
            const subject = controllerName(connection);
            const client = AviClient.for(connection);
            const log = progressLogger(inputs.__logName, (s) => client.session.redact(s));
            const pkg = await inPhase(subject, "reading the package", () => readPackageInfo(inputs.file));
            const wanted = inputs.version ?? pkg?.tag;
            if (inputs.version !== undefined && pkg?.tag !== undefined && !matchesVersion(pkg.tag, inputs.version)) {
                throw new VendorFailureError(subject, "checking the package", "VERSION_MISMATCH", `${inputs.file} is ${pkg.tag}, not ${inputs.version}`);
            }
            const before = await inPhase(subject, "listing images", () => client.listImages());
            const existing = wanted === undefined ? undefined : before.find((i) => matchesVersion(tagOf(i) ?? i.name ?? "", wanted) && i.img_state?.state !== "IMAGE_FSM_FAILED");
            let uuid: string;
            let sha256: string;
            let adopted = false;
            if (existing !== undefined) {
                log(`adopting image ${existing.uuid} (${tagOf(existing) ?? existing.name}, ${existing.img_state?.state ?? "?"}) already on the controller`);
                uuid = existing.uuid;
                sha256 = await sha256File(inputs.file);
                adopted = true;
            } else {
                log(`uploading ${inputs.file}${pkg?.tag ? ` (${pkg.tag})` : ""}`);
                const upload = await inPhase(subject, "uploading the image", () =>
                    client.uploadImage(inputs.file, (p) => log(`uploaded ${(p.bytesSent / 2 ** 20).toFixed(1)} MiB of ${(p.totalBytes / 2 ** 20).toFixed(1)} MiB`)),
                );
                sha256 = upload.sha256;
                const mibps = upload.elapsedMs > 0 ? ((upload.bytes / 2 ** 20) / (upload.elapsedMs / 1000)).toFixed(1) : "∞";
                log(`uploaded ${(upload.bytes / 2 ** 20).toFixed(1)} MiB in ${formatDuration(upload.elapsedMs)} (${mibps} MiB/s), SHA-256 ${sha256.slice(0, 12)}…`);
                uuid = upload.image?.uuid ?? (await inPhase(subject, "finding the uploaded image", () => findUploaded(client, before, wanted)));
            }
            const partial = { ...inputs, uuid, ref: "", name: "", imageVersion: "", tag: "", buildNo: 0, type: "", sha256, adopted };
            const outs = await settle(client, subject, uuid, inputs, log, partial);
            if (wanted !== undefined && !matchesVersion(outs.tag || outs.name, wanted)) {
                throw new VendorFailureError(subject, "checking the image", outs.state, `image ${uuid} is ${outs.tag || outs.name}, expected ${wanted}`);
            }
            log(`image ${uuid} is ${outs.state}: ${outs.tag || outs.name} (${outs.type})`);
            return { id: uuid, outs };
        },

        async read(id, props) {
            const client = AviClient.for(resolveConnection(props.connection));
            const image = await client.getImage(id);
            if (image === undefined) return { id: "", props };
            const outs = outputsOf(props, image);
            return { id, props: outs, inputs: inputsFromState(outs, OUTPUT_KEYS) };
        },

        async update(id, olds, news) {
            const inputs = imageInputsSchema.parse(news);
            if (olds.state === "IMAGE_FSM_COMPLETED") return { outs: { ...olds, ...inputs } };
            const connection = resolveConnection(inputs.connection);
            const client = AviClient.for(connection);
            const log = progressLogger(inputs.__logName, (s) => client.session.redact(s));
            return { outs: await settle(client, controllerName(connection), id, inputs, log, { ...olds, ...inputs }) };
        },

        async delete(id, props) {
            progressLogger(props.__logName)(`forgetting image ${id}; it stays on the controller`);
        },
    };
}

/** The build tag an image reports. */
function tagOf(image: AviImage): string | undefined {
    return image.controller_info?.build?.tag ?? image.se_info?.build?.tag;
}

/** `22.1.7-9093-…` matches `22.1.7-9093-…` exactly, and the release `22.1.7`. */
export function matchesVersion(tagOrName: string, wanted: string): boolean {
    return tagOrName === wanted || (!wanted.includes("-") && tagOrName.startsWith(`${wanted}-`));
}

async function findUploaded(client: AviClient, before: AviImage[], wanted: string | undefined): Promise<string> {
    const after = await client.listImages();
    const fresh = after.filter((i) => !before.some((b) => b.uuid === i.uuid));
    if (fresh.length === 1) return fresh[0]!.uuid;
    const byTag = wanted === undefined ? [] : after.filter((i) => matchesVersion(tagOf(i) ?? i.name ?? "", wanted));
    if (byTag.length === 1) return byTag[0]!.uuid;
    throw new Error(`the upload answer carried no image uuid and ${fresh.length} new images appeared (${fresh.map((i) => i.name ?? i.uuid).join(", ") || "none"}); cannot tell which one is ours`);
}

function outputsOf(base: ImageInputs & { sha256: string; adopted: boolean }, image: AviImage): ImageOutputs {
    const build = image.controller_info?.build ?? image.se_info?.build;
    return {
        ...base,
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

/** The handler the runtime uses. */
export const controllerImageHandler = createImageHandler();
