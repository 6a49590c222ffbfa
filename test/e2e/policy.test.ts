/**
 * The policy pack as a real gate under the real CLI: `pulumi preview --policy-pack policies` on a
 * compliant and a violating program, advisory by default and mandatory through
 * `--policy-pack-config`.
 */
import { writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { startLoopbackServer, type LoopbackServer } from "../fixtures/loopback-server";
import { TestStack } from "./harness";

const policies = resolve(__dirname, "../../policies");
let server: LoopbackServer;
let stack: TestStack;

beforeAll(async () => {
    server = await startLoopbackServer({ username: "operator", password: "pw-policy-1" });
    stack = await TestStack.create(join(__dirname, "programs/loopback"), {
        config: { "loopback:endpoint": server.url, "loopback:username": "operator", value: "v1" },
        secrets: { devicePassword: "pw-policy-1" },
    });
});

afterAll(async () => {
    await stack?.dispose();
    await server?.close();
});

test("a compliant program passes the pack", async () => {
    const r = await stack.preview(["--policy-pack", policies]);
    expect(r.code).toBe(0);
    expect(r.output).not.toMatch(/\[(advisory|mandatory)\]/);
    expect(r.output).toMatch(/Policy Packs run:[\s\S]*pulumi-upgrades\|local\|\S*policies\s+0\.1\.0/);
});

test("disabling TLS verification is reported as advisory by default", async () => {
    await stack.setConfig("insecure", "true");
    const r = await stack.preview(["--policy-pack", policies]);
    expect(r.code).toBe(0);
    expect(r.output).toMatch(/\[advisory\].*tls-verification/);
    expect(r.output).toContain("TLS certificate verification is disabled for 'greeting'");
});

test("made mandatory with --policy-pack-config, the same violation fails the preview", async () => {
    const configFile = join(stack.dir, "policy-config.json");
    writeFileSync(configFile, JSON.stringify({ "tls-verification": "mandatory" }));
    const r = await stack.preview(["--policy-pack", policies, "--policy-pack-config", configFile]);
    expect(r.code).not.toBe(0);
    expect(r.output).toMatch(/\[mandatory\].*tls-verification/);
    expect(r.output).toContain("TLS certificate verification is disabled for 'greeting'");
    expect(server.calls.apply ?? 0).toBe(0);
});
