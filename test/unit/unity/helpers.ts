/**
 * Shared pieces of the Unity unit tests: a simulator with fast tasks and test credentials, generated
 * candidate files in a temp folder, and the inputs the handlers get.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
    makeUnityCandidate,
    startUnitySimulator,
    type UnityCandidateFile,
    type UnitySimulator,
    type UnitySimulatorOptions,
} from "../../../simulators/unity";

export const USERNAME = "storageadmin";
export const PASSWORD = "Unity-unit-pw-51f7";

/** Task durations short enough for unit tests (ms). */
export const FAST = { prepareMs: 20, healthCheckMs: 20, preinstallMs: 20, primaryRebootMs: 250, peerRebootMs: 20, postMs: 20 } as const;

export function startSim(options: UnitySimulatorOptions = {}): Promise<UnitySimulator> {
    return startUnitySimulator({
        username: USERNAME,
        password: PASSWORD,
        version: "5.2.1.0.5.011",
        ...options,
        timings: { ...FAST, ...(options.timings ?? {}) },
    });
}

export function connectionFor(sim: UnitySimulator) {
    return { endpoint: sim.url, username: USERNAME, password: PASSWORD };
}

/** Fast wait inputs for the session resource. */
export const FAST_WAIT = { pollIntervalSeconds: 0.02, waitTimeoutSeconds: 60, rebootTimeoutSeconds: 30 } as const;

/** A temp folder for candidate files, removed by `cleanup`. */
export async function candidateDir(): Promise<{
    make: (version: string, opts?: { valid?: boolean; sizeBytes?: number }) => Promise<UnityCandidateFile>;
    cleanup: () => Promise<void>;
}> {
    const dir = await mkdtemp(join(tmpdir(), "unity-unit-"));
    return {
        make: (version, opts = {}) =>
            makeUnityCandidate({
                version,
                valid: opts.valid,
                sizeBytes: opts.sizeBytes ?? 96 * 1024,
                path: join(dir, `Unity-${version}-${opts.valid === false ? "bad" : "ok"}.gpg`),
            }),
        cleanup: () => rm(dir, { recursive: true, force: true }),
    };
}
