/**
 * The simulator's upgrade-candidate file format, and helpers to make candidates of any size.
 *
 * Real Unity candidates are signed `.gpg` packages the simulator cannot check. It accepts a simple,
 * documented format instead, so tests can produce good and bad candidates of any size:
 *
 * ```text
 * UNITY-SIM-CANDIDATE/1\n                                                   magic line
 * {"version":"5.3.0.0.5.120","type":0,"rebootRequired":true,"canPauseBeforeReboot":true,"payloadBytes":N}
 *                                                          JSON line, padded with spaces to 512 bytes
 * <N bytes of payload>
 * ```
 *
 * A candidate is accepted when the magic matches, the JSON parses, `version` looks like a Unity
 * version (`5.3.0.0.5.120`) and the payload after the header is exactly `payloadBytes` long.
 */
import { createHash } from "node:crypto";
import { createWriteStream } from "node:fs";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";

export const UNITY_CANDIDATE_MAGIC = "UNITY-SIM-CANDIDATE/1";
export const UNITY_CANDIDATE_HEADER_BYTES = 512;
const VERSION_PATTERN = /^\d+(\.\d+){2,5}$/;
const PAYLOAD_CHUNK_BYTES = 64 * 1024;

/** What a candidate declares about itself. */
export interface UnityCandidateHeader {
    readonly version: string;
    /** `UpgradeTypeEnum`: 0 Software (default), 1 Firmware, 2 LanguagePack. */
    readonly type: number;
    readonly rebootRequired: boolean;
    readonly canPauseBeforeReboot: boolean;
    readonly payloadBytes: number;
}

/** What to put in a generated candidate. */
export interface UnityCandidateSpec {
    readonly version: string;
    readonly type?: number;
    readonly rebootRequired?: boolean;
    readonly canPauseBeforeReboot?: boolean;
    /** Total file size in bytes, header included (default 256 KiB). */
    readonly sizeBytes?: number;
    /** `false` declares one byte more payload than the file has, so the array rejects it. */
    readonly valid?: boolean;
}

/** A generated candidate on disk. */
export interface UnityCandidateFile {
    readonly path: string;
    readonly sizeBytes: number;
    readonly sha256: string;
    readonly version: string;
}

/** Verdict on a received candidate. */
export type UnityCandidateVerdict =
    { readonly ok: true; readonly header: UnityCandidateHeader } | { readonly ok: false; readonly reason: string };

/** Encode the fixed-size header. */
export function encodeUnityCandidateHeader(header: UnityCandidateHeader): Buffer {
    const head = `${UNITY_CANDIDATE_MAGIC}\n${JSON.stringify(header)}`;
    const padding = UNITY_CANDIDATE_HEADER_BYTES - Buffer.byteLength(head) - 1;
    if (padding < 0)
        throw new Error(`Candidate header for version [${header.version}] does not fit in ${UNITY_CANDIDATE_HEADER_BYTES} bytes.`);
    return Buffer.from(`${head}${" ".repeat(padding)}\n`);
}

/**
 * Judge a fully received candidate from its leading bytes and total size.
 */
export function judgeUnityCandidate(prefix: Buffer, totalBytes: number): UnityCandidateVerdict {
    const firstNewline = prefix.indexOf(0x0a);
    if (firstNewline < 0 || prefix.subarray(0, firstNewline).toString("latin1") !== UNITY_CANDIDATE_MAGIC) {
        return { ok: false, reason: "The file is not a valid upgrade candidate." };
    }
    const secondNewline = prefix.indexOf(0x0a, firstNewline + 1);
    if (secondNewline < 0) return { ok: false, reason: "The upgrade candidate header is incomplete." };
    let fields: Record<string, unknown>;
    try {
        fields = JSON.parse(prefix.subarray(firstNewline + 1, secondNewline).toString("utf8")) as Record<string, unknown>;
    } catch {
        return { ok: false, reason: "The upgrade candidate header is corrupt." };
    }
    const { version, type, rebootRequired, canPauseBeforeReboot, payloadBytes } = fields;
    if (typeof version !== "string" || !VERSION_PATTERN.test(version))
        return { ok: false, reason: "The upgrade candidate has no valid version." };
    if (typeof payloadBytes !== "number" || totalBytes - (secondNewline + 1) !== payloadBytes) {
        return { ok: false, reason: "The upgrade candidate is corrupt: its signature does not match its content." };
    }
    return {
        ok: true,
        header: {
            version,
            type: type === 1 || type === 2 ? type : 0,
            rebootRequired: rebootRequired !== false,
            canPauseBeforeReboot: canPauseBeforeReboot !== false,
            payloadBytes,
        },
    };
}

/** A generated candidate as a stream (no disk, constant memory) plus its size. */
export function unityCandidateStream(spec: UnityCandidateSpec): { readonly stream: Readable; readonly sizeBytes: number } {
    const sizeBytes = spec.sizeBytes ?? 256 * 1024;
    if (!Number.isSafeInteger(sizeBytes) || sizeBytes < UNITY_CANDIDATE_HEADER_BYTES) {
        throw new Error(`Candidate [sizeBytes] must be an integer of at least ${UNITY_CANDIDATE_HEADER_BYTES}, got ${sizeBytes}.`);
    }
    if (!VERSION_PATTERN.test(spec.version)) throw new Error(`Candidate [version] must look like "5.3.0.0.5.120", got "${spec.version}".`);
    const payloadBytes = sizeBytes - UNITY_CANDIDATE_HEADER_BYTES;
    const header = encodeUnityCandidateHeader({
        version: spec.version,
        type: spec.type ?? 0,
        rebootRequired: spec.rebootRequired ?? true,
        canPauseBeforeReboot: spec.canPauseBeforeReboot ?? true,
        payloadBytes: spec.valid === false ? payloadBytes + 1 : payloadBytes,
    });
    const pattern = payloadPattern(spec.version);
    function* chunks(): Generator<Buffer> {
        yield header;
        for (let remaining = payloadBytes; remaining > 0; remaining -= pattern.length) {
            yield remaining >= pattern.length ? pattern : pattern.subarray(0, remaining);
        }
    }
    return { stream: Readable.from(chunks(), { objectMode: false, highWaterMark: PAYLOAD_CHUNK_BYTES }), sizeBytes };
}

/** Write a generated candidate to disk (streamed). Without `path` it goes to a new temporary directory. */
export async function makeUnityCandidate(spec: UnityCandidateSpec & { readonly path?: string }): Promise<UnityCandidateFile> {
    const { stream, sizeBytes } = unityCandidateStream(spec);
    const path = spec.path ?? join(await mkdtemp(join(tmpdir(), "unity-candidate-")), `Unity-${spec.version}.tgz.bin.gpg`);
    const hash = createHash("sha256");
    const hashing = new Transform({
        transform(chunk: Buffer, _encoding, callback) {
            hash.update(chunk);
            callback(null, chunk);
        },
    });
    await pipeline(stream, hashing, createWriteStream(path));
    return { path, sizeBytes, sha256: hash.digest("hex"), version: spec.version };
}

/** A deterministic payload block derived from the version, so different candidates differ. */
function payloadPattern(version: string): Buffer {
    const block = Buffer.alloc(PAYLOAD_CHUNK_BYTES);
    let seed = createHash("sha256").update(`unity-sim-payload:${version}`).digest();
    for (let offset = 0; offset < block.length; offset += seed.length) {
        seed.copy(block, offset);
        seed = createHash("sha256").update(seed).digest();
    }
    return block;
}
