/**
 * Drives the real Pulumi CLI for end-to-end tests through the Automation API: one throw-away stack per test
 * file, offline (scripts/pulumi-offline.ts: file backend and PULUMI_HOME in a temp dir, passphrase secrets,
 * no update checks, no plugin downloads), capturing what the CLI prints and the engine events (`onEvent`).
 */
import type { EngineEvent } from "@pulumi/pulumi/automation/index.js";
import type { DestroyOptions, PreviewOptions, PulumiCommand, RefreshOptions, Stack, UpOptions } from "@pulumi/pulumi/automation/index.js";
import { spawn } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { createOfflineStack } from "../../scripts/pulumi-offline";

export type { EngineEvent };

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

/** Result of one CLI run. */
export interface RunResult {
    code: number;
    stdout: string;
    stderr: string;
    /** stdout + stderr, for assertions on what a user sees. */
    output: string;
    /** Engine events of preview/up/refresh/destroy (and of `run(..., { eventLog: true })`). */
    events: EngineEvent[];
}

/** Options of {@link TestStack.create}. */
export interface StackOptions {
    /** Plain config values, e.g. `{"loopback:endpoint": url}`. */
    config?: Record<string, string>;
    /** Secret config values. */
    secrets?: Record<string, string>;
    /** Extra environment for the CLI and the providers it starts. */
    env?: Record<string, string>;
}

/** Flags that preview/up/refresh/destroy accept in `extra`, as the CLI spells them; each maps to an Automation API option. */
const operationFlags = {
    "expect-no-changes": { type: "boolean" },
    "policy-pack": { type: "string", multiple: true },
    "policy-pack-config": { type: "string", multiple: true },
    target: { type: "string", multiple: true },
    "target-dependents": { type: "boolean" },
    replace: { type: "string", multiple: true },
    refresh: { type: "boolean" },
    diff: { type: "boolean" },
    "continue-on-error": { type: "boolean" },
} as const;

type OperationOptions = PreviewOptions & UpOptions & RefreshOptions & DestroyOptions;

function operationOptions(kind: string, extra: string[]): OperationOptions {
    let values;
    try {
        ({ values } = parseArgs({ args: extra, options: operationFlags, strict: true, allowPositionals: false }));
    } catch (err) {
        const known = Object.keys(operationFlags)
            .map((f) => `--${f}`)
            .join(", ");
        throw new Error(`TestStack.${kind}: ${(err as Error).message}. Supported: ${known}; use run([...]) for other CLI arguments`, {
            cause: err,
        });
    }
    return {
        expectNoChanges: values["expect-no-changes"],
        policyPacks: values["policy-pack"],
        policyPackConfigs: values["policy-pack-config"],
        target: values.target,
        targetDependents: values["target-dependents"],
        replace: values.replace,
        refresh: values.refresh,
        diff: values.diff,
        continueOnError: values["continue-on-error"],
    };
}

/** The exit code and output of a failed Automation API call (its CommandError keeps what the CLI returned). */
function failure(err: unknown): { code: number; stdout?: string; stderr?: string; message: string } {
    const result = (
        err as {
            commandResult?: {
                code?: number;
                stdout?: string;
                stderr?: string;
                err?: { exitCode?: number; stdout?: string; stderr?: string };
            };
        }
    ).commandResult;
    const message = err instanceof Error ? err.message : String(err);
    if (!result) throw err; // not a CLI failure: a bug in the harness or the test
    return {
        code: result.err?.exitCode ?? (result.code && result.code > 0 ? result.code : 1),
        stdout: result.err?.stdout ?? result.stdout,
        stderr: result.err?.stderr ?? result.stderr,
        message,
    };
}

/** A Pulumi program copied under the shared `node_modules`, with its own stack, home and backend. */
export class TestStack {
    private constructor(
        readonly dir: string,
        readonly stackName: string,
        /** The Automation API stack, for what the methods below do not cover. */
        readonly stack: Stack,
        private readonly command: PulumiCommand,
        private readonly env: Record<string, string>,
        private readonly scratch: string,
    ) {}

    /** Copies `programDir` (a fixture) into the shared programs folder and initialises a stack. */
    static async create(programDir: string, options: StackOptions = {}): Promise<TestStack> {
        const e2e = e2eEnv();
        const dir = mkdtempSync(join(e2e.programs, `${basename(programDir)}-`));
        cpSync(programDir, dir, { recursive: true });
        const scratch = mkdtempSync(join(tmpdir(), "pulumi-e2e-"));
        const { stack, command, env } = await createOfflineStack({
            engineBin: e2e.engineBin,
            stateDir: scratch,
            workDir: dir,
            stackName: "e2e",
            env: options.env,
        });
        const config = {
            ...Object.fromEntries(Object.entries(options.config ?? {}).map(([k, value]) => [k, { value }])),
            ...Object.fromEntries(Object.entries(options.secrets ?? {}).map(([k, value]) => [k, { value, secret: true }])),
        };
        if (Object.keys(config).length) await stack.setAllConfig(config);
        return new TestStack(dir, stack.name, stack, command, env, scratch);
    }

