/** Demo driver for Riverbed AppResponse: three probes on 11.6.0 and a 32 MiB 11.7.0 image on disk. */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { makeRiverbedImage, startRiverbedFleet } from "../../bin/simulators/index.js";
import type { DemoVendor } from "./types";

const FROM = "11.6.0 #23947";
const TO = "11.7.0 #24010";

export const riverbedDemo: DemoVendor = {
    name: "riverbed",
    async start({ password, workDir }) {
        const fleet = await startRiverbedFleet(
            ["ar-lon-1", "ar-nyc-1", "ar-sin-1"].map((name) => ({ name, password, version: FROM, speed: 40 })),
        );
        try {
            mkdirSync(join(workDir, "images"), { recursive: true });
            const image = await makeRiverbedImage({
                version: TO,
                sizeBytes: 32 * 2 ** 20,
                path: join(workDir, "images", "appresponse-11.7.0.img"),
            });
            return {
                config: { "riverbed:username": { value: "admin" }, "riverbed:password": { value: password, secret: true } },
                spec: {
                    devices: fleet.devices.map((d) => ({ name: d.name, endpoint: d.url })),
                    image: { file: image.path, sha256: image.sha256 },
                },
                describe: fleet.devices.map((d) => `riverbed  ${d.name.padEnd(14)} ${d.url}  ${d.version}`),
                devices: fleet.devices.map((d) => ({
                    name: d.name,
                    vendor: "riverbed",
                    expectedVersion: TO,
                    readVersion: async () => d.version,
                })),
                stop: () => fleet.stop(),
            };
        } catch (err) {
            await fleet.stop();
            throw err;
        }
    },
};
