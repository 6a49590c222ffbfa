#!/usr/bin/env node
/**
 * `pulumi-upgrades-sim`: run vendor simulators from the command line.
 *
 * ```text
 * pulumi-upgrades-sim <vendor> [--port N] [--devices N] [--host H] [--username U --password P]
 *                     [--token-ttl S] [--reboot-ms MS] [--speed X] [--json] [--quiet] [vendor options]
 * ```
 *
 * Prints one line per device once all listen — `riverbed device-1 http://127.0.0.1:40123` (or a
 * JSON object per line with `--json`) — then runs until SIGINT/SIGTERM, when it stops every
 * device and exits 0. Device events (reboots, errors) go to stderr unless `--quiet`.
 */
import { parseArgs, type ParseArgsConfig } from "node:util";
import type { SimulatedDevice } from "./core/fleet";
import type { SimulatorVendor, VendorRegistry } from "./core/vendor-registry";
import { simulatorVendors } from "./vendors";

/** Where the CLI writes. */
export interface CliIo {
    readonly stdout: (line: string) => void;
    readonly stderr: (line: string) => void;
}

/** A running CLI session: the devices it started and how to stop them. */
export interface CliSession {
    readonly vendor: string;
    readonly devices: readonly SimulatedDevice[];
    stop(): Promise<void>;
}

/** Thrown for bad command lines; the message is meant for the user. */
export class CliUsageError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "CliUsageError";
    }
}

const COMMON_OPTIONS: NonNullable<ParseArgsConfig["options"]> = {
    port: { type: "string" },
    devices: { type: "string" },
    host: { type: "string" },
    username: { type: "string" },
    password: { type: "string" },
    "token-ttl": { type: "string" },
    "reboot-ms": { type: "string" },
    speed: { type: "string" },
    json: { type: "boolean" },
    quiet: { type: "boolean" },
    help: { type: "boolean", short: "h" },
};

/** Usage text listing every registered vendor and its options. */
export function usage(registry: VendorRegistry = simulatorVendors): string {
    const lines = [
        "Usage: pulumi-upgrades-sim <vendor> [options]",
        "",
        "Common options:",
        "  --port N          port of the first device; device i uses N+i (default 0 = any free port)",
        "  --devices N       number of devices (default 1)",
        "  --host H          interface to listen on (default 127.0.0.1)",
        "  --username U      login user (default admin)",
        "  --password P      login password (default admin)",
        "  --token-ttl S     access-token lifetime in seconds",
        "  --reboot-ms MS    reboot window (connections refused) in milliseconds",
        "  --speed X         divide default phase durations by X (explicit *-ms options are used as given)",
        "  --json            print one JSON object per device instead of text lines",
        "  --quiet           do not log device events to stderr",
        "",
        "Vendors:",
    ];
    for (const vendor of registry.list()) {
        lines.push(`  ${vendor.name}: ${vendor.summary}`);
        for (const option of vendor.options) lines.push(`      --${option.name.padEnd(20)} ${option.description}`);
    }
    lines.push("", "Control API on every device: GET /__sim, /__sim/calls, /__sim/faults, /__sim/state (see simulators/README.md).");
    return lines.join("\n");
}

function parseNumber(name: string, raw: string | undefined, check: (value: number) => boolean, rule: string): number | undefined {
    if (raw === undefined) return undefined;
    const value = Number(raw);
    if (raw.trim() === "" || !Number.isFinite(value) || !check(value)) throw new CliUsageError(`--${name} must be ${rule}, got "${raw}".`);
    return value;
}

/**
 * Parse `argv` (without `node` and the script), start the devices and print their URLs.
 * Resolves `undefined` after printing help.
 * @throws CliUsageError for a bad command line.
 */
