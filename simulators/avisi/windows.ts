/**
 * Weekly maintenance windows: `{day, startTime, duration}`. The format of `day` and `startTime` and
 * the timezone are [unknown] (avisi.md §6); the simulator takes `MONDAY`…`SUNDAY`, `HH:mm` and UTC.
 */

/** One weekly window. */
export interface MaintenanceWindow {
    /** `MONDAY` … `SUNDAY`. */
    readonly day: string;
    /** `HH:mm`, UTC. */
    readonly startTime: string;
    /** Length in minutes. */
    readonly duration: number;
}

/** Week days in the order of `Date.getUTCDay()`. */
export const WEEK_DAYS = ["SUNDAY", "MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY"] as const;

const DAY_MS = 86_400_000;

/** Why `window` is malformed, or undefined. */
export function windowProblem(window: unknown): string | undefined {
    if (typeof window !== "object" || window === null) return "each window must be an object {day, startTime, duration}";
    const { day, startTime, duration } = window as Record<string, unknown>;
    if (typeof day !== "string" || !(WEEK_DAYS as readonly string[]).includes(day)) return `day must be one of ${WEEK_DAYS.join(", ")}`;
    if (typeof startTime !== "string" || !/^([01]\d|2[0-3]):[0-5]\d$/.test(startTime)) return "startTime must be HH:mm (UTC)";
    if (typeof duration !== "number" || !Number.isInteger(duration) || duration < 1 || duration > 7 * 24 * 60) {
        return "duration must be a whole number of minutes between 1 and 10080";
    }
    return undefined;
}

/** The first window occurrence starting at or after `fromMs`, or undefined when there are no windows. */
export function nextWindow(windows: readonly MaintenanceWindow[], fromMs: number): { startMs: number; endMs: number } | undefined {
    let best: { startMs: number; endMs: number } | undefined;
    const midnight = Math.floor(fromMs / DAY_MS) * DAY_MS;
    for (const window of windows) {
        const weekday = WEEK_DAYS.indexOf(window.day as (typeof WEEK_DAYS)[number]);
        const [hours, minutes] = window.startTime.split(":").map(Number) as [number, number];
        for (let offset = 0; offset <= 7; offset++) {
            const dayStart = midnight + offset * DAY_MS;
            if (new Date(dayStart).getUTCDay() !== weekday) continue;
            const startMs = dayStart + (hours * 60 + minutes) * 60_000;
            if (startMs < fromMs) continue;
            if (best === undefined || startMs < best.startMs) best = { startMs, endMs: startMs + window.duration * 60_000 };
            break;
        }
    }
    return best;
}
