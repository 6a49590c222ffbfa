/**
 * `npm run demo`: the mixed-fleet demo, unattended, on the built-in simulators.
 *
 *  1. makes sure the Pulumi engine is there (builds it on first use, saying how long it took);
 *  2. starts every vendor of demo/vendors/ on loopback ports (Riverbed probes, an Appgate collective, ...);
 *  3. creates a throw-away stack in `.demo/` (file backend, generated passphrase and credentials, passwords
 *     stored as secrets) for the root `Pulumi.yaml` program (`demo/index.ts`), through the Automation API;
 *  4. runs `preview --diff` and `up` with the policy pack (`policies/`), streaming what the CLI prints;
 *  5. prints a summary (device, vendor, version before → after, duration) read back from the devices, and
 *     stops the simulators.
 *
 * `npm run demo -- --keep` leaves the simulators and the stack up and prints how to poke at them.
 * Exit code 0 on success; 1 with the reason on any failure; 2 on unknown arguments.
 */
import type { EngineEvent } from "@pulumi/pulumi/automation/index.js";
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, renameSync, rmSync, symlinkSync } from "node:fs";
import { createRequire } from "node:module";
import { delimiter, join, resolve } from "node:path";
import { inspect, parseArgs } from "node:util";
import type { DemoDevice, DemoFleet } from "../demo/vendors/types.ts";
import { createOfflineStack, engineCommand, enginePath, offlineEnv } from "./pulumi-offline.ts";

const repo = resolve(import.meta.dirname, "..");
const work = join(repo, ".demo");
const started = Date.now();
const POLL_INTERVAL_SECONDS = 1;
const USAGE = `usage: npm run demo [-- --keep]

  --keep   leave the simulators and the stack up afterwards and print how to use them (Ctrl-C stops them)
  --help   show this text`;

const say = (line = "") => process.stdout.write(`${line}\n`);
const step = (title: string) => say(`\n▶ ${title} (t+${((Date.now() - started) / 1000).toFixed(0)}s)`);

function parseOptions(): { keep: boolean } {
    try {
        const { values } = parseArgs({
            options: { keep: { type: "boolean" }, help: { type: "boolean", short: "h" } },
            strict: true,
            allowPositionals: false,
        });
        if (values.help) {
            say(USAGE);
            process.exit(0);
        }
        return { keep: values.keep ?? false };
    } catch (err) {
        process.stderr.write(`demo: ${(err as Error).message}\n${USAGE}\n`);
        process.exit(2);
    }
}

async function main(): Promise<void> {
    const { keep } = parseOptions();

    // 0. The package is compiled by `npm ci` (prepare); build if someone skipped it. The vendor drivers load the
    //    compiled simulators, so they are imported only after this.
    if (!existsSync(join(repo, "bin/provider/runtime.js")) || !existsSync(join(repo, "bin/simulators/index.js"))) {
        step("Compiling the package (tsc)");
        const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
        execFileSync(process.execPath, [tsc, "-p", join(repo, "tsconfig.json")], { stdio: "inherit" });
    }
    const { demoVendors } = await import("../demo/vendors/index.ts");

    // 1. Engine.
    step("Pulumi engine");
    const e0 = Date.now();
    const engineBin = execFileSync("bash", [join(repo, "scripts/pulumi-engine.sh")], {
        encoding: "utf8",
        stdio: ["ignore", "pipe", "inherit"],
    }).trim();
    const command = await engineCommand(engineBin);
    const host = execFileSync("pulumi-language-nodejs", ["-version"], {
        encoding: "utf8",
        env: { ...process.env, PATH: `${engineBin}${delimiter}${process.env.PATH}` },
    }).trim();
    say(`  pulumi v${command.version} in ${engineBin} (ready in ${((Date.now() - e0) / 1000).toFixed(1)}s)`);
    say(`  language host: upstream pulumi-language-nodejs ${host}`);

    // 2. Fresh demo folder (a re-run starts over: the simulators are new every time).
    rmSync(work, { recursive: true, force: true });
    mkdirSync(join(work, "node_path"), { recursive: true });
    // The provider process finds this package by its public name (the shims require `pulumi-upgrades/runtime`),
    // exactly as in a user's program: give it a node_modules entry.
    symlinkSync(repo, join(work, "node_path", "pulumi-upgrades"), "dir");

    step("Starting simulated appliances on loopback");
    const password = randomBytes(12).toString("base64url");
    const fleets = new Map<string, DemoFleet>();
    let stopped = false;
    const stopSimulators = async () => {
        if (stopped) return;
        stopped = true;
        await Promise.allSettled([...fleets.values()].map((f) => f.stop()));
    };
    process.on("SIGINT", () => void stopSimulators().then(() => process.exit(130)));
    process.on("SIGTERM", () => void stopSimulators().then(() => process.exit(143)));

    try {
        for (const vendor of demoVendors) {
            const fleet = await vendor.start({
                password,
                workDir: work,
                log: (line) => say(`  ${line}`),
                pollIntervalSeconds: POLL_INTERVAL_SECONDS,
            });
            fleets.set(vendor.name, fleet);
            for (const line of fleet.describe) say(`  ${line}`);
        }
        const devices = [...fleets.values()].flatMap((f) => f.devices);
        const before = new Map(await Promise.all(devices.map(async (d) => [d.name, await d.readVersion()] as const)));

        // 3. Stack.
        step("Creating the throw-away stack in .demo/");
        const stackFile = join(repo, "Pulumi.demo.yaml");
        rmSync(stackFile, { force: true });
        const nodePath = { NODE_PATH: join(work, "node_path") };
        const { stack } = await createOfflineStack({ engineBin, stateDir: work, workDir: repo, stackName: "demo", env: nodePath });
        const spec = { ...Object.fromEntries([...fleets].map(([name, f]) => [name, f.spec])), pollIntervalSeconds: POLL_INTERVAL_SECONDS };
        await stack.setAllConfig({
            "fleet:spec": { value: JSON.stringify(spec) },
            ...Object.assign({}, ...[...fleets.values()].map((f) => f.config)),
        });
        // The stack's config file lives beside Pulumi.yaml; keep it in .demo/ with the rest.
        renameSync(stackFile, join(work, "Pulumi.demo.yaml"));
        symlinkSync(join(work, "Pulumi.demo.yaml"), stackFile);

        // 4. Preview and up, gated by the policy pack; what the CLI prints goes straight to the user.
        const streams = {
            color: process.stdout.isTTY ? ("always" as const) : ("never" as const),
            onOutput: (s: string) => process.stdout.write(s),
            onError: (s: string) => process.stderr.write(s),
            policyPacks: [join(repo, "policies")],
        };
        step("pulumi preview --diff --policy-pack policies");
        await stack.preview({ ...streams, diff: true }).catch(() => {
            throw new Error("pulumi preview failed (see above)");
        });
        step("pulumi up --yes --policy-pack policies");
        const events: EngineEvent[] = [];
        await stack.up({ ...streams, onEvent: (e) => events.push(e) }).catch(() => {
            throw new Error("pulumi up failed (see above); the stack state is in .demo/backend");
        });

        // 5. Summary, read back from the devices themselves.
        step("Summary");
        const durations = resourceDurations(events);
        const rows = await Promise.all(devices.map(async (d) => ({ device: d, after: await d.readVersion() })));
        console.table(
            Object.fromEntries(
                rows.map(({ device, after }) => [
                    device.name,
                    {
                        vendor: plain(device.vendor),
                        before: plain(before.get(device.name) ?? "?"),
                        after: plain(`→ ${after}`),
                        duration: plain(formatSeconds(durations(device.name))),
                    },
                ]),
            ),
        );
        const behind = rows.filter(({ device, after }) => !upgraded(device, before.get(device.name), after));
        say(`\nStack state: ${join(work, "backend")} (file backend; passphrase in .demo/passphrase)`);
        say(`Total: ${formatSeconds((Date.now() - started) / 1000)}`);
        if (behind.length) throw new Error(`not upgraded: ${behind.map((r) => r.device.name).join(", ")}`);

        if (keep) {
            printKeepHelp(engineBin, nodePath);
            await new Promise(() => {}); // until Ctrl-C
        }
    } finally {
        if (!keep) await stopSimulators();
    }
}

