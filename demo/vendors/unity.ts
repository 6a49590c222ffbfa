/** Demo driver for Dell Unity: one array on 5.2.1 and a 48 MiB 5.3.0 candidate on disk. */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { makeUnityCandidate, startUnitySimulator } from "../../bin/simulators/index.js";
import type { DemoVendor } from "./types";

const FROM = "5.2.1.0.5.011";
const TO = "5.3.0.0.5.120";

export const unityDemo: DemoVendor = {
    name: "unity",
    async start({ password, workDir }) {
        // speed 150: the whole upgrade takes about 12 s, with a 4 s management failover (primary-SP reboot).
        const sim = await startUnitySimulator({ name: "unity-1", username: "admin", password, version: FROM, speed: 150 });
        try {
            mkdirSync(join(workDir, "images"), { recursive: true });
            const candidate = await makeUnityCandidate({
                version: TO,
                sizeBytes: 48 * 2 ** 20,
                path: join(workDir, "images", `Unity-${TO}.tgz.bin.gpg`),
            });
            return {
                config: { "unity:username": { value: "admin" }, "unity:password": { value: password, secret: true } },
                spec: { arrays: [{ name: sim.name, endpoint: sim.url }], candidate: { file: candidate.path, version: TO } },
                describe: [`unity     ${sim.name.padEnd(14)} ${sim.url}  ${sim.version}  (${sim.model})`],
                devices: [{ name: sim.name, vendor: "unity", expectedVersion: TO, readVersion: async () => sim.version }],
                stop: () => sim.stop(),
            };
        } catch (err) {
            await sim.stop();
            throw err;
        }
    },
};
