/**
 * Provider logic of `unity:UpgradeCandidate` (runs in the provider process, loaded by the runtime).
 *
 * The array holds **one** candidate: uploading replaces whatever candidate it had. So a change of
 * `file` or `expectedVersion` is a replacement planned delete-before-replace (the preview says so), and
 * delete only forgets the resource (the API has no candidate delete).
 *
 * Create:
 * 1. **Adopt** — when `expectedVersion` is given and the array's candidate already has that version, it
 *    becomes this resource; nothing is uploaded (the file is only hashed for the `sha256` output).
 * 2. **Upload** — the file is streamed as `multipart/form-data` to
 *    `/upload/files/types/candidateSoftwareVersion`, hashed in the same pass (flat memory; progress
 *    lines show % and MiB/s). The array answers 200 with no body, so the candidate is then found by
 *    listing `candidateSoftwareVersion` (the one with `expectedVersion` when given, else the only one).
 *
 * Success: the candidate is listed (and has `expectedVersion`, when given). Outputs: `candidateId`,
 * `version`, `type`, `rebootRequired`, `canPauseBeforeReboot`, `sha256`, `sizeBytes`, `adopted`.
 *
 * Failure: the upload is refused (a bad file: 422 with the array's message; a session in progress:
 * 409), the candidate is not listed afterwards, or it has another version than `expectedVersion` → an error
 * naming the array, the phase and the array's message. Nothing is kept in state; the next `up`
 * uploads again.
 */

import { stat } from "node:fs/promises";
import { statSync } from "node:fs";
import { basename } from "node:path";
import { z } from "zod";
import { endpointChanged } from "../core/connection";
import {
    checkWithSchema,
    type CheckResult,
    type CreateResult,
    type DiffResult,
    type HandlerFactory,
    type ResourceHandler,
} from "../core/dynamic";
import type { HandlerEnv } from "../core/env";
import { inPhase, PhaseError } from "../core/phase";
import { mib, progressLogger, type Progress } from "../core/progress";
import { sha256File } from "../core/upload";
import { UnityClient } from "./client";
import type { UnityCandidate } from "./wire";
import { arrayName, connectionSchema, resolveConnection } from "./connection";

const UNITY_VERSION = /^\d+(\.\d+){2,6}$/;

/** Input schema of `unity:UpgradeCandidate`. */
export const candidateInputsSchema = z
    .object({
        __logName: z.string().optional(),
        connection: connectionSchema.optional(),
        file: z.string().min(1, "must be the path of the candidate file (e.g. Unity-5.3.0.0.5.120.tgz.bin.gpg)"),
        expectedVersion: z.string().regex(UNITY_VERSION, "must be a Unity version such as 5.3.0.0.5.120").optional(),
    })
    .passthrough();

/** Inputs after `check`. */
export type CandidateInputs = z.infer<typeof candidateInputsSchema>;

/** Outputs (state) of `unity:UpgradeCandidate`. */
export interface CandidateOutputs extends CandidateInputs {
    candidateId: string;
    version: string;
    /** `Software`, `Firmware` or `LanguagePack`. */
    type: string;
    rebootRequired: boolean;
    canPauseBeforeReboot: boolean;
    /** SHA-256 of the file (computed while uploading, or by hashing it when adopted). */
    sha256: string;
    sizeBytes: number;
    /** True when the candidate already on the array was adopted instead of uploading. */
    adopted: boolean;
}

/** Input changes that upload a new candidate (which replaces the array's current one). */
const REPLACING_KEYS = ["file", "expectedVersion"] as const;

function context(inputs: CandidateInputs, env: HandlerEnv): { client: UnityClient; subject: string; log: Progress } {
    const connection = resolveConnection(inputs.connection);
    const client = UnityClient.for(connection, env);
    return { client, subject: arrayName(connection), log: progressLogger(inputs.__logName, (s) => client.session.redact(s)) };
}

function outputs(
    inputs: CandidateInputs,
    candidate: UnityCandidate,
    sha256: string,
    sizeBytes: number,
    adopted: boolean,
): CandidateOutputs {
    return {
        ...inputs,
        candidateId: candidate.id,
        version: candidate.version,
        type: candidate.type,
        rebootRequired: candidate.rebootRequired,
        canPauseBeforeReboot: candidate.canPauseBeforeReboot,
        sha256,
        sizeBytes,
        adopted,
    };
}

