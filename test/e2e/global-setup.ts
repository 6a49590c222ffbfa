/**
 * Prepares what every end-to-end test shares, once per `jest` run:
 * 1. the Pulumi engine (`scripts/pulumi-engine.sh`: found on PATH, cached, or built);
 * 2. this package as a user gets it: an `npm pack` tarball installed (not linked) into
 *    `.test-work/programs/node_modules`, which every test program directory below it resolves.
 * Paths are handed to the test files through `.test-work/e2e.json`.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, readdirSync, rmSync, writeFileSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { engineCommand } from "../../scripts/pulumi-offline";

const repo = resolve(__dirname, "../..");
export const workRoot = join(repo, ".test-work");

export default async function globalSetup(): Promise<void> {
    const started = Date.now();
    const engineBin = execFileSync("bash", [join(repo, "scripts/pulumi-engine.sh")], {
        encoding: "utf8",
        stdio: ["ignore", "pipe", "inherit"],
    }).trim();
    const version = `v${(await engineCommand(engineBin)).version}`;
    const host = execFileSync(join(engineBin, "pulumi-language-nodejs"), ["-version"], { encoding: "utf8" }).trim();
    console.log(
        `\n[e2e] real Pulumi CLI ${version} from ${engineBin} with the upstream language host pulumi-language-nodejs ${host}; node ${process.version}`,
    );

    const packDir = join(workRoot, "pack");
    rmSync(packDir, { recursive: true, force: true });
    mkdirSync(packDir, { recursive: true });
    execFileSync("npm", ["pack", "--silent", "--ignore-scripts", "--pack-destination", packDir], {
        cwd: repo,
        stdio: ["ignore", "ignore", "inherit"],
    });
    const tarball = join(
        packDir,
        readdirSync(packDir).find((f) => f.endsWith(".tgz"))!,
    );

    const programs = join(workRoot, "programs");
    mkdirSync(programs, { recursive: true });
    const rootPkg = JSON.parse(readFileSync(join(repo, "package.json"), "utf8"));
    writeFileSync(
        join(programs, "package.json"),
        JSON.stringify(
            {
                name: "e2e-programs",
                private: true,
                dependencies: {
                    "pulumi-upgrades": `file:${tarball}`,
                    "@pulumi/pulumi": rootPkg.devDependencies["@pulumi/pulumi"],
                    "@pulumi/policy": rootPkg.devDependencies["@pulumi/policy"],
                    typescript: rootPkg.devDependencies.typescript,
                },
            },
            null,
            2,
        ),
    );
    // Always install the fresh tarball: same version number, new contents.
    rmSync(join(programs, "node_modules", "pulumi-upgrades"), { recursive: true, force: true });
    rmSync(join(programs, "package-lock.json"), { force: true });
    execFileSync("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error", "--install-links"], {
        cwd: programs,
        stdio: ["ignore", "ignore", "inherit"],
    });
    writeFileSync(join(workRoot, "e2e.json"), JSON.stringify({ engineBin, version, programs, tarball }));
    console.log(`[e2e] package ${tarball} installed into ${programs}/node_modules in ${((Date.now() - started) / 1000).toFixed(1)}s`);
}
