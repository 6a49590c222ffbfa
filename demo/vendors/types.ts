/**
 * The driver side of `npm run demo` (see /demo-contract in the README): each vendor starts its simulated
 * appliances and says what the stack needs to upgrade them. Runs in the demo script, not in Pulumi.
 */

export interface DemoStartContext {
    /** The password every simulated appliance of this run accepts (stored in the stack as a secret). */
    password: string;
    /** The demo's scratch folder (`.demo/`): images and other files go below it. */
    workDir: string;
    /** Prints one line under "Starting simulated appliances". */
    log: (line: string) => void;
    /** The poll floor the program uses; simulators run compressed time to match. */
    pollIntervalSeconds: number;
}

export interface DemoDevice {
    name: string;
    vendor: string;
    /** The version the device itself reports now (read before and after `pulumi up`). */
    readVersion(): Promise<string>;
    /** The version it must report after the upgrade (prefix match); without it, any change counts as done. */
    expectedVersion?: string;
}

export interface DemoFleet {
    /** Stack config to set, e.g. `{"unity:password": {value, secret: true}}`. */
    config: Record<string, { value: string; secret?: boolean }>;
    /** This vendor's part of `fleet:spec` (read by `demo/program/<vendor>.ts`). */
    spec: unknown;
    /** Lines printed under "Starting simulated appliances". */
    describe: string[];
    /** Rows of the summary. */
    devices: DemoDevice[];
    stop(): Promise<void>;
}

export interface DemoVendor {
    /** The key of its spec in `fleet:spec`, and of its deploy function in `demo/program/index.ts`. */
    name: string;
    start(ctx: DemoStartContext): Promise<DemoFleet>;
}
