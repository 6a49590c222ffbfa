/**
 * The Avisi Cloud part of `npm run demo`: one simulated organisation whose time runs ×20 000 (a
 * day passes in 4.3 s), cluster `production/k8s-prod` on 1.30.6. The provider follows the same
 * clock through the stack config `avisi:simulatedTimeScale`/`avisi:simulatedTimeOrigin`, so waiting
 * for the upgrade's window takes seconds.
 */
import { startAvisiSimulator } from "../../bin/simulators/index.js";
import type { DemoVendor } from "./types";

/** Simulated ms per real ms. */
const TIME_SCALE = 20_000;

export const avisiDemo: DemoVendor = {
    name: "avisi",
    async start({ password, log }) {
        const sim = await startAvisiSimulator({ token: password, timeScale: TIME_SCALE, log: () => undefined });
        const cluster = sim.cluster("k8s-prod");
        const { originMs, scale } = sim.time;
        log(`avisi simulated time ×${scale}: a week passes in ${Math.round((7 * 86_400_000) / scale / 1000)} s`);
        return {
            config: {
                "avisi:endpoint": { value: sim.url },
                "avisi:organisation": { value: sim.organisation },
                "avisi:token": { value: password, secret: true },
                "avisi:simulatedTimeScale": { value: String(scale) },
                "avisi:simulatedTimeOrigin": { value: String(originMs) },
            },
            spec: {
                clusters: [{ name: cluster.slug, environment: cluster.environmentSlug, version: "1.31.10" }],
                // Every night 02:00–06:00 UTC: the next window is never more than a day (4.3 s) away.
                windows: ["MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY"].map((day) => ({
                    day,
                    startTime: "02:00",
                    duration: 240,
                })),
            },
            describe: [
                `avisi     ${cluster.environmentSlug}/${cluster.slug}  ${sim.url}  ${cluster.version}  (organisation ${sim.organisation}, time ×${scale})`,
            ],
            devices: [{ name: cluster.slug, vendor: "avisi", readVersion: async () => sim.cluster("k8s-prod").version }],
            stop: () => sim.stop(),
        };
    },
};
