/**
 * The clock the Avisi resources wait on. In production it is the wall clock. Against a simulator
 * whose time runs faster (a week-away maintenance window arriving in seconds), the provider process
 * follows the simulator's time with the same formula — simulated now =
 * `origin + (Date.now() - origin) × scale` — read from `AVISI_SIMULATED_TIME_SCALE` and
 * `AVISI_SIMULATED_TIME_ORIGIN` (the simulator prints both). Both must be set; nothing else reads them.
 */
import { InputError } from "../core/errors";
import { systemClock, type Clock } from "../core/waiter";

/** A clock running `scale` times faster than the wall clock from `originMs` on. */
export function scaledClock(scale: number, originMs: number): Clock {
    return {
        now: () => Math.round(originMs + (Date.now() - originMs) * scale),
        sleep: (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms / scale))),
    };
}

let injected: Clock | undefined;

/** Tests: make every Avisi resource wait on `clock` (undefined restores the default). */
export function setAvisiClock(clock: Clock | undefined): void {
    injected = clock;
}

/** The injected clock, the wall clock, or the simulated clock the environment describes. @throws InputError for malformed values. */
export function avisiClock(env: NodeJS.ProcessEnv = process.env): { clock: Clock; scale: number } {
    if (injected) return { clock: injected, scale: 1 };
    const scaleText = env["AVISI_SIMULATED_TIME_SCALE"];
    const originText = env["AVISI_SIMULATED_TIME_ORIGIN"];
    if (!scaleText && !originText) return { clock: systemClock, scale: 1 };
    const scale = Number(scaleText);
    const origin = Number(originText);
    if (!(scale > 0) || !Number.isFinite(scale) || !Number.isSafeInteger(origin)) {
        throw new InputError(
            "AVISI_SIMULATED_TIME_SCALE",
            `simulated time needs AVISI_SIMULATED_TIME_SCALE (a positive number) and AVISI_SIMULATED_TIME_ORIGIN (epoch ms), got "${scaleText}" and "${originText}"`,
        );
    }
    return { clock: scaledClock(scale, origin), scale };
}
