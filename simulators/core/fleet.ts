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
