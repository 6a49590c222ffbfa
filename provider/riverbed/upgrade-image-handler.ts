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
 *    The reply is read for the new image's `id` only (the device may answer just `{"id": N}`); the
 *    image itself is then read with `GET images/items/{id}`.
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
 * Budget: `waitTimeoutSeconds` is one deadline for the whole create or update (transfer, validation,
 * outages); `rebootTimeoutSeconds` the longest outage inside it (core/budget.ts). The reads of update
 * and delete ride out a reboot or a burst of 5xx for up to `rebootTimeoutSeconds`; a refresh that
 * still finds the device unreachable keeps the last known state with a warning (core/read.ts).
 *
 * After a successful `SystemUpdate` the device consumes the image (it is no longer listed). `read`
 * and `update` then keep the resource with state `CONSUMED` when the device runs the image's version,
 * so a refresh does not trigger a new upload. Delete removes the image (already gone is fine); before
 * deleting, the image's checksum is compared, so an id the device reused for another image is left alone.
 */
import { WaitBudget } from "../core/budget";
import { endpointChanged } from "../core/connection";
import {
    checkWithSchema,
    ResourceNotReadyError,
    type CreateResult,
    type DiffResult,
    type HandlerFactory,
    type ResourceHandler,
} from "../core/dynamic";
import type { HandlerEnv } from "../core/env";
import { VendorFailureError } from "../core/errors";
import { inPhase, messageOf, PhaseError } from "../core/phase";
import { progressLogger, waitProgress } from "../core/progress";
import { readThroughOutage } from "../core/read";
import { waitFor, WaitError, WaitFailedError } from "../core/waiter";
import { known, newestEntry, RiverbedClient, type RiverbedImage } from "./client";
import { deviceName, resolveConnection } from "./connection";
import { sameVersion } from "./versions";
import {
    CONSUMED,
    Ctx,
    ImageInputs,
    ImageOutputs,
    Reader,
    UPGRADE_IMAGE_DEFAULTS,
    context,
    discard,
    fileSize,
    imageInputsSchema,
    inputsOf,
    outputsFor,
    sourceName,
} from "./upgrade-image-run";
import { findAdoptable, installedFrom, sameImage, transfer } from "./upgrade-image-transfer";

export { CONSUMED, displayUrl, imageInputsSchema, UPGRADE_IMAGE_DEFAULTS, type ImageInputs, type ImageOutputs } from "./upgrade-image-run";

