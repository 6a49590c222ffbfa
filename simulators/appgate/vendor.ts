/**
 * How the CLI starts Appgate simulators (`pulumi-upgrades-sim appgate ...`). `--devices N` starts N
 * independent collectives, each with its own controller port.
 */
import type { SimulatorVendor, VendorStartArgs } from "../core/vendor-registry";
import { APPGATE_DEFAULT_SITE } from "./constants";
import type { AppgateApplianceSpec, AppgateSimulatorOptions, AppgateTimings } from "./options";
import { startAppgateFleet } from "./simulator";

function optionalNumber(name: string, raw: string | undefined, integer = false): number | undefined {
    if (raw === undefined) return undefined;
    const value = Number(raw);
    if (raw.trim() === "" || !Number.isFinite(value) || value < 0 || (integer && !Number.isInteger(value))) {
        throw new Error(`--${name} must be a non-negative ${integer ? "integer" : "number"}, got "${raw}".`);
    }
    return value;
}

function optionalBoolean(name: string, raw: string | undefined): boolean | undefined {
    if (raw === undefined) return undefined;
    if (raw !== "true" && raw !== "false") throw new Error(`--${name} must be true or false, got "${raw}".`);
    return raw === "true";
}

/** The appliances a command line asks for: controllers in the first site, gateways spread over the sites. */
export function appliancesFromCli(controllers: number, gateways: number, sites: readonly string[]): AppgateApplianceSpec[] {
    if (controllers < 1) throw new Error("--controllers must be at least 1 (the primary controller serves the admin API).");
    const specs: AppgateApplianceSpec[] = [];
    for (let i = 1; i <= controllers; i++) specs.push({ name: `controller-${i}`, role: "controller", site: sites[0] });
    for (let i = 1; i <= gateways; i++) specs.push({ name: `gateway-${i}`, role: "gateway", site: sites[(i - 1) % sites.length] });
    return specs;
}

/** The Appgate entry of the simulator registry. */
export const appgateVendor: SimulatorVendor = {
    name: "appgate",
    summary:
        "Appgate SDP Controller admin API under /admin (peer-version negotiation, login, appliance upgrade prepare/complete/cancel, reboots)",
    options: [
        { name: "version", description: 'version every appliance runs at start (default "6.3.2+36260")' },
        { name: "controllers", description: "controllers in the collective (default 1; the first is the primary serving the API)" },
        { name: "gateways", description: "gateways (default 2)" },
        { name: "sites", description: `comma-separated site names; gateways are spread over them (default "${APPGATE_DEFAULT_SITE}")` },
        { name: "identity-provider", description: 'identity provider of the admin user (default "local")' },
        { name: "peer-versions-back", description: "peer API versions accepted below the controller's own (default 2)" },
        { name: "idle-after-prepare-ms", description: "upgrade status still reads idle this long after a prepare (the sdpctl#319 race)" },
        { name: "start-ms", description: "started → downloading time" },
        { name: "download-ms", description: "minimum downloading time" },
        { name: "verify-ms", description: "verifying → ready time" },
        { name: "install-ms", description: "installing time before success / the reboot" },
        { name: "cancel-ms", description: "cancel → idle time" },
        {
            name: "controller-down-while-installing",
            description: '"false" keeps the admin API up while the primary controller installs (default true: 502)',
        },
        { name: "allow-remote-fetch", description: '"true" to allow image downloads from non-loopback hosts' },
        {
            name: "idle-after-prepare-reads",
            description: "upgrade status reads idle for N reads after each prepare, whatever the change record says (default 0)",
        },
        { name: "prepare-change-completes", description: "when a prepare's change completes: downloading (default), accepted or ready" },
        {
            name: "rebooting-appliance-replies",
            description: "json-502 (default) or plain-502-every-call for requests about a rebooting appliance",
        },
        { name: "busy-prepare-status", description: "status of a prepare refused while busy: 412 (default) or 409" },
        { name: "change-failure-details", description: "what a failed change says: appliance (default, the reason) or generic" },
        { name: "tokens-survive-reboot", description: '"true" keeps tokens across the controller\'s reboot (default: dropped)' },
    ],
    async startDevices(args: VendorStartArgs) {
        const extra = args.extra;
        const sites = (extra["sites"] ?? APPGATE_DEFAULT_SITE)
            .split(",")
            .map((site) => site.trim())
            .filter((site) => site !== "");
        if (sites.length === 0) throw new Error("--sites needs at least one site name.");
        const timings: Partial<Record<keyof AppgateTimings, number | undefined>> = {
            rebootMs: args.rebootMs,
            idleAfterPrepareMs: optionalNumber("idle-after-prepare-ms", extra["idle-after-prepare-ms"]),
            startMs: optionalNumber("start-ms", extra["start-ms"]),
            downloadMs: optionalNumber("download-ms", extra["download-ms"]),
            verifyMs: optionalNumber("verify-ms", extra["verify-ms"]),
            installMs: optionalNumber("install-ms", extra["install-ms"]),
            cancelMs: optionalNumber("cancel-ms", extra["cancel-ms"]),
        };
        const options: AppgateSimulatorOptions = {
            host: args.host,
            port: args.port,
            username: args.username,
            password: args.password,
            identityProvider: extra["identity-provider"],
            version: extra["version"],
            appliances: appliancesFromCli(
                optionalNumber("controllers", extra["controllers"], true) ?? 1,
                optionalNumber("gateways", extra["gateways"], true) ?? 2,
                sites,
            ),
            tokenTtlMs: args.tokenTtlSeconds === undefined ? undefined : args.tokenTtlSeconds * 1000,
            peerVersionsBack: optionalNumber("peer-versions-back", extra["peer-versions-back"], true),
            controllerDownWhileInstalling: optionalBoolean("controller-down-while-installing", extra["controller-down-while-installing"]),
            allowRemoteFetch: optionalBoolean("allow-remote-fetch", extra["allow-remote-fetch"]),
            idleAfterPrepareReads: optionalNumber("idle-after-prepare-reads", extra["idle-after-prepare-reads"], true),
            prepareChangeCompletes: extra["prepare-change-completes"] as AppgateSimulatorOptions["prepareChangeCompletes"],
            rebootingApplianceReplies: extra["rebooting-appliance-replies"] as AppgateSimulatorOptions["rebootingApplianceReplies"],
            busyPrepareStatus: optionalNumber(
                "busy-prepare-status",
                extra["busy-prepare-status"],
                true,
            ) as AppgateSimulatorOptions["busyPrepareStatus"],
            changeFailureDetails: extra["change-failure-details"] as AppgateSimulatorOptions["changeFailureDetails"],
            tokensSurviveReboot: optionalBoolean("tokens-survive-reboot", extra["tokens-survive-reboot"]),
            speed: args.speed,
            timings: Object.fromEntries(Object.entries(timings).filter(([, value]) => value !== undefined)),
            log: args.log,
        };
        const fleet = await startAppgateFleet(
            args.count,
            Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined)) as AppgateSimulatorOptions,
        );
        return fleet.devices;
    },
};
