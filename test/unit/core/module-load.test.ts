/**
 * What each process loads at start-up (issue 14: an unchanged `pulumi preview` pays it once per
 * process). A program's `import "pulumi-upgrades"` loads the resource classes and no HTTP code; the
 * provider process loads got only when a handler sends its first request, which a preview never
 * does. Runs the built package (bin/, as the serialization test) in a fresh node process.
 */
import { execFileSync } from "node:child_process";
import { resolve } from "node:path";

const repoRoot = resolve(__dirname, "../../..");

/** The files in `require.cache` after requiring `entry` (a path relative to the repository root). */
function filesLoadedBy(entry: string, then = ""): string[] {
    const script = `require(${JSON.stringify(resolve(repoRoot, entry))}); ${then}; console.log(JSON.stringify(Object.keys(require.cache)));`;
    const out = execFileSync(process.execPath, ["-e", script], { cwd: repoRoot, encoding: "utf8" });
    return JSON.parse(out) as string[];
}

const got = /node_modules\/got\//;
const ourHttp = /bin\/provider\/core\/http\.js$/;

test("a program importing the package loads no HTTP code", () => {
    const files = filesLoadedBy("bin/provider/index.js");
    expect(files.some((f) => /bin\/provider\/appgate\/appliance-upgrade\.js$/.test(f))).toBe(true);
    expect(files.filter((f) => got.test(f) || ourHttp.test(f) || /bin\/provider\/.*\/client\.js$/.test(f))).toEqual([]);
});

test("the provider runtime loads got on the first request, not at start-up", () => {
    const files = filesLoadedBy("bin/provider/runtime.js");
    expect(files.some((f) => ourHttp.test(f))).toBe(true);
    expect(files.filter((f) => got.test(f))).toEqual([]);
});

test("avi.getUpgradeStatusInfo loads the Avi client when called", () => {
    // Without an endpoint the call fails in resolving its connection: after loading the client, before any request.
    const index = JSON.stringify(resolve(repoRoot, "bin/provider/index.js"));
    const script = `require(${index}).avi.getUpgradeStatusInfo({}).catch((e) => console.log(JSON.stringify({ error: e.message, files: Object.keys(require.cache) })));`;
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("AVI_")));
    const { error, files } = JSON.parse(execFileSync(process.execPath, ["-e", script], { cwd: repoRoot, encoding: "utf8", env })) as {
        error: string;
        files: string[];
    };
    expect(error).toMatch(/endpoint/);
    expect(files.some((f) => /bin\/provider\/avi\/client\.js$/.test(f))).toBe(true);
    expect(files.filter((f) => got.test(f))).toEqual([]);
});
