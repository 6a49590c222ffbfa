/**
 * Drives the real Pulumi CLI for end-to-end tests: one throw-away stack per test file, offline
 * (file backend and PULUMI_HOME in a temp dir, passphrase secrets, no update checks, no plugin
 * downloads), capturing the CLI output and the engine events (`--event-log`).
 */
import { spawn } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, existsSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join, resolve } from "node:path";

const repo = resolve(__dirname, "../..");

/** What global-setup prepared. */
export interface E2eEnv {
    engineBin: string;
    version: string;
    programs: string;
    tarball: string;
}

export function e2eEnv(): E2eEnv {
    return JSON.parse(readFileSync(join(repo, ".test-work", "e2e.json"), "utf8"));
}

/** One engine event from `--event-log` (only the fields the tests read are typed). */
export interface EngineEvent {
    sequence: number;
    diagnosticEvent?: { message: string; severity: string; urn?: string };
    resourcePreEvent?: { metadata: { op: string; urn: string; type: string; diffs?: string[]; detailedDiff?: Record<string, { kind: string }> } };
    resOutputsEvent?: { metadata: { op: string; urn: string } };
    policyEvent?: { message: string; policyName: string; enforcementLevel: string };
    summaryEvent?: { resourceChanges: Record<string, number> };
}

/** Result of one CLI run. */
export interface RunResult {
    code: number;
    stdout: string;
    stderr: string;
    /** stdout + stderr, for assertions on what a user sees. */
    output: string;
    events: EngineEvent[];
}

/** Options of {@link TestStack.create}. */
export interface StackOptions {
    /** Plain config values, e.g. `{"loopback:endpoint": url}`. */
    config?: Record<string, string>;
    /** Secret config values (set with `--secret`). */
    secrets?: Record<string, string>;
    /** Extra environment for the CLI and the providers it starts. */
    env?: Record<string, string>;
}

/** A Pulumi program copied under the shared `node_modules`, with its own stack, home and backend. */
export class TestStack {
    private constructor(
        readonly dir: string,
        readonly stackName: string,
        private readonly env: NodeJS.ProcessEnv,
        private readonly scratch: string,
    ) {}

    /** Copies `programDir` (a fixture) into the shared programs folder and initialises a stack. */
    static async create(programDir: string, options: StackOptions = {}): Promise<TestStack> {
        const e2e = e2eEnv();
        const dir = mkdtempSync(join(e2e.programs, `${basename(programDir)}-`));
        cpSync(programDir, dir, { recursive: true });
        const scratch = mkdtempSync(join(tmpdir(), "pulumi-e2e-"));
        mkdirSync(join(scratch, "backend"));
        const env: NodeJS.ProcessEnv = {
            ...process.env,
            ...options.env,
            PATH: [e2e.engineBin, join(repo, "node_modules", ".bin"), process.env.PATH].join(":"),
            PULUMI_HOME: join(scratch, "home"),
            PULUMI_BACKEND_URL: `file://${join(scratch, "backend")}`,
            PULUMI_CONFIG_PASSPHRASE: "e2e-passphrase",
            PULUMI_SKIP_UPDATE_CHECK: "true",
            PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
            PULUMI_DIY_BACKEND_NO_LEGACY_WARNING: "true",
            PULUMI_NODEJS_TRANSPILE_ONLY: "true",
            PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK: "true",
            PULUMI_DEBUG_COMMANDS: "true", // enables --event-log
            NO_COLOR: "1",
            CI: "true",
        };
        delete env.NODE_OPTIONS; // jest's flags are not for the programs
        const stack = new TestStack(dir, "e2e", env, scratch);
        await stack.must(["stack", "init", stack.stackName]);
        for (const [k, v] of Object.entries(options.config ?? {})) {
            await stack.must(["config", "set", k, "--", v]);
        }
        for (const [k, v] of Object.entries(options.secrets ?? {})) {
            await stack.must(["config", "set", "--secret", k, "--", v]);
        }
        return stack;
    }

    /** Runs `pulumi <args>` in the program directory; never throws on a non-zero exit. */
    async run(args: string[], opts: { eventLog?: boolean } = {}): Promise<RunResult> {
        const eventFile = join(this.scratch, `events-${Date.now()}-${Math.random().toString(36).slice(2)}.jsonl`);
        const full = opts.eventLog ? [...args, "--event-log", eventFile] : args;
        const child = spawn(join(e2eEnv().engineBin, "pulumi"), ["--non-interactive", ...full], { cwd: this.dir, env: this.env, stdio: ["ignore", "pipe", "pipe"] });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (c) => (stdout += c));
        child.stderr.on("data", (c) => (stderr += c));
        const code = await new Promise<number>((resolveCode) => child.on("close", (c) => resolveCode(c ?? -1)));
        const events = opts.eventLog && existsSync(eventFile)
            ? readFileSync(eventFile, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l) as EngineEvent)
            : [];
        if (process.env.E2E_VERBOSE) {
            console.log(`$ pulumi ${full.join(" ")}\n${stdout}${stderr}`);
        }
        return { code, stdout, stderr, output: stdout + stderr, events };
    }

    /** Runs and fails the test with the CLI output when the exit code is not 0. */
    async must(args: string[], opts: { eventLog?: boolean } = {}): Promise<RunResult> {
        const r = await this.run(args, opts);
        if (r.code !== 0) {
            throw new Error(`pulumi ${args.join(" ")} exited ${r.code}\n${r.output}`);
        }
        return r;
    }

    preview(extra: string[] = []): Promise<RunResult> {
        return this.run(["preview", "--diff", ...extra], { eventLog: true });
    }
    up(extra: string[] = []): Promise<RunResult> {
        return this.run(["up", "--yes", "--skip-preview", ...extra], { eventLog: true });
    }
    refresh(extra: string[] = []): Promise<RunResult> {
        return this.run(["refresh", "--yes", "--skip-preview", ...extra], { eventLog: true });
    }
    destroy(extra: string[] = []): Promise<RunResult> {
        return this.run(["destroy", "--yes", "--skip-preview", ...extra], { eventLog: true });
    }
    async setConfig(key: string, value: string, secret = false): Promise<void> {
        await this.must(["config", "set", ...(secret ? ["--secret"] : []), key, "--", value]);
    }
    /** `pulumi stack export` as text (secrets stay encrypted, as stored). */
    async exportText(): Promise<string> {
        return (await this.must(["stack", "export"])).stdout;
    }
    /** The resources in the stack's state. */
    async resources(): Promise<{ urn: string; type: string; id?: string; outputs?: Record<string, any>; inputs?: Record<string, any>; initErrors?: string[] }[]> {
        return JSON.parse(await this.exportText()).deployment.resources ?? [];
    }

    /** Removes the stack's scratch folders and program copy. */
    async dispose(): Promise<void> {
        rmSync(this.scratch, { recursive: true, force: true });
        rmSync(this.dir, { recursive: true, force: true });
    }
}

/** Resource-changing ops announced by the engine, as `op urn-name` strings. */
export function steps(r: RunResult): string[] {
    return r.events
        .filter((e) => e.resourcePreEvent && e.resourcePreEvent.metadata.op !== "same" && !e.resourcePreEvent.metadata.type.startsWith("pulumi:"))
        .map((e) => `${e.resourcePreEvent!.metadata.op} ${e.resourcePreEvent!.metadata.urn.split("::").pop()}`);
}