export async function runCli(
    argv: readonly string[],
    io: CliIo,
    registry: VendorRegistry = simulatorVendors,
): Promise<CliSession | undefined> {
    const vendorName = argv[0];
    if (vendorName === undefined || vendorName === "--help" || vendorName === "-h") {
        io.stdout(usage(registry));
        return undefined;
    }
    const vendor: SimulatorVendor | undefined = registry.get(vendorName);
    if (vendor === undefined) {
        throw new CliUsageError(
            `Unknown vendor "${vendorName}". Known: ${registry
                .list()
                .map((v) => v.name)
                .join(", ")}.`,
        );
    }
    const options: NonNullable<ParseArgsConfig["options"]> = { ...COMMON_OPTIONS };
    for (const option of vendor.options) {
        if (option.name in options) throw new Error(`Vendor [${vendor.name}] option --${option.name} clashes with a common option.`);
        options[option.name] = { type: "string" };
    }
    let values: Record<string, string | boolean | (string | boolean)[] | undefined>;
    try {
        values = parseArgs({ args: [...argv.slice(1)], options, allowPositionals: false, strict: true }).values;
    } catch (error) {
        throw new CliUsageError((error as Error).message);
    }
    if (values["help"] === true) {
        io.stdout(usage(registry));
        return undefined;
    }
    const text = (name: string): string | undefined => (typeof values[name] === "string" ? (values[name] as string) : undefined);
    const port = parseNumber("port", text("port"), (v) => Number.isInteger(v) && v >= 0 && v <= 65535, "an integer from 0 to 65535") ?? 0;
    const count =
        parseNumber("devices", text("devices"), (v) => Number.isInteger(v) && v >= 1 && v <= 1000, "an integer from 1 to 1000") ?? 1;
    if (port !== 0 && port + count - 1 > 65535) throw new CliUsageError(`--port ${port} with --devices ${count} runs past port 65535.`);
    const username = text("username");
    const password = text("password");
    if ((username === undefined) !== (password === undefined)) throw new CliUsageError("--username and --password go together.");

    const quiet = values["quiet"] === true;
    const devices = await vendor.startDevices({
        count,
        host: text("host") ?? "127.0.0.1",
        port,
        username,
        password,
        tokenTtlSeconds: parseNumber("token-ttl", text("token-ttl"), (v) => v > 0, "a positive number of seconds"),
        rebootMs: parseNumber("reboot-ms", text("reboot-ms"), (v) => v >= 0, "a non-negative number of milliseconds"),
        speed: parseNumber("speed", text("speed"), (v) => v > 0, "a positive number"),
        log: quiet ? () => undefined : (line) => io.stderr(line),
        extra: Object.fromEntries(vendor.options.map((option) => [option.name, text(option.name)])),
    });
    for (const device of devices) {
        io.stdout(
            values["json"] === true
                ? JSON.stringify({ vendor: vendor.name, name: device.name, url: device.url })
                : `${vendor.name} ${device.name} ${device.url}`,
        );
    }
    return {
        vendor: vendor.name,
        devices,
        stop: async () => {
            await Promise.allSettled(devices.map((device) => device.stop()));
        },
    };
}

async function main(): Promise<void> {
    const io: CliIo = {
        stdout: (line) => process.stdout.write(`${line}\n`),
        stderr: (line) => process.stderr.write(`${line}\n`),
    };
    let session: CliSession | undefined;
    try {
        session = await runCli(process.argv.slice(2), io);
    } catch (error) {
        io.stderr(error instanceof CliUsageError ? `${error.message}\n\n${usage()}` : `pulumi-upgrades-sim: ${(error as Error).message}`);
        process.exitCode = error instanceof CliUsageError ? 2 : 1;
        return;
    }
    if (session === undefined) return;
    const running = session;
    let stopping = false;
    const shutdown = (signal: string) => {
        if (stopping) {
            // A second signal while stopping: give up waiting.
            process.exit(1);
        }
        stopping = true;
        io.stderr(`${signal}: stopping ${running.devices.length} device(s)`);
        void running.stop().then(() => process.exit(0));
    };
    process.on("SIGINT", () => shutdown("SIGINT"));
    process.on("SIGTERM", () => shutdown("SIGTERM"));
}

if (require.main === module) {
    void main();
}
