/**
 * The clock the Avisi resources wait on: the handler environment's clock — unless the provider
 * process is told to follow a simulator whose time runs faster (a week-away maintenance window
 * arriving in seconds). Then it uses the simulator's formula, simulated now =
 * `origin + (Date.now() - origin) × scale`, from stack config `avisi:simulatedTimeScale` and
 * `avisi:simulatedTimeOrigin`, or env `AVISI_SIMULATED_TIME_SCALE` and `AVISI_SIMULATED_TIME_ORIGIN`
 * (the simulator prints both). Both must be set; nothing else reads them.
 */
import type { Clock } from "../core/clock";
import { InputError } from "../core/errors";
import { resolveSetting } from "../core/settings";

/** A clock running `scale` times faster than the wall clock from `originMs` on. */
export function scaledClock(scale: number, originMs: number): Clock {
    return {
        now: () => Math.round(originMs + (Date.now() - originMs) * scale),
        sleep: (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms / scale))),
    };
}

/** `base`, or the simulated clock the environment describes. @throws InputError for malformed values. */
export function avisiClock(base: Clock): { clock: Clock; scale: number } {
    const scaleText = resolveSetting(undefined, "avisi", "simulatedTimeScale");
    const originText = resolveSetting(undefined, "avisi", "simulatedTimeOrigin");
    if (!scaleText && !originText) return { clock: base, scale: 1 };
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
