/**
 * How this repository runs Pulumi without a network, in ONE place (the e2e harness and `npm run demo` both use it):
 * the engine from `npm run engine`, a file backend and PULUMI_HOME in a directory of the caller's choosing,
 * passphrase secrets (a generated passphrase in a 0600 file), no update checks, no plugin downloads — driven
 * through the Automation API (`LocalWorkspace`/`Stack` with a `PulumiCommand` pointed at the engine).
 *
 * Plain TypeScript with only type annotations: it runs under Node's type stripping (the demo) and under
 * ts-jest (the tests). Imports name `index.js` because @pulumi/pulumi has no `exports` map for ESM callers.
 */
import { LocalWorkspace, PulumiCommand, type Stack } from "@pulumi/pulumi/automation/index.js";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { basename, delimiter, dirname, join } from "node:path";

/** Where a stack's state lives: `<stateDir>/backend` (file backend), `<stateDir>/home`, `<stateDir>/passphrase`. */
export interface OfflineLocation {
    /** Directory holding `pulumi` and `pulumi-language-nodejs` (what `npm run engine` prints). */
    engineBin: string;
    stateDir: string;
}

/**
 * What goes in front of PATH: the engine first (its language host and launcher), then the Node.js that runs us: the
 * language host starts `node` from PATH, and programs, providers and policy packs should run on the same Node as we do.
 */
export function enginePath(engineBin: string): string[] {
    return [engineBin, dirname(process.execPath)];
}

/** The environment every Pulumi command of the tests and the demo runs with. */
export function offlineEnv(where: OfflineLocation, extra: Record<string, string> = {}): Record<string, string> {
    return {
        PATH: [...enginePath(where.engineBin), process.env.PATH ?? ""].join(delimiter),
        PULUMI_HOME: join(where.stateDir, "home"),
        PULUMI_BACKEND_URL: `file://${join(where.stateDir, "backend")}`,
        PULUMI_CONFIG_PASSPHRASE_FILE: join(where.stateDir, "passphrase"),
        PULUMI_SKIP_UPDATE_CHECK: "true",
        PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
        PULUMI_DIY_BACKEND_NO_LEGACY_WARNING: "true",
        PULUMI_NODEJS_TRANSPILE_ONLY: "true",
        // Flags of the caller's Node (jest's --experimental-vm-modules) are not for the programs it starts.
        NODE_OPTIONS: "",
        NO_COLOR: "1",
        ...extra,
    };
}

/** The CLI in `engineBin` for the Automation API (which expects `<root>/bin/pulumi`). */
export async function engineCommand(engineBin: string): Promise<PulumiCommand> {
    if (basename(engineBin) !== "bin") {
        throw new Error(`the Automation API runs <root>/bin/pulumi, but the engine directory ${engineBin} is not named bin`);
    }
    return PulumiCommand.get({ root: dirname(engineBin) });
}

export interface OfflineStackOptions extends OfflineLocation {
    /** The program directory (holds Pulumi.yaml). */
    workDir: string;
    stackName: string;
    /** More environment for the CLI and everything it starts (providers read their settings from it). */
    env?: Record<string, string>;
}

export interface OfflineStack {
    stack: Stack;
    command: PulumiCommand;
    env: Record<string, string>;
}

/** Creates the backend, home and passphrase below `stateDir` (when missing) and a new stack there. */
export async function createOfflineStack(options: OfflineStackOptions): Promise<OfflineStack> {
    mkdirSync(join(options.stateDir, "backend"), { recursive: true });
    mkdirSync(join(options.stateDir, "home"), { recursive: true });
    const passphraseFile = join(options.stateDir, "passphrase");
    if (!existsSync(passphraseFile)) writeFileSync(passphraseFile, randomBytes(18).toString("base64url"), { mode: 0o600 });
    const env = offlineEnv(options, options.env);
    const command = await engineCommand(options.engineBin);
    const stack = await LocalWorkspace.createStack(
        { stackName: options.stackName, workDir: options.workDir },
        { pulumiCommand: command, pulumiHome: env.PULUMI_HOME, envVars: env },
    );
    return { stack, command, env };
}
