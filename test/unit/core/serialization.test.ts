/**
 * Serializes every resource kind's provider exactly as `pulumi.dynamic.Resource` does and loads it
 * back exactly as the dynamic-provider host does (require-from-string, `.handler()`), then calls it.
 * Catches anything un-serializable captured by a provider (native functions, zod schemas, clients)
 * and measures the `__provider` size stored twice per resource in the state.
 */
import { mkdtemp, mkdir, rm, symlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { allKinds } from "../../../provider/kinds";
import { kinds } from "../../../provider/runtime";

const requireFromString: (code: string, filename?: string) => any = require("require-from-string");
const repoRoot = resolve(__dirname, "../../..");
let programDir: string;

beforeAll(async () => {
    // A program directory whose node_modules holds this package (built into bin/ by `npm test`).
    programDir = await mkdtemp(join(tmpdir(), "serialize-"));
    await mkdir(join(programDir, "node_modules"));
    await symlink(repoRoot, join(programDir, "node_modules", "pulumi-upgrades"));
});
afterAll(async () => {
    await rm(programDir, { recursive: true, force: true });
});

test("the runtime registers at least one kind", () => {
    expect(kinds()).toContain("loopback:Setting");
});

test("every defined kind has a handler in the runtime, and every handler a defined kind", () => {
    expect(kinds().sort()).toEqual(allKinds.map((k) => k.name).sort());
});

test.each(allKinds.map((k) => [k.name, k] as const))(
    "%s: provider serializes, stays small, and loads back and dispatches through the runtime",
    async (_name, kind) => {
        const provider = kind.provider;
        const serialized = await pulumi.runtime.serializeFunction(() => provider, { allowSecrets: true });
        const text = serialized.text;
        console.log(`${kind.name}: __provider is ${text.length} bytes`);
        expect(text.length).toBeLessThanOrEqual(4096);
        // Nothing but the runtime is required, by its public name; no by-value module capture.
        expect(text).toContain('require("pulumi-upgrades/runtime")');
        expect(text).not.toMatch(/bin\/provider|node_modules\//);

        const loaded = requireFromString(text, join(programDir, "__provider.js")).handler();
        expect(Object.keys(loaded).sort()).toEqual(["check", "configure", "create", "delete", "diff", "read", "update"]);
        // check with an empty bag must come back as structured failures, not a crash.
        const result = await loaded.check({}, {});
        expect(Array.isArray(result.failures)).toBe(true);
        expect(result.failures.length).toBeGreaterThan(0);
        for (const f of result.failures) {
            expect(typeof f.property).toBe("string");
            expect(typeof f.reason).toBe("string");
        }
    },
);

test("a provider capturing a zod schema built at module level would be caught", async () => {
    const { z } = await import("zod");
    const schema = z.object({ a: z.string() });
    const bad: pulumi.dynamic.ResourceProvider = {
        async create(inputs) {
            schema.parse(inputs);
            return { id: "x" };
        },
    };
    await expect(pulumi.runtime.serializeFunction(() => bad, { allowSecrets: true })).rejects.toThrow();
});
