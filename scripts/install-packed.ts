/**
 * Installs this package the way a user gets it, for programs that run under the real engine (the
 * end-to-end tests and bench/preview-scale): `npm pack` into `<workRoot>/pack`, then the tarball
 * installed (not linked) with the SDK into `<workRoot>/programs/node_modules`, which every program
 * directory below `<workRoot>/programs` resolves.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** Where {@link installPackedPackage} put the tarball and the programs' folder. */
export interface PackedInstall {
    tarball: string;
    programs: string;
}

/**
 * Packs the package at `repo` and installs it into `<workRoot>/programs`, next to the root's dev
 * versions of the SDK and TypeScript and of each name in `alsoFromDevDependencies`.
 */
export function installPackedPackage(repo: string, workRoot: string, name: string, alsoFromDevDependencies: string[] = []): PackedInstall {
    const pack = join(workRoot, "pack");
    rmSync(pack, { recursive: true, force: true });
    mkdirSync(pack, { recursive: true });
    execFileSync("npm", ["pack", "--silent", "--ignore-scripts", "--pack-destination", pack], {
        cwd: repo,
        stdio: ["ignore", "ignore", "inherit"],
    });
    const tarball = join(
        pack,
        readdirSync(pack).find((f) => f.endsWith(".tgz"))!,
    );

    const programs = join(workRoot, "programs");
    mkdirSync(programs, { recursive: true });
    const devDependencies: Record<string, string> = JSON.parse(readFileSync(join(repo, "package.json"), "utf8")).devDependencies;
    const dependencies: Record<string, string> = { "pulumi-upgrades": `file:${tarball}` };
    for (const dependency of ["@pulumi/pulumi", ...alsoFromDevDependencies, "typescript"]) {
        dependencies[dependency] = devDependencies[dependency]!;
    }
    writeFileSync(join(programs, "package.json"), JSON.stringify({ name, private: true, dependencies }, null, 2));
    // Always install the fresh tarball: same version number, new contents.
    rmSync(join(programs, "node_modules", "pulumi-upgrades"), { recursive: true, force: true });
    rmSync(join(programs, "package-lock.json"), { force: true });
    execFileSync("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error", "--install-links"], {
        cwd: programs,
        stdio: ["ignore", "ignore", "inherit"],
    });
    return { tarball, programs };
}