/** Waits for VALID; failure states delete the image and throw; timeouts become a partial failure. */
async function waitValid(ctx: Ctx, image: RiverbedImage, adopted: boolean, startedHere = false): Promise<RiverbedImage> {
    const { inputs, client, log, subject } = ctx;
    if (image.state === "VALID") {
        return image;
    }
    const phase = inputs.url !== undefined ? `fetching and validating image ${image.id}` : `validating image ${image.id}`;
    // The image reports no validation progress: a fleet's earlier devices tell how long the same
    // image (same source) took to validate (learned-durations.ts); only for a transfer of this call.
    const learned = !startedHere
        ? undefined
        : {
              durations: ctx.env.durations,
              key: `riverbed:UpgradeImage ${inputs.url !== undefined ? "fetch" : "upload"} ${sourceName(inputs)}`,
              startedAt: ctx.env.clock.now(),
          };
    try {
        const done = await waitFor<RiverbedImage>({
            what: `${subject} image ${image.id} (${sourceName(inputs)})`,
            refresh: async () => {
                const current = await client.getImage(image.id);
                if (!current) {
                    return { state: "MISSING", detail: "the image is no longer on the device" };
                }
                return {
                    state: current.state,
                    object: current,
                    progressPercent: current.state === "UPLOADING" ? current.progress : undefined,
                    detail: current.state_description,
                };
            },
            target: ["VALID"],
            pending: ["UPLOADING", "VALIDATING"],
            failure: ["INVALID", "UPLOAD_ERROR", "MISSING"],
            ...ctx.budget.waitOptions(),
            learned,
            onProgress: waitProgress(log, `image ${image.id}`, {
                clock: ctx.env.clock,
                heartbeatMs: 30_000,
                outageBudgetMs: ctx.budget.rebootMs,
            }),
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

async function create(inputs: ImageInputs, env: HandlerEnv): Promise<CreateResult<ImageOutputs>> {
    const ctx = context(inputs, env);
    const { log, subject } = ctx;
    if (inputs.file !== undefined) {
        await fileSize(inputs.file); // fail early, before any call, when the file is missing
    }
    const {
        image: existing,
        fileSha256,
        knownIds,
    } = await inPhase(subject, "looking for an existing copy of the image", () => findAdoptable(ctx));
    if (existing) {
        log(`image ${existing.id} on the device is VALID with the same SHA-256 (${existing.version}): adopting it instead of uploading`);
        await verify(ctx, existing, undefined, false);
        return { id: String(existing.id), outs: outputsFor(inputs, existing, true) };
    }
    const { image: started, sentSha256 } = await transfer(ctx, fileSha256, knownIds);
    const image = await waitValid(ctx, started, false, true);
    await verify(ctx, image, sentSha256, true);
    log(`image ${image.id} is VALID: version ${known(image.version) ?? "?"}, SHA-256 ${known(image.checksum) ?? "?"}`);
    return { id: String(image.id), outs: outputsFor(inputs, image, false) };
}

/** The handler of `riverbed:UpgradeImage` for an environment (clock, shared clients, locks). */
export const upgradeImageHandler: HandlerFactory = (env: HandlerEnv): ResourceHandler<ImageInputs, ImageOutputs> => ({
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
        if (endpointChanged(olds, news)) {
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
        return create(imageInputsSchema.parse(raw), env);
    },

    /** Only wait settings, credentials and the log name change in place: resume a pending wait and re-verify. */
    async update(id, olds, raw) {
        const inputs = imageInputsSchema.parse(raw);
        const ctx = context(inputs, env);
        const { image } = await inPhase(ctx.subject, `reading image ${id}`, () => sameImage(ctx, id, olds));
        if (!image) {
            if (await inPhase(ctx.subject, "reading the installed version", () => installedFrom(ctx, olds.version))) {
                return {
                    outs: outputsFor(inputs, undefined, olds.adopted, {
                        ...olds,
                        state: CONSUMED,
                        stateDescription: `installed by the device (runs ${olds.version})`,
                    }),
                };
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

    /**
     * Refresh: the image, or — once the device consumed it by installing it — state `CONSUMED`. A
     * device that stays unreachable keeps the last known state with a warning (core/read.ts).
     */
    async read(id, props) {
        const connection = resolveConnection(props.connection);
        const client = RiverbedClient.for(connection, env);
        const subject = deviceName(connection);
        const log = progressLogger(props.__logName, (s) => client.session.redact(s));
        const budget = new WaitBudget(env.clock, props, UPGRADE_IMAGE_DEFAULTS);
        const found = await readThroughOutage(env, { what: `${subject} image ${id}`, log, maxOutageMs: budget.rebootMs }, async () => {
            const image = await client.getImage(Number(id));
            const other =
                image && props.checksum && known(image.checksum) && image.checksum!.toLowerCase() !== props.checksum.toLowerCase();
            const consumed =
                !image &&
                (props.state === CONSUMED ||
                    (!!props.version && sameVersion(newestEntry(await client.getUpdate())?.version, props.version)));
            return { image: other ? undefined : image, consumed };
        });
        if (!found.reachable) {
            return { id, props, inputs: inputsOf(props) };
        }
        const { image, consumed } = found.value;
        if (!image) {
            if (consumed) {
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
        const client = RiverbedClient.for(connection, env);
        const log = progressLogger(props.__logName, (s) => client.session.redact(s));
        const subject = deviceName(connection);
        const reader: Reader = { client, subject, env, inputs: props };
        await inPhase(subject, `deleting image ${id}`, async () => {
            const { image, other } = await sameImage(reader, id, props);
            if (other) {
                log(`image ${id} on ${subject} now holds other bits (SHA-256 ${other.checksum}, not ${props.checksum}): left alone`);
                return;
            }
            if (!image) {
                const consumed = props.state === CONSUMED || (await installedFrom(reader, props.version).catch(() => false));
                log(
                    `image ${id} is no longer on ${subject}${consumed ? " (the device consumed it when installing it)" : ""}: nothing to delete`,
                );
                return;
            }
            await client.deleteImage(Number(id));
            log(`deleted image ${id} (${known(image.version) ?? props.version ?? "unknown version"}) from ${subject}`);
        });
    },
});
