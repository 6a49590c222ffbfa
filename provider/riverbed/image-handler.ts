/**
 * Provider logic of `riverbed:UpgradeImage` (runs in the provider process, loaded by the runtime).
 *
 * Create:
 * 1. **Adopt** — when the device already holds a `VALID` image with the wanted SHA-256, that image
 *    becomes this resource and nothing is transferred. The wanted checksum is `expectedSha256`, or,
 *    for a `file` source without one, the file's own SHA-256 (hashed only if the device holds any
 *    VALID image). A `url` source without `expectedSha256` is never adopted (its bits are unknown).
 * 2. **Transfer** — a `file` is streamed as the request body and hashed in the same pass (memory stays
 *    flat whatever the size; progress lines show % and MiB/s); a `url` is fetched by the device.
 * 3. **Wait** until the image is `VALID` (pending: `UPLOADING`, `VALIDATING`).
 * 4. **Verify** the checksum the device reports against `expectedSha256` and against the bytes sent.
 *
 * Success: state `VALID` and every known checksum agrees. Outputs: `version`, `checksum`, `state`,
 * `stateDescription` (id = the device's image id).
 *
 * Failure:
 * - `INVALID` / `UPLOAD_ERROR`, or a checksum mismatch → the image is deleted from the device (it can
 *   never become usable) and the error names the device, the phase and the device's
 *   `state_description`. Nothing is kept in state; the next `up` transfers again.
 * - the wait budget runs out (or the device stays unreachable) while the image is still
 *   `UPLOADING`/`VALIDATING` → partial failure: the image stays in state and the next `up` resumes
 *   the wait (`update`).
 *
 * After a successful `SystemUpdate` the device consumes the image (it is no longer listed). `read`
 * and `update` then keep the resource with state `CONSUMED` when the device runs the image's version,
 * so a refresh does not trigger a new upload. Delete removes the image (already gone is fine); before
 * deleting, the image's checksum is compared, so an id the device reused for another image is left alone.
 */

import { stat } from "node:fs/promises";
import { basename } from "node:path";
import { z } from "zod";
import {
    inputsFromState, checkWithSchema, progressLogger, ResourceNotReadyError, type CreateResult, type DiffResult, type Progress, type ResourceHandler } from "../core/dynamic";
import { InputError, VendorFailureError } from "../core/errors";
import { sha256File, type UploadProgress } from "../core/upload";
import { readThrough, waitFor, WaitError, WaitFailedError, formatDuration } from "../core/waiter";
import { known, newestEntry, RiverbedClient, type RiverbedImage } from "./client";
import { every, inPhase, messageOf, mib, PhaseError, pollBounds } from "./common";
import { connectionSchema, deviceName, resolveConnection } from "./connection";
import { sameVersion } from "./version";

/** Default wait budget for the device to validate (or fetch and validate) an image: 30 minutes. */
export const IMAGE_WAIT_TIMEOUT_SECONDS = 30 * 60;
/** Default poll floor while an image is validated: 5 s. */
export const IMAGE_POLL_INTERVAL_SECONDS = 5;
/** Longest tolerated unreachability of the device while waiting for an image: 10 minutes. */
const IMAGE_MAX_OUTAGE_MS = 10 * 60_000;
/** State reported when the device consumed the image by installing it. */
export const CONSUMED = "CONSUMED";

