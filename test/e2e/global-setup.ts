/**
 * Prepares what every end-to-end test shares, once per `jest` run:
 * 1. the Pulumi engine (`scripts/pulumi-engine.sh`: found on PATH, cached, or built);
 * 2. this package as a user gets it: an `npm pack` tarball installed (not linked) into
 *    `.test-work/programs/node_modules`, which every test program directory below it resolves.
 * Paths are handed to the test files through `.test-work/e2e.json`.
 */
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { installPackedPackage } from "../../scripts/install-packed";
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

    const { tarball, programs } = installPackedPackage(repo, workRoot, "e2e-programs", ["@pulumi/policy"]);
    writeFileSync(join(workRoot, "e2e.json"), JSON.stringify({ engineBin, version, programs, tarball }));
    console.log(`[e2e] package ${tarball} installed into ${programs}/node_modules in ${((Date.now() - started) / 1000).toFixed(1)}s`);
}
