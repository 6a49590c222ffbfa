/**
 * How the CLI starts Avi controller simulators (`pulumi-upgrades-sim avi ...`).
 */
import type { SimulatorVendor, VendorStartArgs } from "../core/vendor-registry";
import { startAviFleet } from "./controller";
import type { AviSimulatorOptions, AviTimings } from "./options";

function optionalNumber(name: string, raw: string | undefined): number | undefined {
    if (raw === undefined) return undefined;
    const value = Number(raw);
    if (!Number.isFinite(value) || value < 0) throw new Error(`--${name} must be a non-negative number, got "${raw}".`);
    return value;
}

/** The Avi entry of the simulator registry. */
export const aviVendor: SimulatorVendor = {
    name: "avi",
    summary: "Avi / NSX ALB controller (login+CSRF, image upload, POST /api/upgrade, UpgradeStatusInfo, reboot)",
    options: [
        { name: "version", description: 'installed version at start (default "22.1.6")' },
        { name: "se-groups", description: 'comma-separated SE group names (default "Default-Group,sg-east")' },
        { name: "session-idle-s", description: "session idle expiry in seconds (default 900)" },
        { name: "image-ms", description: "image processing time" },
        { name: "precheck-ms", description: "prechecks time" },
        { name: "controller-task-ms", description: "time per controller task (six tasks)" },
        { name: "se-group-task-ms", description: "time per SE group task (four per group)" },
        { name: "warmup-ms", description: "503 window after the controller reboot" },
        { name: "rollback-ms", description: "automatic rollback / abort time" },
    ],
    async startDevices(args: VendorStartArgs) {
        const extra = args.extra;
        const timings: Partial<Record<keyof AviTimings, number | undefined>> = {
            rebootMs: args.rebootMs,
            imageProcessMs: optionalNumber("image-ms", extra["image-ms"]),
            precheckMs: optionalNumber("precheck-ms", extra["precheck-ms"]),
            controllerTaskMs: optionalNumber("controller-task-ms", extra["controller-task-ms"]),
            seGroupTaskMs: optionalNumber("se-group-task-ms", extra["se-group-task-ms"]),
            warmupMs: optionalNumber("warmup-ms", extra["warmup-ms"]),
            rollbackMs: optionalNumber("rollback-ms", extra["rollback-ms"]),
        };
        const idle = optionalNumber(
            "session-idle-s",
            extra["session-idle-s"] ?? (args.tokenTtlSeconds === undefined ? undefined : String(args.tokenTtlSeconds)),
        );
        const options: AviSimulatorOptions = {
            host: args.host,
            port: args.port,
            ...(args.username === undefined ? {} : { username: args.username }),
            ...(args.password === undefined ? {} : { password: args.password }),
            ...(extra["version"] === undefined ? {} : { version: extra["version"] }),
            ...(extra["se-groups"] === undefined
                ? {}
                : {
                      seGroups: extra["se-groups"]
                          .split(",")
                          .filter(Boolean)
                          .map((name) => ({ name: name.trim() })),
                  }),
            ...(idle === undefined ? {} : { settings: { sessionIdleMs: idle * 1000 } }),
            timings: Object.fromEntries(Object.entries(timings).filter(([, v]) => v !== undefined)),
            ...(args.speed === undefined ? {} : { speed: args.speed }),
            log: args.log,
        };
        const fleet = await startAviFleet(args.count, options);
        return fleet.devices;
    },
};
