/**
 * How the CLI starts Riverbed simulators (`pulumi-upgrades-sim riverbed ...`).
 */
import type { SimulatorVendor, VendorStartArgs } from "../core/vendor-registry";
import { startRiverbedFleet } from "./simulator";
import type { ExpiresAtFormat, RiverbedSimulatorOptions } from "./options";

function optionalNumber(name: string, raw: string | undefined): number | undefined {
    if (raw === undefined) return undefined;
    const value = Number(raw);
    if (!Number.isFinite(value) || value < 0) throw new Error(`--${name} must be a non-negative number, got "${raw}".`);
    return value;
}

/** The Riverbed entry of the simulator registry. */
export const riverbedVendor: SimulatorVendor = {
    name: "riverbed",
    summary: "Riverbed AppResponse npm.system_update 2.0 (image upload/fetch, init/start/reset, reboot)",
    options: [
        { name: "version", description: 'installed version at start (default "11.6.0 #23947")' },
        { name: "validate-ms", description: "image validation time (VALIDATING → VALID)" },
        { name: "init-ms", description: "INITIALIZING → INITIALIZED time" },
        { name: "running-ms", description: "RUNNING time before the reboot" },
        { name: "reset-ms", description: "reset → IDLE time" },
        { name: "refresh-idle-s", description: "refresh-token idle lifetime in seconds (default 3600)" },
        { name: "transfer-idle-ms", description: "upload/fetch idle timeout before UPLOAD_ERROR (default 60000)" },
        { name: "expires-at", description: "expires_at format: epoch-seconds (default) or lifetime-seconds" },
        { name: "allow-remote-fetch", description: '"true" to allow images/fetch from non-loopback hosts' },
        { name: "upload-reply", description: 'what upload/fetch answer: image (default) or id-only ({"id": N})' },
        { name: "tokens-survive-reboot", description: '"true" keeps tokens valid across reboots (default: dropped)' },
    ],
    async startDevices(args: VendorStartArgs) {
        const extra = args.extra;
        const expiresAt = extra["expires-at"];
        if (expiresAt !== undefined && expiresAt !== "epoch-seconds" && expiresAt !== "lifetime-seconds") {
            throw new Error(`--expires-at must be epoch-seconds or lifetime-seconds, got "${expiresAt}".`);
        }
        const refreshIdleSeconds = optionalNumber("refresh-idle-s", extra["refresh-idle-s"]);
        const shared: RiverbedSimulatorOptions = {
            host: args.host,
            port: args.port,
            username: args.username,
            password: args.password,
            version: extra["version"],
            accessTokenTtlMs: args.tokenTtlSeconds === undefined ? undefined : args.tokenTtlSeconds * 1000,
            refreshTokenIdleMs: refreshIdleSeconds === undefined ? undefined : refreshIdleSeconds * 1000,
            transferIdleTimeoutMs: optionalNumber("transfer-idle-ms", extra["transfer-idle-ms"]),
            expiresAtFormat: expiresAt as ExpiresAtFormat | undefined,
            allowRemoteFetch: extra["allow-remote-fetch"] === "true",
            uploadReply: extra["upload-reply"] as RiverbedSimulatorOptions["uploadReply"],
            tokensSurviveReboot: extra["tokens-survive-reboot"] === undefined ? undefined : extra["tokens-survive-reboot"] === "true",
            speed: args.speed,
            timings: {
                rebootMs: args.rebootMs,
                validateMs: optionalNumber("validate-ms", extra["validate-ms"]),
                initMs: optionalNumber("init-ms", extra["init-ms"]),
                runningMs: optionalNumber("running-ms", extra["running-ms"]),
                resetMs: optionalNumber("reset-ms", extra["reset-ms"]),
            },
            log: args.log,
        };
        const fleet = await startRiverbedFleet(args.count, dropUndefined(shared));
        return fleet.devices;
    },
};

/** Remove undefined fields so they do not override defaults when options are spread. */
function dropUndefined(options: RiverbedSimulatorOptions): RiverbedSimulatorOptions {
    const timings = Object.fromEntries(Object.entries(options.timings ?? {}).filter(([, value]) => value !== undefined));
    const rest = Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined));
    return { ...rest, timings } as RiverbedSimulatorOptions;
}
