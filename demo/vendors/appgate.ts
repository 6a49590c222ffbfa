/** Demo driver for Appgate SDP: one collective on 6.3.2 (2 controllers, 4 gateways in 2 sites) serving the 6.4.1 image. */
import { startAppgateSimulator } from "../../bin/simulators/index.js";
import type { DemoVendor } from "./types";

const FROM = "6.3.2+36260";
const TO = "6.4.1+40123";
const IMAGE = "appgate-6.4.1-40123-release.img.zip";
const SITES = ["east", "west"];

export const appgateDemo: DemoVendor = {
    name: "appgate",
    async start({ password }) {
        const collective = await startAppgateSimulator({
            name: "sdp-collective",
            password,
            version: FROM,
            speed: 100,
            appliances: [
                { name: "controller-1", role: "controller", site: "hq" },
                { name: "controller-2", role: "controller", site: "hq" },
                ...SITES.flatMap((site) => [1, 2].map((n) => ({ name: `gw-${site}-${n}`, role: "gateway" as const, site }))),
            ],
        });
        const appliances = collective.state().appliances;
        const versionOf = (name: string) => collective.state().appliances.find((a) => a.name === name)?.version ?? "?";
        return {
            config: {
                "appgate:endpoint": { value: collective.url },
                "appgate:username": { value: "admin" },
                "appgate:password": { value: password, secret: true },
            },
            spec: {
                imageUrl: `${collective.url}/__sim/images/${IMAGE}`,
                controllers: appliances.filter((a) => a.role === "controller").map((a) => ({ name: a.name, id: a.id })),
                sites: SITES.map((site) => ({
                    name: site,
                    gateways: appliances
                        .filter((a) => a.role === "gateway" && a.siteName === site)
                        .map((a) => ({ name: a.name, id: a.id })),
                })),
            },
            describe: [`appgate   ${"controller".padEnd(14)} ${collective.url}/admin  (${appliances.length} appliances)`],
            devices: appliances.map((a) => ({
                name: a.name,
                vendor: "appgate",
                expectedVersion: TO,
                readVersion: async () => versionOf(a.name),
            })),
            stop: () => collective.stop(),
        };
    },
};
