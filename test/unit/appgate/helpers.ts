/**
 * Helpers for the Appgate tests: a raw admin-API client over node:http (no pooling, nothing
 * outlives a test), fast simulator timings and bounded polling.
 */
import type { ApplianceUpgradeInputs } from "../../../provider/appgate/appliance-upgrade-handler";
import type { AppgateSimulator, AppgateTimings } from "../../../simulators/appgate";
import { http, type HttpOptions, type HttpResult } from "../simulators/helpers";

export { eventually, http, httpOrErrorCode } from "../simulators/helpers";

/** Phase durations for unit tests (ms). The reboot is long enough to observe, short enough to wait for. */
export const FAST: AppgateTimings = {
    idleAfterPrepareMs: 0,
    startMs: 5,
    downloadMs: 10,
    verifyMs: 5,
    installMs: 20,
    rebootMs: 250,
    cancelMs: 5,
};

export const DEVICE_ID = "0f3c2a1e-7b5d-4c9e-8a21-5d6f7e8a9b0c";

/** `Accept` header of peer version `v`. */
export function accept(v: number): Record<string, string> {
    return { Accept: `application/vnd.appgate.peer-v${v}+json` };
}

/** A logged-in raw client of one simulator, speaking peer version `version`. */
export async function adminClient(sim: AppgateSimulator, version = sim.peerVersionRange().max) {
    const login = await http(`${sim.adminUrl}/login`, {
        method: "POST",
        headers: accept(version),
        json: { providerName: sim.identityProvider, username: sim.username, password: sim.password, deviceId: DEVICE_ID },
    });
    if (login.status !== 200) throw new Error(`login failed: ${login.status} ${login.text}`);
    const token: string = login.body.token;
    const call = (path: string, options: HttpOptions = {}): Promise<HttpResult> =>
        http(`${sim.adminUrl}${path}`, { ...options, token, headers: { ...accept(version), ...(options.headers ?? {}) } });
    return {
        token,
        login: login.body,
        call,
        upgrade: async (id: string) => (await call(`/appliances/${id}/upgrade`)).body as { status: string; details: string },
        prepare: (id: string, imageUrl: string) => call(`/appliances/${id}/upgrade/prepare`, { method: "POST", json: { imageUrl } }),
        complete: (id: string, switchPartition?: boolean) =>
            call(`/appliances/${id}/upgrade/complete`, { method: "POST", json: switchPartition === undefined ? {} : { switchPartition } }),
        cancel: (id: string) => call(`/appliances/${id}/upgrade`, { method: "DELETE" }),
        change: async (id: string, changeId: string) => (await call(`/appliances/${id}/change/${changeId}`)).body,
    };
}

/**
 * Lets simulated time pass on `clock` (100 ms per step, at most an hour) until `probe` answers
 * something: the fake-clock counterpart of {@link eventually}.
 */
export async function whenSimulated<T>(
    clock: { sleep(ms: number): Promise<void> },
    probe: () => T | undefined | Promise<T | undefined>,
): Promise<T> {
    for (let step = 0; step < 36_000; step++) {
        const value = await probe();
        if (value !== undefined) return value;
        await clock.sleep(100);
    }
    throw new Error("not reached within an hour of simulated time");
}

/**
 * Handler inputs that upgrade `appliance` of `sim` to `target`, logging in as `admin` with
 * `password`; `extra` sets what a test varies (stage, budgets, cadence).
 */
export function upgradeInputs(
    sim: AppgateSimulator,
    appliance: string,
    target: string,
    password: string,
    extra: Partial<ApplianceUpgradeInputs> = {},
): ApplianceUpgradeInputs {
    return {
        __logName: appliance,
        connection: { endpoint: sim.adminUrl, username: "admin", password },
        applianceId: sim.appliance(appliance).id,
        imageUrl: sim.imageUrl(target),
        targetVersion: target,
        ...extra,
    };
}
