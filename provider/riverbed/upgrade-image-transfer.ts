/**
 * Getting the bits onto the device for `riverbed:UpgradeImage`: adopting an identical VALID image,
 * streaming a file (hashed in the same pass) or having the device fetch a URL, reading the new image
 * back, and the reads that ride out a reboot.
 */

import { basename } from "node:path";
import { ResourceNotReadyError } from "../core/dynamic";
import { inPhase, messageOf, PhaseError } from "../core/phase";
import { mib } from "../core/progress";
import { sha256File, type UploadProgress } from "../core/upload";
import { readThrough } from "../core/read";
import { formatDuration } from "../core/waiter";
import { known, newestEntry, type RiverbedImage } from "./client";
import { sameVersion } from "./versions";
import {
    type Ctx,
    type ImageOutputs,
    type Reader,
    discard,
    displayUrl,
    fileSize,
    outputsFor,
    readBudget,
    sourceName,
} from "./upgrade-image-run";

/** Looks for a VALID image with the wanted checksum. */
export async function findAdoptable(ctx: Ctx): Promise<{ image?: RiverbedImage; fileSha256?: string; knownIds: Set<number> }> {
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
export async function brokenUpload(ctx: Ctx, knownIds: Set<number>, err: unknown): Promise<PhaseError> {
    const phase = `uploading ${sourceName(ctx.inputs)}`;
    let detail = messageOf(err);
    try {
        const fresh = (await ctx.client.listImages()).filter(
            (i) => !knownIds.has(i.id) && (i.state === "UPLOAD_ERROR" || i.state === "UPLOADING"),
        );
        if (fresh.length === 1) {
            const image = fresh[0];
            detail = `image ${image.id} is ${image.state}: ${image.state_description} (${detail}); ${await discard(ctx, image.id)}`;
        }
    } catch {
        // The device is unreachable: the transport error is all there is to say.
    }
    return new PhaseError(ctx.subject, phase, detail, err);
}

export async function transfer(
    ctx: Ctx,
    fileSha256: string | undefined,
    knownIds: Set<number>,
): Promise<{ image: RiverbedImage; sentSha256?: string }> {
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
            log(
                `uploading ${basename(file)}: ${p.percent.toFixed(0)}% (${mib(p.bytesSent)} of ${mib(p.totalBytes)} MiB) at ${mib(p.bytesPerSecond)} MiB/s`,
            );
        }
    };
    const up = await client.uploadImage(file, onProgress, 5_000).catch(async (err: unknown) => {
        throw await brokenUpload(ctx, knownIds, err);
    });
    log(
        `uploaded ${mib(up.bytes)} MiB in ${formatDuration(up.elapsedMs)} (${mib(up.elapsedMs > 0 ? (up.bytes / up.elapsedMs) * 1_000 : 0)} MiB/s) as image ${up.imageId}`,
    );
    if (fileSha256 !== undefined && fileSha256 !== up.sha256) {
        const note = await discard(ctx, up.imageId);
        throw new PhaseError(
            subject,
            `uploading ${basename(file)}`,
            `the file changed while it was read (SHA-256 ${fileSha256} before, ${up.sha256} during the upload); ${note}`,
        );
    }
    return { image: await readBack(ctx, up.imageId, `uploading ${basename(file)}`), sentSha256: up.sha256 };
}

/**
 * The image a transfer created, read by id (the transfer's reply is read for the id only). A device
 * that lists no such image right after acknowledging it is an error; once the image exists, a
 * failure to read it keeps it in state (partial failure) so the next `up` resumes instead of
 * transferring again.
 */
export async function readBack(ctx: Ctx, id: number, phase: string): Promise<RiverbedImage> {
    let image: RiverbedImage | undefined;
    try {
        image = await readImage(ctx, id);
    } catch (err) {
        const outs = outputsFor(ctx.inputs, undefined, false, { stateDescription: "transferred; not read back yet" });
        throw new ResourceNotReadyError(
            String(id),
            outs,
            new PhaseError(ctx.subject, `reading image ${id} after ${phase}`, messageOf(err), err),
        );
    }
    if (!image) {
        throw new PhaseError(
            ctx.subject,
            phase,
            `the device acknowledged the transfer as image ${id}, but GET images/items/${id} answers 404`,
        );
    }
    return image;
}

/** `GET images/items/{id}`, riding out a reboot or a burst of 5xx as waits do (see {@link readBudget}). */
export function readImage(ctx: Reader, id: number): Promise<RiverbedImage | undefined> {
    return readThrough({
        what: `${ctx.subject} image ${id}`,
        read: () => ctx.client.getImage(id),
        ...readBudget(ctx),
        clock: ctx.env.clock,
    });
}

/** True when the device runs the version this image carried (the device consumed it by installing it). */
export async function installedFrom(reader: Reader, version: string | undefined): Promise<boolean> {
    if (!version) {
        return false;
    }
    const update = await readThrough({
        what: `${reader.subject} update object`,
        read: () => reader.client.getUpdate(),
        ...readBudget(reader),
        clock: reader.env.clock,
    });
    return sameVersion(newestEntry(update)?.version, version);
}

/**
 * The image behind `id` if it is still the one this resource created (same checksum); `other` is set
 * when the device now uses the id for different bits.
 */
export async function sameImage(
    reader: Reader,
    id: string,
    props: Partial<ImageOutputs>,
): Promise<{ image?: RiverbedImage; other?: RiverbedImage }> {
    const image = await readImage(reader, Number(id));
    if (image && props.checksum && known(image.checksum) && image.checksum!.toLowerCase() !== props.checksum.toLowerCase()) {
        return { other: image };
    }
    return { image };
}
