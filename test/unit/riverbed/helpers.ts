/**
 * Shared pieces of the Riverbed unit tests: a simulator per test with fast phases, generated image
 * files in a temp folder, captured progress lines, and session cleanup.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { processEnv } from "../../../provider/core/env";
import {
    makeRiverbedImage,
    startRiverbedSimulator,
    type RiverbedImageFile,
    type RiverbedSimulator,
    type RiverbedSimulatorOptions,
} from "../../../simulators/riverbed";

export const PASSWORD = "Rvbd-unit-pw-93c1";
export const USERNAME = "operator";

/** Phase durations short enough for unit tests (ms). */
export const FAST = { validateMs: 20, initMs: 20, runningMs: 50, rebootMs: 300, resetMs: 20 } as const;

/** Starts a simulator with test credentials and fast phases. */
export function startSim(options: RiverbedSimulatorOptions = {}): Promise<RiverbedSimulator> {
    return startRiverbedSimulator({ username: USERNAME, password: PASSWORD, ...options, timings: { ...FAST, ...(options.timings ?? {}) } });
}

/** The explicit connection input for a simulator. */
export function connectionFor(sim: RiverbedSimulator) {
    return { endpoint: sim.url, username: USERNAME, password: PASSWORD };
}

/** A temp folder for image files, removed by `cleanup`. */
export async function imageDir(): Promise<{
    dir: string;
    make: (version: string, opts?: { valid?: boolean; sizeBytes?: number; name?: string }) => Promise<RiverbedImageFile>;
    cleanup: () => Promise<void>;
}> {
    const dir = await mkdtemp(join(tmpdir(), "rvbd-unit-"));
    return {
        dir,
        make: (version, opts = {}) =>
            makeRiverbedImage({
                version,
                valid: opts.valid,
                sizeBytes: opts.sizeBytes ?? 64 * 1024,
                path: join(dir, opts.name ?? `${version.replace(/\W+/g, "_")}-${opts.valid === false ? "bad" : "ok"}.img`),
            }),
        cleanup: () => rm(dir, { recursive: true, force: true }),
    };
}

/** Captures `console.log` lines (the handlers' progress lines) while a test runs. */
export function captureLogs(): { lines: string[]; restore: () => void } {
    const lines: string[] = [];
    const spy = jest.spyOn(console, "log").mockImplementation((...args: unknown[]) => {
        lines.push(args.map(String).join(" "));
    });
    return { lines, restore: () => spy.mockRestore() };
}

/** Closes pooled keep-alive connections so nothing outlives a test. */
export function closeSessions(): void {
    processEnv.clients.close();
}

/** The error a call fails with; fails the test when the call succeeds. */
export async function rejection(call: Promise<unknown>): Promise<Error> {
    try {
        await call;
    } catch (err) {
        return err as Error;
    }
    throw new Error("expected the call to fail, but it succeeded");
}
