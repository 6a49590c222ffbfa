#!/usr/bin/env node
/**
 * `npm run demo` — the mixed-fleet demo, unattended, on the built-in simulators:
 *
 *  1. makes sure the Pulumi engine is there (builds it on first use, saying how long it took);
 *  2. starts simulated appliances on loopback ports: 3 Riverbed AppResponse probes on 11.6.0 and an
 *     Appgate collective (2 controllers, 4 gateways in 2 sites) on 6.3.2;
 *  3. creates a throw-away stack in `.demo/` (file backend, generated passphrase and credentials,
 *     passwords stored as secrets) for the root `Pulumi.yaml` program (`demo/index.ts`);
 *  4. runs `pulumi preview --diff` and `pulumi up` with the policy pack (`policies/`);
 *  5. prints a summary (device, vendor, version before → after, duration) read back from the
 *     devices, and stops the simulators.
 *
 * `npm run demo -- --keep` leaves the simulators and the stack up and prints how to poke at them.
 * Exit code 0 on success; non-zero with the reason on any failure.
 */
"use strict";

const { spawn, execFileSync } = require("node:child_process");
const crypto = require("node:crypto");
const fs = require("node:fs");
const path = require("node:path");

const repo = path.resolve(__dirname, "..");
const work = path.join(repo, ".demo");
const keep = process.argv.includes("--keep");
const started = Date.now();

const RIVERBED_FROM = "11.6.0 #23947";
const RIVERBED_TO = "11.7.0 #24010";
const APPGATE_FROM = "6.3.2+36260";
const APPGATE_IMAGE = "appgate-6.4.1-40123-release.img.zip";

const say = (line = "") => process.stdout.write(`${line}\n`);
const step = (title) => say(`\n▶ ${title} (t+${((Date.now() - started) / 1000).toFixed(0)}s)`);

/** Runs a command with its output streamed to ours; resolves with the exit code. */
function run(cmd, args, options) {
    return new Promise((resolve, reject) => {
        const child = spawn(cmd, args, { stdio: ["ignore", "inherit", "inherit"], ...options });
        child.on("error", reject);
        child.on("close", (code) => resolve(code ?? 1));
    });
}