const sha256 = z.string().regex(/^[0-9a-fA-F]{64}$/, "must be a SHA-256: 64 hexadecimal digits");

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
        waitTimeoutSeconds: z.number().int("must be a whole number of seconds").positive("must be a positive number of seconds").max(24 * 3600, "must be at most 86400 (24 hours)").optional(),
        pollIntervalSeconds: z.number().positive("must be a positive number of seconds").max(300, "must be at most 300").optional(),
    })
    .passthrough()
    .superRefine((v, ctx) => {
        if ((v.file === undefined) === (v.url === undefined)) {
            ctx.addIssue({ code: "custom", path: ["file"], message: "give exactly one image source: file (uploaded) or url (fetched by the device)" });
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

const OUTPUT_KEYS = ["version", "checksum", "state", "stateDescription", "adopted"] as const;

interface Ctx {
    inputs: ImageInputs;
    client: RiverbedClient;
    subject: string;
    log: Progress;
}

function context(inputs: ImageInputs): Ctx {
    const connection = resolveConnection(inputs.connection);
    const client = RiverbedClient.for(connection);
    return { inputs, client, subject: deviceName(connection), log: progressLogger(inputs.__logName, (s) => client.session.redact(s)) };
}

function outputsFor(inputs: ImageInputs, image: RiverbedImage | undefined, adopted: boolean, previous?: Partial<ImageOutputs>): ImageOutputs {
    return {
        ...inputs,
        version: known(image?.version) ?? previous?.version ?? "",
        checksum: known(image?.checksum) ?? previous?.checksum ?? "",
        state: image?.state ?? previous?.state ?? "UNKNOWN",
        stateDescription: image?.state_description ?? previous?.stateDescription ?? "",
        adopted,
    };
}

function sourceName(inputs: ImageInputs): string {
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
async function discard(ctx: Ctx, id: number): Promise<string> {
    try {
        await ctx.client.deleteImage(id);
        return `image ${id} was deleted from the device`;
    } catch (err) {
        return `deleting image ${id} from the device failed too: ${messageOf(err)}`;
    }
}

/** Size of the image file; an {@link InputError} naming the file when it cannot be read. */
async function fileSize(file: string): Promise<number> {
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

/** Looks for a VALID image with the wanted checksum. */
async function findAdoptable(ctx: Ctx): Promise<{ image?: RiverbedImage; fileSha256?: string; knownIds: Set<number> }> {
    const { inputs, client, log } = ctx;
    const all = await client.listImages();
    const knownIds = new Set(all.map((i) => i.id));
    const valid = all.filter((i) => i.state === "VALID" && known(i.checksum));
    if (valid.length === 0) {
        return { knownIds };
    }
    let wanted = inputs.expectedSha256?.toLowerCase();
    let fileSha256: string | undefined;
    if (wanted === undefined && inputs.file !== undefined) {
        log(`hashing ${basename(inputs.file)} to look for a copy already on the device (set expectedSha256 to skip this)`);
        fileSha256 = wanted = await sha256File(inputs.file);
    }
    const image = wanted === undefined ? undefined : valid.find((i) => i.checksum!.toLowerCase() === wanted);
    return { image, fileSha256, knownIds };
}

/**
 * After a broken upload, the device's own account: the one image that appeared during the upload
 * (`UPLOAD_ERROR`, or still `UPLOADING` on a device slow to notice) is reported and deleted. With
 * no such image, or several (concurrent uploads), nothing is guessed or deleted.
 */
async function brokenUpload(ctx: Ctx, knownIds: Set<number>, err: unknown): Promise<PhaseError> {
    const phase = `uploading ${sourceName(ctx.inputs)}`;
    let detail = messageOf(err);
    try {
        const fresh = (await ctx.client.listImages()).filter((i) => !knownIds.has(i.id) && (i.state === "UPLOAD_ERROR" || i.state === "UPLOADING"));
        if (fresh.length === 1) {
            const image = fresh[0];
            detail = `image ${image.id} is ${image.state}: ${image.state_description} (${detail}); ${await discard(ctx, image.id)}`;
        }
    } catch {
        // The device is unreachable: the transport error is all there is to say.
    }
    return new PhaseError(ctx.subject, phase, detail, err);
}

async function transfer(ctx: Ctx, fileSha256: string | undefined, knownIds: Set<number>): Promise<{ image: RiverbedImage; sentSha256?: string }> {
    const { inputs, client, log, subject } = ctx;
    if (inputs.url !== undefined) {
        const id = await inPhase(subject, `asking the device to fetch ${displayUrl(inputs.url)}`, () => client.fetchImage(inputs.url!));
        log(`device fetching ${displayUrl(inputs.url)} as image ${id}`);
        return { image: await readBack(ctx, id, `asking the device to fetch ${displayUrl(inputs.url)}`) };
    }
    const file = inputs.file!;
    const size = await fileSize(file);
    log(`uploading ${basename(file)} (${mib(size)} MiB) to ${subject}`);
    let lastLogged = -1;
    const onProgress = (p: UploadProgress) => {
        if (p.bytesSent !== lastLogged) {
            lastLogged = p.bytesSent;
            log(`uploading ${basename(file)}: ${p.percent.toFixed(0)}% (${mib(p.bytesSent)} of ${mib(p.totalBytes)} MiB) at ${mib(p.bytesPerSecond)} MiB/s`);
        }
    };
    const up = await client.uploadImage(file, onProgress, 5_000).catch(async (err: unknown) => {
        throw await brokenUpload(ctx, knownIds, err);
    });
    log(`uploaded ${mib(up.bytes)} MiB in ${formatDuration(up.elapsedMs)} (${mib(up.elapsedMs > 0 ? (up.bytes / up.elapsedMs) * 1_000 : 0)} MiB/s) as image ${up.imageId}`);
    if (fileSha256 !== undefined && fileSha256 !== up.sha256) {
        const note = await discard(ctx, up.imageId);
        throw new PhaseError(subject, `uploading ${basename(file)}`, `the file changed while it was read (SHA-256 ${fileSha256} before, ${up.sha256} during the upload); ${note}`);
    }
    return { image: await readBack(ctx, up.imageId, `uploading ${basename(file)}`), sentSha256: up.sha256 };
}

/**
 * The image a transfer created, read by id (the transfer's reply is read for the id only). A device
 * that lists no such image right after acknowledging it is an error; once the image exists, a
 * failure to read it keeps it in state (partial failure) so the next `up` resumes instead of
 * transferring again.
 */
async function readBack(ctx: Ctx, id: number, phase: string): Promise<RiverbedImage> {
    let image: RiverbedImage | undefined;
    try {
        image = await readImage(ctx, id);
    } catch (err) {
        const outs = outputsFor(ctx.inputs, undefined, false, { stateDescription: "transferred; not read back yet" });
        throw new ResourceNotReadyError(String(id), outs, new PhaseError(ctx.subject, `reading image ${id} after ${phase}`, messageOf(err), err));
    }
    if (!image) {
        throw new PhaseError(ctx.subject, phase, `the device acknowledged the transfer as image ${id}, but GET images/items/${id} answers 404`);
    }
    return image;
}

/** `GET images/items/{id}`, riding out a reboot or a burst of 5xx as waits do (see {@link readBudget}). */
function readImage(ctx: Reader, id: number): Promise<RiverbedImage | undefined> {
    return readThrough({
        what: `${ctx.subject} image ${id}`,
        read: () => ctx.client.getImage(id),
        ...readBudget(ctx),
    });
}

/** Waits for VALID; failure states delete the image and throw; timeouts become a partial failure. */
async function waitValid(ctx: Ctx, image: RiverbedImage, adopted: boolean): Promise<RiverbedImage> {
    const { inputs, client, log, subject } = ctx;
    if (image.state === "VALID") {
        return image;
    }
    const phase = inputs.url !== undefined ? `fetching and validating image ${image.id}` : `validating image ${image.id}`;
    const heartbeat = every(30_000);
    try {
        const done = await waitFor<RiverbedImage>({
            what: `${subject} image ${image.id} (${sourceName(inputs)})`,
            refresh: async () => {
                const current = await client.getImage(image.id);
                if (!current) {
                    return { state: "MISSING", detail: "the image is no longer on the device" };
                }
                return { state: current.state, object: current, progressPercent: current.state === "UPLOADING" ? current.progress : undefined, detail: current.state_description };
            },
            target: ["VALID"],
            pending: ["UPLOADING", "VALIDATING"],
            failure: ["INVALID", "UPLOAD_ERROR", "MISSING"],
            timeoutMs: (inputs.waitTimeoutSeconds ?? IMAGE_WAIT_TIMEOUT_SECONDS) * 1_000,
            ...pollBounds(inputs.pollIntervalSeconds ?? IMAGE_POLL_INTERVAL_SECONDS),
            transient: { maxOutageMs: IMAGE_MAX_OUTAGE_MS },
            onProgress: (e) => {
                if (e.kind === "state") {
                    log(`image ${image.id}: ${e.observation.state}${e.observation.detail ? ` (${e.observation.detail})` : ""}`);
                } else if (e.kind === "poll" && heartbeat()) {
                    const pct = e.observation.progressPercent !== undefined ? ` ${e.observation.progressPercent.toFixed(1)}%` : "";
                    log(`image ${image.id}: still ${e.observation.state}${pct} after ${formatDuration(e.elapsedMs)}`);
                } else if (e.kind === "transient" && e.consecutive === 1) {
                    log(`device unreachable (${messageOf(e.error)}); still waiting`);
                } else if (e.kind === "recovered") {
                    log(`device reachable again after ${formatDuration(e.outageMs)}`);
                }
            },
        });
        return done.object!;
    } catch (err) {
        if (err instanceof WaitFailedError) {
            const last = err.lastObservation!;
            const note = last.state === "MISSING" ? "" : `; ${await discard(ctx, image.id)}`;
            throw new VendorFailureError(subject, phase, last.state, `${last.detail ?? ""}${note}`);
        }
        const last = (err as { lastObservation?: { object?: RiverbedImage } }).lastObservation?.object ?? image;
        const cause = err instanceof WaitError ? err : new PhaseError(subject, phase, messageOf(err), err);
        throw new ResourceNotReadyError(String(image.id), outputsFor(inputs, last, adopted), cause);
    }
}

/** Checks the device's checksum against what we expect and what we sent. */
async function verify(ctx: Ctx, image: RiverbedImage, sentSha256: string | undefined, deleteOnMismatch: boolean): Promise<void> {
    const deviceSum = known(image.checksum)?.toLowerCase();
    const expected = ctx.inputs.expectedSha256?.toLowerCase();
    const problems: string[] = [];
    if (expected !== undefined && deviceSum !== expected) {
        problems.push(`the device reports SHA-256 ${deviceSum ?? "(none)"} but expectedSha256 is ${expected}`);
    }
    if (sentSha256 !== undefined && deviceSum !== undefined && deviceSum !== sentSha256) {
        problems.push(`the device reports SHA-256 ${deviceSum} but the bytes sent hash to ${sentSha256} (corrupted in transit)`);
    }
    if (problems.length > 0) {
        const note = deleteOnMismatch ? `; ${await discard(ctx, image.id)}` : "";
        throw new PhaseError(ctx.subject, `verifying image ${image.id}`, `${problems.join("; ")}${note}`);
    }
}

async function create(inputs: ImageInputs): Promise<CreateResult<ImageOutputs>> {
    const ctx = context(inputs);
    const { log, subject } = ctx;
    if (inputs.file !== undefined) {
        await fileSize(inputs.file); // fail early, before any call, when the file is missing
    }
    const { image: existing, fileSha256, knownIds } = await inPhase(subject, "looking for an existing copy of the image", () => findAdoptable(ctx));
    if (existing) {
        log(`image ${existing.id} on the device is VALID with the same SHA-256 (${existing.version}): adopting it instead of uploading`);
        await verify(ctx, existing, undefined, false);
        return { id: String(existing.id), outs: outputsFor(inputs, existing, true) };
    }
    const { image: started, sentSha256 } = await transfer(ctx, fileSha256, knownIds);
    const image = await waitValid(ctx, started, false);
    await verify(ctx, image, sentSha256, true);
    log(`image ${image.id} is VALID: version ${known(image.version) ?? "?"}, SHA-256 ${known(image.checksum) ?? "?"}`);
    return { id: String(image.id), outs: outputsFor(inputs, image, false) };
}

/** True when the device runs the version this image carried (the device consumed it by installing it). */
async function installedFrom(reader: Reader, version: string | undefined): Promise<boolean> {
    if (!version) {
        return false;
    }
    const update = await readThrough({
        what: `${reader.subject} update object`,
        read: () => reader.client.getUpdate(),
        ...readBudget(reader),
    });
    return sameVersion(newestEntry(update)?.version, version);
}

/** What the reads of update, read and delete need. */
type Reader = Pick<Ctx, "client" | "subject"> & { inputs: Pick<ImageInputs, "pollIntervalSeconds" | "waitTimeoutSeconds"> };

/** How long a read rides out an unreachable device: the outage budget of the waits, within the wait budget. */
function readBudget(reader: Reader): { maxOutageMs: number; minDelayMs: number; maxDelayMs: number } {
    const waitMs = (reader.inputs.waitTimeoutSeconds ?? IMAGE_WAIT_TIMEOUT_SECONDS) * 1_000;
    return { maxOutageMs: Math.min(IMAGE_MAX_OUTAGE_MS, waitMs), ...pollBounds(reader.inputs.pollIntervalSeconds ?? IMAGE_POLL_INTERVAL_SECONDS) };
}

/**
 * The image behind `id` if it is still the one this resource created (same checksum); `other` is set
 * when the device now uses the id for different bits.
 */
async function sameImage(reader: Reader, id: string, props: Partial<ImageOutputs>): Promise<{ image?: RiverbedImage; other?: RiverbedImage }> {
    const image = await readImage(reader, Number(id));
    if (image && props.checksum && known(image.checksum) && image.checksum!.toLowerCase() !== props.checksum.toLowerCase()) {
        return { other: image };
    }
    return { image };
}

function inputsOf(props: ImageOutputs): Record<string, unknown> {
    return inputsFromState(props, OUTPUT_KEYS);
}

/** Handler of `riverbed:UpgradeImage`. */
export const upgradeImageHandler: ResourceHandler<ImageInputs, ImageOutputs> = {
    async check(_olds, news) {
        return checkWithSchema(imageInputsSchema, news);
    },

    async diff(_id, olds, news): Promise<DiffResult> {
        const replaces: string[] = [];
        for (const key of ["file", "url"] as const) {
            if ((olds[key] ?? "") !== (news[key] ?? "")) {
                replaces.push(key);
            }
        }
        const oldSum = olds.expectedSha256?.toLowerCase() ?? "";
        const newSum = news.expectedSha256?.toLowerCase() ?? "";
        // Pinning the checksum the device already reports is a verification, not new bits.
        if (oldSum !== newSum && !(newSum !== "" && newSum === olds.checksum?.toLowerCase())) {
            replaces.push("expectedSha256");
        }
        if ((olds.connection?.endpoint ?? "") !== (news.connection?.endpoint ?? "")) {
            replaces.push("connection");
        }
        // Create-before-delete (the engine default): if the new image fails, the old one and the stack
        // stay as they were. The device initializes from its only VALID image; SystemUpdate deletes
        // the older one before `init` (deleteOtherImages), and this resource's delete then finds it
        // gone. A device without room for two images: set the `deleteBeforeReplace` resource option.
        // `changes` is left unset so the engine shows a per-property diff.
        return { replaces };
    },

    async create(raw) {
        return create(imageInputsSchema.parse(raw));
    },

    /** Only wait settings, credentials and the log name change in place: resume a pending wait and re-verify. */
    async update(id, olds, raw) {
        const inputs = imageInputsSchema.parse(raw);
        const ctx = context(inputs);
        const { image } = await inPhase(ctx.subject, `reading image ${id}`, () => sameImage(ctx, id, olds));
        if (!image) {
            if (await inPhase(ctx.subject, "reading the installed version", () => installedFrom(ctx, olds.version))) {
                return { outs: outputsFor(inputs, undefined, olds.adopted, { ...olds, state: CONSUMED, stateDescription: `installed by the device (runs ${olds.version})` }) };
            }
            throw new PhaseError(
                ctx.subject,
                `reading image ${id}`,
                "the image is no longer on the device; run `pulumi refresh` to forget it, then `pulumi up` transfers it again",
            );
        }
        if (image.state !== "VALID") {
            ctx.log(`image ${id} is ${image.state}: resuming the wait`);
        }
        const valid = await waitValid(ctx, image, olds.adopted);
        await verify(ctx, valid, undefined, false);
        return { outs: outputsFor(inputs, valid, olds.adopted) };
    },

    async read(id, props) {
        const connection = resolveConnection(props.connection);
        const client = RiverbedClient.for(connection);
        const subject = deviceName(connection);
        const reader: Reader = { client, subject, inputs: props };
        const { image } = await inPhase(subject, `reading image ${id}`, () => sameImage(reader, id, props));
        if (!image) {
            if (props.state === CONSUMED || (await inPhase(subject, "reading the installed version", () => installedFrom(reader, props.version)))) {
                const outs = { ...props, state: CONSUMED, stateDescription: `installed by the device (runs ${props.version})` };
                return { id, props: outs, inputs: inputsOf(outs) };
            }
            return { id: "", props }; // gone: the engine drops it from state
        }
        const outs = outputsFor(inputsOf(props) as ImageInputs, image, props.adopted, props);
        return { id, props: outs, inputs: inputsOf(outs) };
    },

    async delete(id, props) {
        const connection = resolveConnection(props.connection);
        const client = RiverbedClient.for(connection);
        const log = progressLogger(props.__logName, (s) => client.session.redact(s));
        const subject = deviceName(connection);
        const reader: Reader = { client, subject, inputs: props };
        await inPhase(subject, `deleting image ${id}`, async () => {
            const { image, other } = await sameImage(reader, id, props);
            if (other) {
                log(`image ${id} on ${subject} now holds other bits (SHA-256 ${other.checksum}, not ${props.checksum}): left alone`);
                return;
            }
            if (!image) {
                const consumed = props.state === CONSUMED || (await installedFrom(reader, props.version).catch(() => false));
                log(`image ${id} is no longer on ${subject}${consumed ? " (the device consumed it when installing it)" : ""}: nothing to delete`);
                return;
            }
            await client.deleteImage(Number(id));
            log(`deleted image ${id} (${known(image.version) ?? props.version ?? "unknown version"}) from ${subject}`);
        });
    },
};
