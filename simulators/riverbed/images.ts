/**
 * Update images held by the simulated appliance and their state machine:
 *
 * ```text
 * upload/fetch → UPLOADING → VALIDATING → VALID
 *                    │             └────→ INVALID
 *                    └→ UPLOAD_ERROR (transfer broke, stalled, or was injected to break)
 * ```
 *
 * While UPLOADING, `version` and `checksum` read `"N/A"` (as the vendor's sample output shows).
 * Choices for [unknown] facts: the checksum appears once the bytes are in (VALIDATING onward, also
 * for INVALID images); the version only for VALID images; ids are never reused.
 */
import type { TimerGroup } from "../core/clock";
import type { ConsumedStream } from "../core/streaming";
import { judgeRiverbedImage } from "./image-format";

/** Image states of `npm.system_update` 2.0. */
export type RiverbedImageState = "UPLOADING" | "VALIDATING" | "UPLOAD_ERROR" | "VALID" | "INVALID";

/** An image as the API returns it. */
export interface RiverbedImage {
    readonly id: number;
    readonly state: RiverbedImageState;
    readonly state_description: string;
    /** Transfer progress in percent, a float with two decimals. */
    readonly progress: number;
    /** Version from the image header, or `"N/A"`. */
    readonly version: string;
    /** Lowercase hex SHA-256 of the image, or `"N/A"`. */
    readonly checksum: string;
}

/** Terminal failures that can be injected for the next image. */
export type RiverbedImageFailure = "INVALID" | "UPLOAD_ERROR";

/** Placeholder the appliance shows for unknown fields. */
export const NOT_AVAILABLE = "N/A";

interface ImageRecord {
    id: number;
    state: RiverbedImageState;
    description: string;
    progress: number;
    version: string;
    checksum: string;
    /** Expected transfer size, when the client or origin announced it. */
    expectedBytes: number | undefined;
    /** Failure injected for this image when it was created. */
    injectedFailure: RiverbedImageFailure | undefined;
    /** Aborts the running transfer with a reason (set while UPLOADING). */
    abortTransfer: ((reason: string) => void) | undefined;
}

/** Callbacks and settings the store needs. */
export interface ImageStoreDeps {
    readonly timers: TimerGroup;
    readonly product: string;
    readonly validateMs: () => number;
    /** Called after every state change. */
    readonly onChange: (image: RiverbedImage) => void;
}

/** The appliance's image list. */
export class RiverbedImageStore {
    private readonly records = new Map<number, ImageRecord>();
    private readonly injectedFailures: RiverbedImageFailure[] = [];
    private nextId = 1;

    constructor(private readonly deps: ImageStoreDeps) {}

    /** Make the next new image (upload or fetch) end in `failure`. Calls queue up. */
    injectFailure(failure: RiverbedImageFailure): void {
        this.injectedFailures.push(failure);
    }

    /** Failures queued for future images. */
    pendingFailures(): readonly RiverbedImageFailure[] {
        return [...this.injectedFailures];
    }

    /** Drop queued failures. */
    clearInjectedFailures(): void {
        this.injectedFailures.length = 0;
    }

    /** Create an image in UPLOADING for a new transfer. */
    beginTransfer(expectedBytes: number | undefined, description: string): RiverbedImage {
        const record: ImageRecord = {
            id: this.nextId++,
            state: "UPLOADING",
            description,
            progress: 0,
            version: NOT_AVAILABLE,
            checksum: NOT_AVAILABLE,
            expectedBytes,
            injectedFailure: this.injectedFailures.shift(),
            abortTransfer: undefined,
        };
        this.records.set(record.id, record);
        this.changed(record);
        return toImage(record);
    }

    /** The failure injected for image `id`, if any. */
    injectedFailureOf(id: number): RiverbedImageFailure | undefined {
        return this.records.get(id)?.injectedFailure;
    }

    /** Register how to abort image `id`'s transfer (used when the image is deleted mid-transfer). */
    setTransferAbort(id: number, abort: ((reason: string) => void) | undefined): void {
        const record = this.records.get(id);
        if (record !== undefined) record.abortTransfer = abort;
    }

