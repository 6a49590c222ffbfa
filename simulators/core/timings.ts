/**
 * Phase durations of a simulator: explicit values win, the vendor's real-world defaults are divided by
 * the time-compression factor `speed`. Every vendor simulator resolves its timings this one way.
 */

/**
 * Resolves `timings` against `defaults` (all in ms).
 *
 * @example
 * ```ts
 * scaleTimings("Unity", { rebootMs: 600_000 }, {}, 100) // { rebootMs: 6000 }
 * ```
 * @throws Error naming the vendor and the key when `speed` is not positive or a value is negative.
 */
export function scaleTimings<T extends { [K in keyof T]: number }>(vendor: string, defaults: T, timings: Partial<T> = {}, speed = 1): T {
    if (!(speed > 0) || !Number.isFinite(speed)) throw new Error(`${vendor} simulator [speed] must be a positive number, got ${speed}.`);
    const resolved = {} as T;
    for (const key of Object.keys(defaults) as (keyof T)[]) {
        const explicit = timings[key] as unknown;
        if (explicit === undefined) {
            resolved[key] = Math.round(defaults[key] / speed) as T[keyof T];
        } else if (typeof explicit !== "number" || !Number.isFinite(explicit) || explicit < 0) {
            throw new Error(`${vendor} simulator [timings.${String(key)}] must be a non-negative number, got ${JSON.stringify(explicit)}.`);
        } else {
            resolved[key] = explicit as T[keyof T];
        }
    }
    return resolved;
}
