/**
 * The simulated fleet of bench/preview-scale, in the bench process: `devices` split evenly over Riverbed probes,
 * Appgate appliances (one collective), Unity arrays, Avi controllers and Avisi clusters (one organisation), every
 * simulator time-compressed so `pulumi up` of the whole fleet takes a minute or two. Each vendor's API calls are
 * counted by the simulators themselves (`calls`, control requests excluded), which is what "vendor calls during a
 * preview" is read from.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import {
    makeAviPackage,
    makeRiverbedImage,
    makeUnityCandidate,
    startAppgateSimulator,
    startAviSimulator,
    startAvisiSimulator,
    startRiverbedSimulator,
    startUnitySimulator,
} from "../../bin/simulators/index.js";
import { sha256File } from "../../bin/provider/core/upload.js";

export const VENDORS = ["riverbed", "appgate", "unity", "avi", "avisi"] as const;
export type Vendor = (typeof VENDORS)[number];

/** Anything with the simulators' call counters. */
interface Counted {
    calls: { snapshot(): Record<string, { received: number }> };
    stop(): Promise<void>;
}

export interface BenchFleet {
    /** `bench:spec` of the fleet program. */
    spec: unknown;
    /** Stack config: each vendor's credentials (passwords as secrets). */
    config: Record<string, { value: string; secret?: boolean }>;
    /** Devices per vendor. */
    devices: Record<Vendor, number>;
    /** Vendor API requests received so far, per vendor and per operation (`vendor:operation`). */
    calls(): { total: Record<Vendor, number>; byOperation: Record<string, number> };
    stop(): Promise<void>;
}

/** How many devices each vendor gets: N / 5, the remainder to the first vendors. */
export function split(devices: number): Record<Vendor, number> {
    const base = Math.floor(devices / VENDORS.length);
    return Object.fromEntries(VENDORS.map((v, i) => [v, base + (i < devices % VENDORS.length ? 1 : 0)])) as Record<Vendor, number>;
}

/** A small start-up pool: starting hundreds of servers one by one is slow, all at once floods the event loop. */
async function startAll<T>(count: number, start: (i: number) => Promise<T>, into: T[]): Promise<T[]> {
    let next = 0;
    const worker = async () => {
        while (next < count) {
            const i = next++;
            into[i] = await start(i);
        }
    };
    await Promise.all(Array.from({ length: Math.min(16, count) }, worker));
    return into;
}

