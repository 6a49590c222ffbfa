/**
 * The policy pack as a real gate under the real CLI: `pulumi preview --policy-pack policies` on a
 * compliant and a violating program, advisory by default and mandatory through
 * `--policy-pack-config`; a policy that reads the stack's name and config; and `pulumi about` showing the
 * upstream Node.js language host.
 */
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { startLoopbackServer, type LoopbackServer } from "../fixtures/loopback-server";
import { e2eEnv, TestStack } from "./harness";

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

test("a policy sees the stack's project, name and config", async () => {
    const stackContext = join(__dirname, "policy-packs/stack-context");
    const first = await stack.preview(["--policy-pack", stackContext]);
    expect(first.code).toBe(0);
    expect(first.output).toContain(`project loopback-e2e, stack ${stack.stackName}, config value 'v1', loopback:endpoint ${server.url}`);
    await stack.setConfig("value", "v2");
    const second = await stack.preview(["--policy-pack", stackContext]);
    expect(second.output).toContain(`project loopback-e2e, stack ${stack.stackName}, config value 'v2', loopback:endpoint ${server.url}`);
    const reported = second.events.filter((e) => e.policyEvent?.policyName === "stack-context").map((e) => e.policyEvent!.message);
    expect(reported.join("\n")).toContain("config value 'v2'");
});

test("pulumi about names the upstream Node.js language host and what only it reports", async () => {
    const host = execFileSync(join(e2eEnv().engineBin, "pulumi-language-nodejs"), ["-version"], { encoding: "utf8" }).trim(); // e.g. v3.259.0
    const r = await stack.run(["about"]);
    expect(r.code).toBe(0);
    expect(r.output).toMatch(new RegExp(`language\\s+nodejs\\s+${host.replace(/^v/, "").replaceAll(".", "\\.")}\\s`));
    // The upstream host's About and GetProgramDependencies answers: the package manager and the program's packages.
    expect(r.output).toMatch(/This project is written in nodejs: executable='[^']+' version='v\d+\.\d+\.\d+'[^\n]* packagemanager='npm'/);
    expect(r.output).toMatch(/Dependencies:[\s\S]*@pulumi\/pulumi\s+\d+\.\d+\.\d+[\s\S]*pulumi-upgrades\s+0\.1\.0/);
});