/** console.table shows strings quoted, as code; a cell that inspects as its own text shows it as text. */
function plain(text: string): { [inspect.custom](): string } {
    return { [inspect.custom]: () => text };
}

function upgraded(device: DemoDevice, before: string | undefined, after: string): boolean {
    return device.expectedVersion ? after.startsWith(device.expectedVersion) : after !== before;
}

/** Seconds each device's resources took, from the engine's events (first step start → last step end). */
function resourceDurations(events: EngineEvent[]): (device: string) => number | undefined {
    const spans = new Map<string, { from: number; to: number }>();
    for (const e of events) {
        const meta = e.resourcePreEvent?.metadata ?? e.resOutputsEvent?.metadata;
        if (!meta || meta.op === "same" || !meta.urn.includes("pulumi-nodejs:dynamic/")) continue;
        const name = meta.urn.split("::").pop()!;
        const span = spans.get(name) ?? { from: Infinity, to: -Infinity };
        span.from = Math.min(span.from, e.timestamp);
        span.to = Math.max(span.to, e.timestamp);
        spans.set(name, span);
    }
    return (device) => {
        const mine = [...spans].filter(([n]) => n === device || n.startsWith(`${device}-`)).map(([, s]) => s);
        if (!mine.length) return undefined;
        return Math.max(...mine.map((s) => s.to)) - Math.min(...mine.map((s) => s.from));
    };
}

function formatSeconds(s: number | undefined): string {
    if (s === undefined || !Number.isFinite(s)) return "-";
    return s < 60 ? `${Math.round(s)}s` : `${Math.floor(s / 60)}m${String(Math.round(s % 60)).padStart(2, "0")}s`;
}

function printKeepHelp(engineBin: string, extraEnv: Record<string, string>): void {
    const env = { ...offlineEnv({ engineBin, stateDir: work }, extraEnv), PATH: [...enginePath(engineBin), "$PATH"].join(delimiter) };
    const exports = Object.entries(env)
        .filter(([key]) => key !== "NODE_OPTIONS")
        .map(([key, value]) => `  export ${key}="${value}"`)
        .join("\n");
    say(`
The simulators and the stack stay up (Ctrl-C stops them). In another shell, from ${repo}:

${exports}

  pulumi stack output                                   # versions per device
  pulumi preview --diff --policy-pack policies          # after editing demo/ or fleet:spec
  pulumi config get fleet:spec                          # the inventory, with each simulator's URL
  curl -s <simulator URL>/__sim/state                   # a simulator's own view
`);
}

main().catch((err) => {
    process.stderr.write(`\ndemo failed: ${err instanceof Error ? err.message : err}\n`);
    process.exit(1);
});
