/**
 * Images on the simulated controller: `POST /api/image` (multipart field `file`, consumed as a
 * stream) and the image FSM IMAGE_FSM_STARTED → IN_PROGRESS → COMPLETED, or FAILED when the
 * package is not one (no `bootstrap/VERSION`) or a failure was injected.
 */
import { randomUUID } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { TimerGroup } from "../core/clock";
import { SimulatorHttpError } from "../core/http-error";
import { multipartBoundary, readMultipart } from "../core/multipart";
import { ImageFsm } from "./constants";
import { AVI_PACKAGE_PREFIX_BYTES, parseAviPackagePrefix, type AviPackageInfo } from "./image-format";

/** An Image as the controller stores it (rendered by {@link renderImage}). */
export interface AviImage {
    readonly uuid: string;
    name: string;
    type: string;
    state: string;
    reason: string | undefined;
    progress: number;
    info: AviPackageInfo | undefined;
    readonly fileName: string | undefined;
    readonly bytes: number;
    readonly sha256: string;
    lastModifiedMs: number;
}

/** Keeps the images and runs their FSM. */
export class AviImageStore {
    private readonly images = new Map<string, AviImage>();
    private injectedFailure: string | undefined;

    constructor(
        private readonly timers: TimerGroup,
        private readonly now: () => number,
        private readonly processMs: () => number,
        private readonly onChange: (image: AviImage) => void,
    ) {}

    /** Consume an upload body; resolves with the new image (FSM started). @throws SimulatorHttpError 400/415. */
    async receive(req: IncomingMessage): Promise<AviImage> {
        const boundary = multipartBoundary(req.headers["content-type"]);
        const content = await readMultipart(req as AsyncIterable<Buffer>, boundary, { prefixBytes: AVI_PACKAGE_PREFIX_BYTES });
        if (!content.complete)
            throw new SimulatorHttpError(400, "UPLOAD_INCOMPLETE", "The upload ended before the closing multipart delimiter.");
        const file = content.file;
        if (file === undefined || file.fieldName !== "file")
            throw new SimulatorHttpError(400, "FILE_MISSING", "The upload must carry the package in multipart field [file].");
        const info = parseAviPackagePrefix(file.prefix);
        const image: AviImage = {
            uuid: `image-${randomUUID()}`,
            name: info?.tag ?? file.fileName ?? "image",
            type: info?.type ?? "IMAGE_TYPE_SYSTEM",
            state: ImageFsm.started,
            reason: undefined,
            progress: 0,
            info,
            fileName: file.fileName,
            bytes: file.bytes,
            sha256: file.sha256,
            lastModifiedMs: this.now(),
        };
        // Re-uploading a package replaces the image of the same name, as names are unique on a controller.
        for (const existing of this.images.values()) if (existing.name === image.name) this.images.delete(existing.uuid);
        this.images.set(image.uuid, image);
        this.process(image);
        return image;
    }

    /** The next uploaded image ends in IMAGE_FSM_FAILED with `reason`. */
    injectFailure(reason: string): void {
        this.injectedFailure = reason;
    }

    list(): AviImage[] {
        return [...this.images.values()];
    }

    /** Remove an image; false when there was none. */
    remove(uuid: string): boolean {
        return this.images.delete(uuid);
    }

    get(uuid: string): AviImage | undefined {
        return this.images.get(uuid);
    }

    pendingFailure(): string | undefined {
        return this.injectedFailure;
    }

    clearInjected(): void {
        this.injectedFailure = undefined;
    }

    private process(image: AviImage): void {
        const failure = this.injectedFailure ?? (image.info === undefined ? "Invalid package: bootstrap/VERSION not found." : undefined);
        this.injectedFailure = undefined;
        const set = (state: string, progress: number, reason?: string) => {
            image.state = state;
            image.progress = progress;
            image.reason = reason;
            image.lastModifiedMs = this.now();
            this.onChange(image);
        };
        const half = Math.round(this.processMs() / 2);
        this.timers.after(half, () => {
            if (!this.images.has(image.uuid)) return;
            set(ImageFsm.inProgress, 50);
            this.timers.after(this.processMs() - half, () => {
                if (!this.images.has(image.uuid)) return;
                if (failure !== undefined) set(ImageFsm.failed, 100, failure);
                else set(ImageFsm.completed, 100);
            });
        });
    }
}

/** The Image object as the API answers it. */
export function renderImage(image: AviImage, baseUrl: string): Record<string, unknown> {
    const build = image.info && {
        version: image.info.version,
        build_no: image.info.buildNo,
        tag: image.info.tag,
        min_version: "21.1.1",
    };
    return {
        url: `${baseUrl}/api/image/${image.uuid}`,
        uuid: image.uuid,
        name: image.name,
        type: image.type,
        progress: image.progress,
        img_state: {
            state: image.state,
            ...(image.reason === undefined ? {} : { reason: image.reason }),
            last_changed_time: timeOf(image.lastModifiedMs),
        },
        ...(build === undefined
            ? {}
            : image.type === "IMAGE_TYPE_PATCH"
              ? { se_info: { build } }
              : { controller_info: { build }, se_info: { build } }),
        tenant_ref: `${baseUrl}/api/tenant/tenant-admin`,
        _last_modified: String(image.lastModifiedMs * 1000),
    };
}

function timeOf(ms: number): { secs: number; usecs: number } {
    return { secs: Math.floor(ms / 1000), usecs: (ms % 1000) * 1000 };
}
