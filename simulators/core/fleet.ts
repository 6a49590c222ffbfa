/**
 * Several simulated devices in one process, each on its own port.
 */

/** The minimum a simulated device offers: a name, a base URL and a way to stop it. */
export interface SimulatedDevice {
    readonly name: string;
    readonly url: string;
    stop(): Promise<void>;
}

/** A group of running devices stopped together. */
export interface Fleet<Device extends SimulatedDevice> {
    readonly devices: readonly Device[];
    /** Stop every device (in parallel). Idempotent as long as each device's `stop()` is. */
    stop(): Promise<void>;
}

/**
 * Start `count` devices one after another with `startDevice(index)` (index from 0). If one fails to
 * start, the ones already running are stopped before the error is rethrown, so nothing leaks.
 */
export async function startFleet<Device extends SimulatedDevice>(
    count: number,
    startDevice: (index: number) => Promise<Device>,
): Promise<Fleet<Device>> {
    if (!Number.isInteger(count) || count < 1) throw new Error(`Fleet [count] must be a positive integer, got ${count}.`);
    const devices: Device[] = [];
    try {
        for (let index = 0; index < count; index++) devices.push(await startDevice(index));
    } catch (error) {
        await Promise.allSettled(devices.map((device) => device.stop()));
        throw error;
    }
    return {
        devices,
        stop: async () => {
            await Promise.allSettled(devices.map((device) => device.stop()));
        },
    };
}

/**
 * Start a fleet from a count or a list of per-device options merged over `shared`. Devices without a
 * name are called `<namePrefix>-1`, …; with a non-zero `shared.port`, device `i` listens on
 * `shared.port + i`, else on a free port.
 */
export function startNamedFleet<Options extends { name?: string; port?: number }, Device extends SimulatedDevice>(
    devices: number | readonly Options[],
    shared: Options,
    namePrefix: string,
    start: (options: Options) => Promise<Device>,
): Promise<Fleet<Device>> {
    const perDevice: readonly Options[] = typeof devices === "number" ? Array.from({ length: devices }, () => ({}) as Options) : devices;
    return startFleet(perDevice.length, (index) => {
        const own = perDevice[index]!;
        const port = own.port ?? (shared.port !== undefined && shared.port !== 0 ? shared.port + index : 0);
        return start({ ...shared, ...own, name: own.name ?? `${namePrefix}-${index + 1}`, port });
    });
}
