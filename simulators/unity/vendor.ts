/**
 * How the CLI starts Unity simulators (`pulumi-upgrades-sim unity ...`).
 */
import type { SimulatorVendor, VendorStartArgs } from "../core/vendor-registry";
import type { UnityEligibilityFailureStyle, UnityFailoverMode, UnitySimulatorOptions, UnityTimings } from "./options";
import { startUnityFleet } from "./simulator";

function optionalNumber(name: string, raw: string | undefined): number | undefined {
    if (raw === undefined) return undefined;
    const value = Number(raw);
    if (raw.trim() === "" || !Number.isFinite(value) || value < 0)
        throw new Error(`--${name} must be a non-negative number, got "${raw}".`);
    return value;
}

function optionalBoolean(name: string, raw: string | undefined): boolean | undefined {
    if (raw === undefined) return undefined;
    if (raw !== "true" && raw !== "false") throw new Error(`--${name} must be true or false, got "${raw}".`);
    return raw === "true";
}

function oneOf<T extends string>(name: string, raw: string | undefined, allowed: readonly T[]): T | undefined {
    if (raw === undefined) return undefined;
    if (!allowed.includes(raw as T)) throw new Error(`--${name} must be ${allowed.join(" or ")}, got "${raw}".`);
    return raw as T;
}

const TIMING_OPTIONS: ReadonlyArray<[string, keyof UnityTimings]> = [
    ["prepare-ms", "prepareMs"],
    ["health-check-ms", "healthCheckMs"],
    ["preinstall-ms", "preinstallMs"],
    ["peer-reboot-ms", "peerRebootMs"],
    ["post-ms", "postMs"],
];

/** The Unity entry of the simulator registry. */
export const unityVendor: SimulatorVendor = {
    name: "unity",
    summary: "Dell Unity Unisphere REST (candidate upload, softwareUpgradeSession, primary-SP failover)",
    options: [
        { name: "version", description: 'installed version at start (default "5.2.1.0.5.011")' },
        { name: "model", description: 'model in basicSystemInfo (default "Unity 480F")' },
        ...TIMING_OPTIONS.map(([name]) => ({
            name,
            description: `duration of that upgrade task in ms (--reboot-ms sets the primary-SP failover)`,
        })),
        { name: "failover", description: "how the primary-SP failover looks: unreachable (default) or 503" },
        { name: "degraded-component", description: 'a degraded component, e.g. "SP B power supply": eligibility fails' },
        { name: "eligibility-failure", description: "failed eligibility answers: messages (200, default) or error (422)" },
        { name: "csrf-on-every-get", description: "true: EMC-CSRF-TOKEN on every GET, not only the login GET" },
        { name: "keep-candidate", description: "true: keep the candidate after a completed upgrade" },
    ],
    async startDevices(args: VendorStartArgs) {
        const extra = args.extra;
        const timings: Partial<Record<keyof UnityTimings, number>> = {};
        if (args.rebootMs !== undefined) timings.primaryRebootMs = args.rebootMs;
        for (const [name, key] of TIMING_OPTIONS) {
            const value = optionalNumber(name, extra[name]);
            if (value !== undefined) timings[key] = value;
        }
        const options: Record<string, unknown> = {
            host: args.host,
            port: args.port,
            username: args.username,
            password: args.password,
            version: extra["version"],
            model: extra["model"],
            speed: args.speed,
            timings,
            failoverMode: oneOf<UnityFailoverMode>("failover", extra["failover"], ["unreachable", "503"]),
            degradedComponent: extra["degraded-component"],
            eligibilityFailureStyle: oneOf<UnityEligibilityFailureStyle>("eligibility-failure", extra["eligibility-failure"], [
                "messages",
                "error",
            ]),
            csrfOnEveryGet: optionalBoolean("csrf-on-every-get", extra["csrf-on-every-get"]),
            keepCandidateAfterUpgrade: optionalBoolean("keep-candidate", extra["keep-candidate"]),
            idleTimeoutSeconds: args.tokenTtlSeconds,
            log: args.log,
        };
        const defined = Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined)) as UnitySimulatorOptions;
        const fleet = await startUnityFleet(args.count, defined);
        return fleet.devices;
    },
};