async function main() {
    // 0. The package is compiled by `npm ci` (prepare); build if someone skipped it.
    if (!fs.existsSync(path.join(repo, "bin/provider/runtime.js")) || !fs.existsSync(path.join(repo, "bin/simulators/index.js"))) {
        step("Compiling the package (tsc)");
        execFileSync(process.execPath, [require.resolve("typescript/bin/tsc"), "-p", path.join(repo, "tsconfig.json")], { stdio: "inherit" });
    }
    const sims = require(path.join(repo, "bin/simulators"));

    // 1. Engine.
    step("Pulumi engine");
    const e0 = Date.now();
    const engineBin = execFileSync("bash", [path.join(repo, "scripts/pulumi-engine.sh")], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] }).trim();
    const pulumiVersion = execFileSync(path.join(engineBin, "pulumi"), ["version"], { encoding: "utf8", env: { ...process.env, PULUMI_SKIP_UPDATE_CHECK: "true" } }).trim();
    say(`  pulumi ${pulumiVersion} in ${engineBin} (ready in ${((Date.now() - e0) / 1000).toFixed(1)}s)`);

    // 2. Fresh demo folder (a re-run starts over: the simulators are new every time).
    fs.rmSync(work, { recursive: true, force: true });
    fs.mkdirSync(path.join(work, "images"), { recursive: true });
    fs.mkdirSync(path.join(work, "state"), { recursive: true });
    // The provider process finds this package by its public name (the shims require
    // `pulumi-upgrades/runtime`), exactly as in a user's program: give it a node_modules entry.
    fs.mkdirSync(path.join(work, "node_path"), { recursive: true });
    fs.symlinkSync(repo, path.join(work, "node_path", "pulumi-upgrades"), "dir");

    step("Starting simulated appliances on loopback");
    const password = crypto.randomBytes(12).toString("base64url");
    const riverbedFleet = await sims.startRiverbedFleet(
        ["ar-lon-1", "ar-nyc-1", "ar-sin-1"].map((name) => ({ name, password, version: RIVERBED_FROM, speed: 40 })),
    );
    const collective = await sims.startAppgateSimulator({
        name: "sdp-collective",
        password,
        version: APPGATE_FROM,
        speed: 100,
        appliances: [
            { name: "controller-1", role: "controller", site: "hq" },
            { name: "controller-2", role: "controller", site: "hq" },
            { name: "gw-east-1", role: "gateway", site: "east" },
            { name: "gw-east-2", role: "gateway", site: "east" },
            { name: "gw-west-1", role: "gateway", site: "west" },
            { name: "gw-west-2", role: "gateway", site: "west" },
        ],
    });
    let stopped = false;
    const stopSimulators = async () => {
        if (stopped) return;
        stopped = true;
        await Promise.allSettled([riverbedFleet.stop(), collective.stop()]);
    };
    process.on("SIGINT", () => void stopSimulators().then(() => process.exit(130)));
    process.on("SIGTERM", () => void stopSimulators().then(() => process.exit(143)));

    try {
        for (const d of riverbedFleet.devices) say(`  riverbed  ${d.name.padEnd(14)} ${d.url}  ${d.version}`);
        say(`  appgate   ${"controller".padEnd(14)} ${collective.url}/admin  (${collective.state().appliances.length} appliances)`);

        const image = await sims.makeRiverbedImage({ version: RIVERBED_TO, sizeBytes: 32 * 2 ** 20, path: path.join(work, "images", "appresponse-11.7.0.img") });
        const appliances = collective.state().appliances;
        const before = new Map([
            ...riverbedFleet.devices.map((d) => [d.name, { vendor: "riverbed", version: d.version }]),
            ...appliances.map((a) => [a.name, { vendor: "appgate", version: a.version }]),
        ]);
        const spec = {
            riverbed: { devices: riverbedFleet.devices.map((d) => ({ name: d.name, endpoint: d.url })), image: { file: image.path, sha256: image.sha256 } },
            appgate: {
                imageUrl: `${collective.url}/__sim/images/${APPGATE_IMAGE}`,
                controllers: appliances.filter((a) => a.role === "controller").map((a) => ({ name: a.name, id: a.id })),
                sites: ["east", "west"].map((site) => ({
                    name: site,
                    gateways: appliances.filter((a) => a.role === "gateway" && a.siteName === site).map((a) => ({ name: a.name, id: a.id })),
                })),
            },
            pollIntervalSeconds: 1,
        };

        // 3. Stack.
        step("Creating the throw-away stack in .demo/");
        const passphrase = crypto.randomBytes(18).toString("base64url");
        fs.writeFileSync(path.join(work, "passphrase"), passphrase, { mode: 0o600 });
        const env = {
            ...process.env,
            PATH: [engineBin, path.join(repo, "node_modules", ".bin"), process.env.PATH].join(path.delimiter),
            PULUMI_HOME: path.join(work, "home"),
            PULUMI_BACKEND_URL: `file://${path.join(work, "state")}`,
            PULUMI_CONFIG_PASSPHRASE_FILE: path.join(work, "passphrase"),
            PULUMI_SKIP_UPDATE_CHECK: "true",
            PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
            PULUMI_DIY_BACKEND_NO_LEGACY_WARNING: "true",
            PULUMI_NODEJS_TRANSPILE_ONLY: "true",
            PULUMI_DEBUG_COMMANDS: "true",
            NODE_PATH: path.join(work, "node_path"),
        };
        delete env.NODE_OPTIONS;
        const pulumi = (args, extra = {}) => run(path.join(engineBin, "pulumi"), ["--non-interactive", ...args], { cwd: repo, env, ...extra });
        const must = async (args) => {
            const code = await pulumi(args, { stdio: ["ignore", "ignore", "inherit"] });
            if (code !== 0) throw new Error(`pulumi ${args.filter((a) => a !== password).join(" ")} exited ${code}`);
        };
        const stackFile = path.join(repo, "Pulumi.demo.yaml");
        fs.rmSync(stackFile, { force: true });
        await must(["stack", "init", "demo"]);
        await must(["config", "set", "fleet:spec", "--", JSON.stringify(spec)]);
        await must(["config", "set", "riverbed:username", "--", "admin"]);
        await must(["config", "set", "--secret", "riverbed:password", "--", password]);
        await must(["config", "set", "appgate:endpoint", "--", collective.url]);
        await must(["config", "set", "appgate:username", "--", "admin"]);
        await must(["config", "set", "--secret", "appgate:password", "--", password]);
        // The stack's config file lives beside Pulumi.yaml; keep it in .demo/ with the rest.
        fs.renameSync(stackFile, path.join(work, "Pulumi.demo.yaml"));
        fs.symlinkSync(path.join(work, "Pulumi.demo.yaml"), stackFile);

        // 4. Preview and up, gated by the policy pack.
        const policies = ["--policy-pack", path.join(repo, "policies")];
        step("pulumi preview --diff --policy-pack policies");
        if ((await pulumi(["preview", "--diff", ...policies])) !== 0) throw new Error("pulumi preview failed (see above)");
        step("pulumi up --yes --policy-pack policies");
        const events = path.join(work, "events.jsonl");
        if ((await pulumi(["up", "--yes", "--skip-preview", ...policies, "--event-log", events])) !== 0) {
            throw new Error("pulumi up failed (see above); the stack state is in .demo/state");
        }

        // 5. Summary, read back from the devices themselves.
        step("Summary");
        const durations = resourceDurations(events);
        const after = new Map([
            ...riverbedFleet.devices.map((d) => [d.name, d.version]),
            ...collective.state().appliances.map((a) => [a.name, a.version]),
        ]);
        const rows = [...before].map(([name, b]) => ({
            device: name,
            vendor: b.vendor,
            before: b.version,
            after: after.get(name) ?? "?",
            duration: formatSeconds(durations(name)),
        }));
        printTable(rows);
        const want = { riverbed: RIVERBED_TO, appgate: "6.4.1+40123" };
        const behind = rows.filter((r) => !String(r.after).startsWith(want[r.vendor]));
        say(`\nStack state: ${path.join(work, "state")} (file backend; passphrase in .demo/passphrase)`);
        say(`Total: ${formatSeconds((Date.now() - started) / 1000)}`);
        if (behind.length) throw new Error(`not upgraded: ${behind.map((r) => r.device).join(", ")}`);

        if (keep) {
            printKeepHelp(engineBin, riverbedFleet.devices[0].url);
            await new Promise(() => {}); // until Ctrl-C
        }
    } finally {
        if (!keep) await stopSimulators();
    }
}