export async function startBenchFleet(devices: number, workDir: string, password: string): Promise<BenchFleet> {
    const counts = split(devices);
    const started: Record<Vendor, Counted[]> = { riverbed: [], appgate: [], unity: [], avi: [], avisi: [] };
    const stop = async () => {
        await Promise.allSettled(Object.values(started).flatMap((sims) => sims.filter(Boolean).map((s) => s.stop())));
    };
    try {
        const images = join(workDir, "images");
        mkdirSync(images, { recursive: true });

        const riverbedImage = await makeRiverbedImage({ version: "11.7.0 #24010", sizeBytes: 256 * 1024, path: join(images, "ar.img") });
        const riverbed = await startAll(
            counts.riverbed,
            (i) => startRiverbedSimulator({ name: `ar-${i + 1}`, password, version: "11.6.0 #23947", speed: 40 }),
            started.riverbed as Awaited<ReturnType<typeof startRiverbedSimulator>>[],
        );

        const appgateImage = "appgate-6.4.1-40123-release.img.zip";
        const collective =
            counts.appgate > 0
                ? await startAppgateSimulator({
                      name: "collective",
                      password,
                      version: "6.3.2+36260",
                      speed: 100,
                      appliances: [
                          { name: "controller-1", role: "controller", site: "hq" },
                          ...Array.from({ length: counts.appgate }, (_, i) => ({
                              name: `gw-${i + 1}`,
                              role: "gateway" as const,
                              site: `site-${i % 5}`,
                          })),
                      ],
                  })
                : undefined;
        if (collective) started.appgate.push(collective);

        const unityVersion = "5.3.0.0.5.120";
        const candidate = await makeUnityCandidate({ version: unityVersion, sizeBytes: 256 * 1024, path: join(images, "unity.bin.gpg") });
        const unity = await startAll(
            counts.unity,
            (i) => startUnitySimulator({ name: `unity-${i + 1}`, username: "admin", password, version: "5.2.1.0.5.011", speed: 150 }),
            started.unity as Awaited<ReturnType<typeof startUnitySimulator>>[],
        );

        const aviFile = join(images, "controller.pkg");
        await makeAviPackage(aviFile, { version: "22.1.7", payloadBytes: 256 * 1024 });
        const avi = await startAll(
            counts.avi,
            (i) => startAviSimulator({ name: `alb-${i + 1}`, password, speed: 60 }),
            started.avi as Awaited<ReturnType<typeof startAviSimulator>>[],
        );

        const clusters = Array.from({ length: counts.avisi }, (_, i) => ({
            slug: `k8s-${i + 1}`,
            environment: "production",
            version: "1.30.6",
        }));
        const avisi =
            counts.avisi > 0
                ? await startAvisiSimulator({ token: password, timeScale: 20_000, clusters, log: () => undefined })
                : undefined;
        if (avisi) started.avisi.push(avisi);

        const appliances = collective?.state().appliances.filter((a) => a.role === "gateway") ?? [];
        const config: BenchFleet["config"] = {
            "riverbed:username": { value: "admin" },
            "riverbed:password": { value: password, secret: true },
            "unity:username": { value: "admin" },
            "unity:password": { value: password, secret: true },
            "avi:username": { value: "admin" },
            "avi:password": { value: password, secret: true },
        };
        if (collective) {
            Object.assign(config, {
                "appgate:endpoint": { value: collective.url },
                "appgate:username": { value: "admin" },
                "appgate:password": { value: password, secret: true },
            });
        }
        if (avisi) {
            Object.assign(config, {
                "avisi:endpoint": { value: avisi.url },
                "avisi:organisation": { value: avisi.organisation },
                "avisi:token": { value: password, secret: true },
                "avisi:simulatedTimeScale": { value: String(avisi.time.scale) },
                "avisi:simulatedTimeOrigin": { value: String(avisi.time.originMs) },
            });
        }
        const spec = {
            pollIntervalSeconds: 0.5,
            riverbed: {
                devices: riverbed.map((d) => ({ name: d.name, endpoint: d.url })),
                image: { file: riverbedImage.path, sha256: riverbedImage.sha256 },
            },
            appgate: {
                imageUrl: collective ? `${collective.url}/__sim/images/${appgateImage}` : "",
                appliances: appliances.map((a) => ({ name: a.name, id: a.id })),
            },
            unity: {
                arrays: unity.map((a) => ({ name: a.name, endpoint: a.url })),
                candidate: { file: candidate.path, version: unityVersion },
            },
            avi: {
                controllers: avi.map((c) => ({ name: c.name, endpoint: c.url })),
                image: { file: aviFile, sha256: await sha256File(aviFile) },
            },
            avisi: { clusters: clusters.map((c) => ({ name: c.slug, environment: c.environment, version: "1.31.10" })) },
        };
        const calls = () => {
            const total = Object.fromEntries(VENDORS.map((v) => [v, 0])) as Record<Vendor, number>;
            const byOperation: Record<string, number> = {};
            for (const vendor of VENDORS) {
                for (const sim of started[vendor]) {
                    for (const [operation, stats] of Object.entries(sim.calls.snapshot())) {
                        total[vendor] += stats.received;
                        byOperation[`${vendor}:${operation}`] = (byOperation[`${vendor}:${operation}`] ?? 0) + stats.received;
                    }
                }
            }
            return { total, byOperation };
        };
        return { spec, config, devices: counts, calls, stop };
    } catch (err) {
        await stop();
        throw err;
    }
}
