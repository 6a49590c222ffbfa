/**
 * Weekly maintenance windows `{day, startTime, duration}` and their next occurrence. The format of
 * `day` and `startTime` and the timezone are [unknown] (avisi.md §6): `MONDAY`…`SUNDAY`, `HH:mm`,
 * UTC is our assumption (the same as the simulator's).
 */

export const WEEK_DAYS = ["MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY"] as const;

/** One weekly window. */
export interface WeeklyWindow {
    day: string;
    startTime: string;
    /** Minutes. */
    duration: number;
}

const DAY_MS = 86_400_000;
/** `Date.getUTCDay()` numbering (0 = Sunday) of each week day. */
const UTC_DAY: Record<string, number> = { SUNDAY: 0, MONDAY: 1, TUESDAY: 2, WEDNESDAY: 3, THURSDAY: 4, FRIDAY: 5, SATURDAY: 6 };

/** The first occurrence starting at or after `fromMs`, or undefined without (valid) windows. */
export function nextWindow(windows: readonly WeeklyWindow[], fromMs: number): { startMs: number; endMs: number } | undefined {
    let best: { startMs: number; endMs: number } | undefined;
    const midnight = Math.floor(fromMs / DAY_MS) * DAY_MS;
    for (const w of windows) {
        const weekday = UTC_DAY[w.day];
        const time = /^(\d{2}):(\d{2})$/.exec(w.startTime);
        if (weekday === undefined || !time) continue;
        for (let offset = 0; offset <= 7; offset++) {
            const day = midnight + offset * DAY_MS;
            if (new Date(day).getUTCDay() !== weekday) continue;
            const startMs = day + (Number(time[1]) * 60 + Number(time[2])) * 60_000;
            if (startMs < fromMs) continue;
            if (!best || startMs < best.startMs) best = { startMs, endMs: startMs + w.duration * 60_000 };
            break;
        }
    }
    return best;
}

/** True when `instantMs` falls inside an occurrence of one of `windows`. */
export function insideWindow(windows: readonly WeeklyWindow[], instantMs: number): boolean {
    // An occurrence containing the instant started at most a week before it.
    for (let from = instantMs - 7 * DAY_MS; ;) {
        const occurrence = nextWindow(windows, from);
        if (!occurrence || occurrence.startMs > instantMs) return false;
        if (instantMs < occurrence.endMs) return true;
        from = occurrence.startMs + 1;
    }
}