/** Seconds each device's resources took, from the engine's event log (first step start → last step end). */
function resourceDurations(eventLog) {
    const spans = new Map();
    for (const line of fs.readFileSync(eventLog, "utf8").split("\n")) {
        if (!line) continue;
        const e = JSON.parse(line);
        const meta = e.resourcePreEvent?.metadata ?? e.resOutputsEvent?.metadata;
        if (!meta || meta.op === "same" || !meta.urn.includes("pulumi-nodejs:dynamic/")) continue;
        const name = meta.urn.split("::").pop();
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

function formatSeconds(s) {
    if (s === undefined || !Number.isFinite(s)) return "-";
    return s < 60 ? `${Math.round(s)}s` : `${Math.floor(s / 60)}m${String(Math.round(s % 60)).padStart(2, "0")}s`;
}

function printTable(rows) {
    const table = rows.map((r) => ({ ...r, after: `→ ${r.after}` }));
    const head = { device: "DEVICE", vendor: "VENDOR", before: "BEFORE", after: "  AFTER", duration: "DURATION" };
    const keys = Object.keys(head);
    const width = Object.fromEntries(keys.map((k) => [k, Math.max(head[k].length, ...table.map((r) => String(r[k]).length))]));
    const line = (r) => keys.map((k) => String(r[k]).padEnd(width[k])).join("  ").trimEnd();
    say(line(head));
    for (const r of table) say(line(r));
}

function printKeepHelp(engineBin, riverbedUrl) {
    say(`
The simulators and the stack stay up (Ctrl-C stops them). In another shell, from ${repo}:

  export PATH="${engineBin}:${path.join(repo, "node_modules", ".bin")}:$PATH"
  export PULUMI_HOME="${path.join(work, "home")}" PULUMI_BACKEND_URL="file://${path.join(work, "state")}"
  export PULUMI_CONFIG_PASSPHRASE_FILE="${path.join(work, "passphrase")}" NODE_PATH="${path.join(work, "node_path")}"
  export PULUMI_SKIP_UPDATE_CHECK=true PULUMI_NODEJS_TRANSPILE_ONLY=true

  pulumi stack output                                   # versions per device
  pulumi preview --diff --policy-pack policies          # after editing demo/index.ts or fleet:spec
  curl -s ${riverbedUrl}/__sim/state                    # a simulator's own view
  curl -s ${riverbedUrl}/__sim/calls                    # calls per operation (one start per device)
`);
}

main().catch((err) => {
    process.stderr.write(`\ndemo failed: ${err instanceof Error ? err.message : err}\n`);
    process.exit(1);
});