async function create(inputs: CandidateInputs, env: HandlerEnv): Promise<CreateResult<CandidateOutputs>> {
    const { client, subject, log } = context(inputs, env);
    const size = (await stat(inputs.file)).size;
    if (inputs.expectedVersion !== undefined) {
        const onArray = await inPhase(subject, "listing candidates", () => client.candidates());
        const same = onArray.find((c) => c.version === inputs.expectedVersion);
        if (same) {
            log(`the array already holds candidate ${same.id} (version ${same.version}): adopting it, not uploading again`);
            const sha256 = await sha256File(inputs.file);
            return { id: same.id, outs: outputs(inputs, same, sha256, size, true) };
        }
        if (onArray.length > 0) {
            log(
                `uploading replaces the array's current candidate ${onArray[0]!.id} (version ${onArray[0]!.version}): Unity holds one candidate`,
            );
        }
    }
    log(`uploading ${basename(inputs.file)} (${mib(size)} MiB) as the upgrade candidate`);
    const result = await inPhase(subject, "uploading the candidate", () =>
        client.uploadCandidate(inputs.file, (p) =>
            log(`upload ${p.percent.toFixed(0)}% (${mib(p.bytesSent)}/${mib(p.totalBytes)} MiB, ${mib(p.bytesPerSecond)} MiB/s)`),
        ),
    );
    const seconds = result.elapsedMs / 1000;
    log(
        `uploaded ${mib(result.bytes)} MiB in ${seconds.toFixed(1)}s (${seconds > 0 ? mib(result.bytes / seconds) : "∞"} MiB/s), SHA-256 ${result.sha256.slice(0, 12)}…`,
    );
    // The upload answers 200 with no id: the candidate is found by listing.
    const listed = await inPhase(subject, "finding the uploaded candidate", () => client.candidates());
    const candidate =
        inputs.expectedVersion !== undefined
            ? listed.find((c) => c.version === inputs.expectedVersion)
            : listed.length === 1
              ? listed[0]
              : undefined;
    if (!candidate) {
        const seen = listed.map((c) => `${c.id} (${c.version})`).join(", ") || "none";
        const wanted =
            inputs.expectedVersion !== undefined ? `a candidate with version ${inputs.expectedVersion}` : "exactly one candidate";
        throw new PhaseError(
            subject,
            "finding the uploaded candidate",
            `the upload was accepted but the array lists ${seen}, expected ${wanted}`,
        );
    }
    log(
        `candidate ${candidate.id}: version ${candidate.version}, ${candidate.type}, reboot ${candidate.rebootRequired ? "required" : "not required"}`,
    );
    return { id: candidate.id, outs: outputs(inputs, candidate, result.sha256, result.bytes, false) };
}

/** The handler of `unity:UpgradeCandidate` for an environment (clock, shared clients, locks). */
export const upgradeCandidateHandler: HandlerFactory = (env: HandlerEnv): ResourceHandler<CandidateInputs, CandidateOutputs> => ({
    async check(_olds, news): Promise<CheckResult> {
        const result = checkWithSchema(candidateInputsSchema, news);
        const file = news["file"];
        if (typeof file === "string" && file !== "" && !result.failures?.some((f) => f.property === "file")) {
            try {
                if (!statSync(file).isFile()) result.failures!.push({ property: "file", reason: `${file} is not a regular file` });
            } catch {
                result.failures!.push({
                    property: "file",
                    reason: `${file} does not exist (paths are relative to the program's directory)`,
                });
            }
        }
        return result;
    },

    async diff(_id, olds, news): Promise<DiffResult> {
        const replaces: string[] = REPLACING_KEYS.filter((key) => olds[key] !== news[key]);
        if (endpointChanged(olds, news)) {
            replaces.push("connection");
        }
        // Unity holds one candidate: the new upload removes the old candidate before the new one
        // exists, which is exactly what delete-before-replace shows in the preview.
        return replaces.length > 0 ? { replaces, deleteBeforeReplace: true } : {};
    },

    async create(raw) {
        const inputs = candidateInputsSchema.parse(raw);
        const connection = resolveConnection(inputs.connection);
        // One upload at a time per array: two candidates would overwrite each other's slot.
        return env.locks.run(`unity|${connection.endpoint}|candidate`, () => create(inputs, env));
    },

    async update(_id, olds, news) {
        return { outs: { ...olds, ...news } };
    },

    async delete(id, props) {
        const log = progressLogger(props.__logName);
        log(`forgetting candidate ${id}: the API has no candidate delete; the next upload replaces it, a completed upgrade removes it`);
    },
});