    /** Runs `pulumi <args>` in the program directory for this stack's environment; never throws on a non-zero exit. */
    async run(args: string[], opts: { eventLog?: boolean } = {}): Promise<RunResult> {
        const eventFile = join(this.scratch, `events-${Date.now()}-${Math.random().toString(36).slice(2)}.jsonl`);
        const full = opts.eventLog ? [...args, "--event-log", eventFile] : [...args];
        // The Automation API keeps its raw command runner internal, so this spawns the same CLI with the same environment.
        const child = spawn(this.command.command, ["--non-interactive", ...full], {
            cwd: this.dir,
            env: { ...process.env, ...this.env },
            stdio: ["ignore", "pipe", "pipe"],
        });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (c) => (stdout += c));
        child.stderr.on("data", (c) => (stderr += c));
        const code = await new Promise<number>((resolveCode) => child.on("close", (c) => resolveCode(c ?? -1)));
        const result: RunResult = { code, stdout, stderr, output: stdout + stderr, events: [] };
        if (opts.eventLog && existsSync(eventFile)) {
            result.events = readFileSync(eventFile, "utf8")
                .split("\n")
                .filter(Boolean)
                .map((l) => JSON.parse(l) as EngineEvent);
        }
        this.trace(`pulumi ${full.join(" ")}`, result);
        return result;
    }

    /** Runs and fails the test with the CLI output when the exit code is not 0. */
    async must(args: string[], opts: { eventLog?: boolean } = {}): Promise<RunResult> {
        const r = await this.run(args, opts);
        if (r.code !== 0) {
            throw new Error(`pulumi ${args.join(" ")} exited ${r.code}\n${r.output}`);
        }
        return r;
    }

    /** `pulumi preview --diff`; `extra` takes the CLI flags listed in `operationFlags`. */
    preview(extra: string[] = []): Promise<RunResult> {
        return this.operation("preview", extra, (o) => this.stack.preview({ ...o, diff: true }));
    }
    /** `pulumi up --yes --skip-preview`. */
    up(extra: string[] = []): Promise<RunResult> {
        return this.operation("up", extra, (o) => this.stack.up(o));
    }
    /** `pulumi refresh --yes --skip-preview`. */
    refresh(extra: string[] = []): Promise<RunResult> {
        return this.operation("refresh", extra, (o) => this.stack.refresh(o));
    }
    /** `pulumi destroy --yes --skip-preview`. */
    destroy(extra: string[] = []): Promise<RunResult> {
        return this.operation("destroy", extra, (o) => this.stack.destroy(o));
    }

    async setConfig(key: string, value: string, secret = false): Promise<void> {
        await this.stack.setConfig(key, { value, secret });
    }
    /**
     * `pulumi stack export` as text: secrets stay encrypted, as stored. (The Automation API's `exportStack` adds
     * `--show-secrets`, which would defeat the tests that look for plaintext secrets in the state.)
     */
    async exportText(): Promise<string> {
        return (await this.must(["stack", "export", "--stack", this.stackName])).stdout;
    }
    /** The resources in the stack's state. */
    async resources(): Promise<
        { urn: string; type: string; id?: string; outputs?: Record<string, any>; inputs?: Record<string, any>; initErrors?: string[] }[]
    > {
        return JSON.parse(await this.exportText()).deployment.resources ?? [];
    }

    /** Removes the stack's scratch folders and program copy. */
    async dispose(): Promise<void> {
        rmSync(this.scratch, { recursive: true, force: true });
        rmSync(this.dir, { recursive: true, force: true });
    }

    private async operation(kind: string, extra: string[], call: (o: OperationOptions) => Promise<unknown>): Promise<RunResult> {
        const events: EngineEvent[] = [];
        let stdout = "";
        let stderr = "";
        let code = 0;
        try {
            await call({
                ...operationOptions(kind, extra),
                color: "never",
                onOutput: (s) => (stdout += s),
                onError: (s) => (stderr += s),
                onEvent: (e) => events.push(e),
            });
        } catch (err) {
            const f = failure(err);
            code = f.code;
            // The streams saw everything the CLI printed; the error adds its own text only when they saw nothing.
            if (!stdout && !stderr) stderr = f.message;
        }
        const result = { code, stdout, stderr, output: stdout + stderr, events };
        this.trace(`pulumi ${kind} ${extra.join(" ")}`, result);
        return result;
    }

    private trace(command: string, r: RunResult): void {
        if (process.env.E2E_VERBOSE) console.log(`$ ${command} (exit ${r.code})\n${r.output}`);
    }
}

/** Resource-changing ops announced by the engine, as `op urn-name` strings. */
export function steps(r: RunResult): string[] {
    return r.events
        .filter(
            (e) =>
                e.resourcePreEvent && e.resourcePreEvent.metadata.op !== "same" && !e.resourcePreEvent.metadata.type.startsWith("pulumi:"),
        )
        .map((e) => `${e.resourcePreEvent!.metadata.op} ${e.resourcePreEvent!.metadata.urn.split("::").pop()}`);
}
