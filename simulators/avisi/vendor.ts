/**
 * How the CLI starts the Avisi Cloud simulator (`pulumi-upgrades-sim avisi ...`). `--devices N`
 * starts N independent organisations.
 */
import { startFleet } from "../core/fleet";
import type { SimulatorVendor, VendorStartArgs } from "../core/vendor-registry";
import { AVISI_DEFAULT_ORGANISATION } from "./constants";
import { startAvisiSimulator } from "./simulator";

function optionalBoolean(name: string, raw: string | undefined): boolean | undefined {
    if (raw === undefined) return undefined;
    if (raw !== "true" && raw !== "false") throw new Error(`--${name} must be true or false, got "${raw}".`);
    return raw === "true";
}

/** The Avisi Cloud entry of the simulator registry. */
export const avisiVendor: SimulatorVendor = {
    name: "avisi",
    summary: "Avisi Cloud API (Token auth, clusters, maintenance schedules, scheduled cluster upgrades on simulated time)",
    options: [
        {
            name: "token",
            description:
                "personal access token accepted as `Authorization: Token <pat>` (default avisi-pat-0123456789; --password is an alias)",
        },
        { name: "organisation", description: `organisation slug (default "${AVISI_DEFAULT_ORGANISATION}")` },
        { name: "cluster-version", description: 'version the cluster k8s-prod runs at start (default "1.30.6")' },
        { name: "time-scale", description: "simulated ms per real ms (default 1; 20000 lets a week pass in 30 s); --speed is an alias" },
        { name: "public-read", description: '"false": no public GET of scheduled upgrades (404), as the documented API' },
        { name: "public-cancel", description: '"false": no public DELETE of scheduled upgrades (404)' },
    ],
    async startDevices(args: VendorStartArgs) {
        const extra = args.extra;
        const scaleText = extra["time-scale"];
        const timeScale = scaleText === undefined ? args.speed : Number(scaleText);
        if (timeScale !== undefined && !(timeScale > 0)) throw new Error(`--time-scale must be a positive number, got "${scaleText}".`);
        const settings = Object.fromEntries(
            Object.entries({
                publicRead: optionalBoolean("public-read", extra["public-read"]),
                publicCancel: optionalBoolean("public-cancel", extra["public-cancel"]),
            }).filter(([, v]) => v !== undefined),
        );
        const fleet = await startFleet(args.count, (index) =>
            startAvisiSimulator({
                name: `avisi-cloud-${index + 1}`,
                host: args.host,
                port: args.port === 0 ? 0 : args.port + index,
                token: extra["token"] ?? args.password,
                organisation: extra["organisation"],
                clusters: extra["cluster-version"]
                    ? [{ slug: "k8s-prod", environment: "production", version: extra["cluster-version"] }]
                    : undefined,
                timeScale,
                settings,
                log: args.log,
            }),
        );
        for (const sim of fleet.devices) {
            const { originMs, scale } = sim.time;
            args.log(
                `${sim.name} organisation=${sim.organisation} token=${sim.token} clusters=${sim.cloud.clusters.map((c) => `${c.environmentSlug}/${c.slug}@${c.version}`).join(",")}`,
            );
            if (scale !== 1)
                args.log(
                    `${sim.name} simulated time ×${scale}: AVISI_SIMULATED_TIME_SCALE=${scale} AVISI_SIMULATED_TIME_ORIGIN=${originMs}`,
                );
        }
        return fleet.devices;
    },
};
