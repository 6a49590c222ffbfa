/**
 * Demo driver for Avi / NSX ALB: one controller cluster on 22.1.6 with two SE groups, a standing
 * must-check warning (accepted with skipWarnings), and a 32 MiB 22.1.7 controller package on disk.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { makeAviPackage, startAviSimulator } from "../../bin/simulators/index.js";
import { sha256File } from "../../bin/provider/core/upload.js";
import type { DemoVendor } from "./types";

const TO = "22.1.7";

export const aviDemo: DemoVendor = {
    name: "avi",
    async start({ password, workDir }) {
        const sim = await startAviSimulator({
            name: "alb-ctrl-1",
            password,
            speed: 60,
            settings: {
                precheckWarnings: [{ check_code: "SYSERR_BACKUP_OLD", description: "No configuration backup in the last 7 days." }],
            },
        });
        try {
            mkdirSync(join(workDir, "images"), { recursive: true });
            const file = join(workDir, "images", `controller-${TO}.pkg`);
            const pkg = await makeAviPackage(file, { version: TO, payloadBytes: 32 * 2 ** 20 });
            return {
                config: { "avi:username": { value: "admin" }, "avi:password": { value: password, secret: true } },
                spec: { controllers: [{ name: sim.name, endpoint: sim.url }], image: { file, sha256: await sha256File(file) } },
                describe: [`avi       ${sim.name.padEnd(14)} ${sim.url}  ${sim.versionTag}  (cluster + SE groups Default-Group, sg-east)`],
                devices: [{ name: sim.name, vendor: "avi", expectedVersion: pkg.tag, readVersion: async () => sim.versionTag }],
                stop: () => sim.stop(),
            };
        } catch (err) {
            await sim.stop();
            throw err;
        }
    },
};
