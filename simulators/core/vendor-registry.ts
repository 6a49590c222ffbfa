/**
 * The registry the CLI uses to find simulators by vendor name. Each vendor module registers one
 * {@link SimulatorVendor}; adding a vendor never touches the CLI itself.
 */
import type { SimulatedDevice } from "./fleet";

/** An extra command-line option a vendor understands (always a string value on the command line). */
export interface VendorCliOption {
    readonly name: string;
    readonly description: string;
}

/** Options the CLI passes to every vendor. Vendor-specific values arrive in `extra`. */
export interface VendorStartArgs {
    /** Number of devices to start (≥ 1). */
    readonly count: number;
    /** Interface to listen on. */
    readonly host: string;
    /** Port of the first device; device i listens on `port + i`. 0 = any free port for every device. */
    readonly port: number;
    readonly username?: string;
    readonly password?: string;
    /** Access-token lifetime in seconds. */
    readonly tokenTtlSeconds?: number;
    /** Reboot (connection refused) window in milliseconds. */
    readonly rebootMs?: number;
    /** Time compression factor for default phase durations (2 = twice as fast). */
    readonly speed?: number;
    /** Log sink for device events. */
    readonly log: (line: string) => void;
    /** Values of the vendor's own options, by option name. */
    readonly extra: Readonly<Record<string, string | undefined>>;
}

/** A vendor simulator as the CLI sees it. */
export interface SimulatorVendor {
    /** Name used on the command line, e.g. `riverbed`. */
    readonly name: string;
    /** One-line description for `--help`. */
    readonly summary: string;
    /** Vendor-specific options accepted as `--name value`. */
    readonly options: readonly VendorCliOption[];
    /** Start the requested devices. */
    startDevices(args: VendorStartArgs): Promise<readonly SimulatedDevice[]>;
}

/** Vendors by name. */
export class VendorRegistry {
    private readonly vendors = new Map<string, SimulatorVendor>();

    /** Register a vendor. @throws Error if the name is taken. */
    register(vendor: SimulatorVendor): this {
        if (this.vendors.has(vendor.name)) throw new Error(`Simulator vendor [${vendor.name}] is already registered.`);
        this.vendors.set(vendor.name, vendor);
        return this;
    }

    /** Look a vendor up by name. */
    get(name: string): SimulatorVendor | undefined {
        return this.vendors.get(name);
    }

    /** All vendors, sorted by name. */
    list(): SimulatorVendor[] {
        return [...this.vendors.values()].sort((a, b) => a.name.localeCompare(b.name));
    }
}