    /** Set the expected size once known (a fetch learns it from the origin's Content-Length). */
    setExpectedBytes(id: number, expectedBytes: number | undefined): void {
        const record = this.records.get(id);
        if (record !== undefined) record.expectedBytes = expectedBytes;
    }

    /** Record transfer progress. Does not emit a change event (that would be one per chunk). */
    reportProgress(id: number, bytesSoFar: number): void {
        const record = this.records.get(id);
        if (record === undefined || record.state !== "UPLOADING" || record.expectedBytes === undefined || record.expectedBytes === 0)
            return;
        // Stay below 100 until the transfer is confirmed complete.
        record.progress = Math.min(99.99, roundPercent((bytesSoFar / record.expectedBytes) * 100));
    }

    /** The bytes are all in: move to VALIDATING and schedule the verdict. */
    completeTransfer(id: number, consumed: ConsumedStream): RiverbedImage | undefined {
        const record = this.records.get(id);
        if (record === undefined || record.state !== "UPLOADING") return undefined;
        record.abortTransfer = undefined;
        record.state = "VALIDATING";
        record.description = `Validating image (${consumed.bytes} bytes received)`;
        record.progress = 100;
        record.checksum = consumed.sha256;
        this.changed(record);
        this.deps.timers.after(this.deps.validateMs(), () => this.finishValidation(id, consumed));
        return toImage(record);
    }

    /** The transfer broke: UPLOAD_ERROR. */
    failTransfer(id: number, reason: string): void {
        const record = this.records.get(id);
        if (record === undefined || record.state !== "UPLOADING") return;
        record.abortTransfer = undefined;
        record.state = "UPLOAD_ERROR";
        record.description = `Upload failed: ${reason}`;
        this.changed(record);
    }

    /** All images, by id. */
    list(): RiverbedImage[] {
        return [...this.records.values()].sort((a, b) => a.id - b.id).map(toImage);
    }

    /** One image, or `undefined`. */
    get(id: number): RiverbedImage | undefined {
        const record = this.records.get(id);
        return record === undefined ? undefined : toImage(record);
    }

    /** Images in state VALID. */
    validImages(): RiverbedImage[] {
        return this.list().filter((image) => image.state === "VALID");
    }

    /** Delete an image (aborting its transfer if running). Returns whether it existed. */
    delete(id: number): boolean {
        const record = this.records.get(id);
        if (record === undefined) return false;
        this.records.delete(id);
        record.abortTransfer?.("the image was deleted during the transfer");
        return true;
    }

    /** Abort every running transfer (they end in UPLOAD_ERROR with `reason`). */
    abortTransfers(reason: string): void {
        for (const record of this.records.values()) record.abortTransfer?.(reason);
    }

    /** Delete every image (aborting running transfers). */
    clear(): void {
        for (const id of [...this.records.keys()]) this.delete(id);
    }

    private finishValidation(id: number, consumed: ConsumedStream): void {
        const record = this.records.get(id);
        if (record === undefined || record.state !== "VALIDATING") return;
        const verdict = judgeRiverbedImage(consumed.prefix, consumed.bytes, this.deps.product);
        if (record.injectedFailure === "INVALID") {
            record.state = "INVALID";
            record.description = "Image is invalid: signature verification failed (injected)";
        } else if (verdict.valid) {
            record.state = "VALID";
            record.version = verdict.version;
            record.description = `Image is valid: version ${verdict.version}`;
        } else {
            record.state = "INVALID";
            record.description = `Image is invalid: ${verdict.reason}`;
        }
        this.changed(record);
    }

    private changed(record: ImageRecord): void {
        this.deps.onChange(toImage(record));
    }
}

function toImage(record: ImageRecord): RiverbedImage {
    return {
        id: record.id,
        state: record.state,
        state_description: record.description,
        progress: record.progress,
        version: record.version,
        checksum: record.checksum,
    };
}

function roundPercent(value: number): number {
    return Math.round(value * 100) / 100;
}
