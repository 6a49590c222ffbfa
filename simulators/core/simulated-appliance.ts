/**
 * What every simulated appliance (or controller) exposes, whatever the vendor: its URL and port,
 * call counters, fault rules, reboot windows and a clean stop. Vendors extend this and add their
 * own state machines; the HTTP side lives in the {@link DeviceServer} they hand to it.
 */
import { EventEmitter } from "node:events";
import type { CallCounter } from "./call-counter";
import type { DeviceServer } from "./device-server";
import type { FaultInjector } from "./faults";
import type { SimulatedDevice } from "./fleet";

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- EventEmitter constrains its event map with any[] listener arguments
export abstract class SimulatedAppliance<Events extends Record<keyof Events, any[]>>
    extends EventEmitter<Events>
    implements SimulatedDevice
{
    abstract readonly name: string;
    /** The HTTP server, with reboot windows, faults and counters. */
    protected abstract readonly server: DeviceServer;

    /** The vendor's configured reboot window, used when {@link reboot} is called without a duration. */
    protected abstract rebootWindowMs(): number;
    /** Cancels the vendor's timers and in-flight transfers before the server closes. */
    protected abstract beforeStop(): void;

    /** Base URL, e.g. `http://127.0.0.1:40123`. */
    get url(): string {
        return this.server.url;
    }

    /** Port the simulator listens on (kept across reboots). */
    get port(): number {
        return this.server.port;
    }

    /** Per-operation call counters (operation names are listed by `GET /__sim`). */
    get calls(): CallCounter {
        return this.server.calls;
    }

    /** Fault rules for API requests (5xx, 429, reset, delay). */
    get faults(): FaultInjector {
        return this.server.faults;
    }

    /** True while the simulator accepts connections. */
    get online(): boolean {
        return this.server.online;
    }

    /**
     * Reboot without upgrading: connections are refused for `downtimeMs` (default: the configured
     * reboot window). Resolves once the simulator is down.
     */
    reboot(downtimeMs: number = this.rebootWindowMs()): Promise<void> {
        return this.server.reboot(downtimeMs);
    }

    /** Resolves when the simulator accepts connections (immediately if it does). */
    whenOnline(): Promise<void> {
        return this.server.whenOnline();
    }

    /** Stop: cancel timers and transfers, close the server. Idempotent. */
    async stop(): Promise<void> {
        this.beforeStop();
        await this.server.stop();
    }
}
