/**
 * Helpers for the Avisi tests: a simulator on a manual clock that starts on a known Wednesday, and
 * a raw client that sends `Authorization: Token <pat>`.
 */
import { ManualClock } from "../../../simulators/core/clock";
import { startAvisiSimulator, type AvisiSimulator, type AvisiSimulatorOptions } from "../../../simulators/avisi";
import { http, type HttpOptions, type HttpResult } from "../simulators/helpers";

export { eventually } from "../simulators/helpers";

/** Wednesday 2026-12-02 10:00 UTC: the default window (Tuesday 02:00–06:00) is 5 days 16 hours away. */
export const WEDNESDAY = Date.parse("2026-12-02T10:00:00Z");
export const NEXT_TUESDAY_WINDOW = { start: "2026-12-08T02:00:00.000Z", end: "2026-12-08T06:00:00.000Z" };
export const TOKEN = "pat-Secret-4711-avisi";
export const HOUR = 3_600_000;

/** A simulator on a manual clock starting at {@link WEDNESDAY}. */
export async function startManualAvisi(options: AvisiSimulatorOptions = {}): Promise<{ sim: AvisiSimulator; clock: ManualClock }> {
    const clock = new ManualClock(WEDNESDAY);
    const sim = await startAvisiSimulator({ token: TOKEN, clock, ...options });
    return { sim, clock };
}

/** One API call with the user's token (or `auth` as the whole Authorization header). */
export function api(sim: AvisiSimulator, path: string, options: HttpOptions & { auth?: string } = {}): Promise<HttpResult> {
    return http(`${sim.url}${path}`, {
        ...options,
        headers: { Authorization: options.auth ?? `Token ${TOKEN}`, ...(options.headers ?? {}) },
    });
}

/** POST a scheduled upgrade. */
export function requestUpgrade(sim: AvisiSimulator, body: Record<string, unknown>): Promise<HttpResult> {
    return api(sim, `/api/v1/orgs/${sim.organisation}/scheduled-cluster-upgrades`, { method: "POST", json: body });
}
