/**
 * The foundation, proven through the real CLI with the package's self-test resource
 * (`loopback:Setting` against an in-test HTTP server): preview → up → no-op preview → property diff
 * → update → refresh → a failure that stays in state and resumes → destroy; secrets never in
 * plaintext in the state or the CLI output.
 */
import { join } from "node:path";
import { startLoopbackServer, type LoopbackServer } from "../fixtures/loopback-server";
import { steps, TestStack, type RunResult } from "./harness";

const PASSWORD = "pw-Loopback-7f3a9c";
let server: LoopbackServer;
let stack: TestStack;
/** Every CLI run of this file goes through keep(): the password must not be in what that run printed. */
const keep = (r: RunResult) => (expect(r.output).not.toContain(PASSWORD), r);

beforeAll(async () => {
    server = await startLoopbackServer({ username: "operator", password: PASSWORD, applyMs: 500 });
    stack = await TestStack.create(join(__dirname, "programs/loopback"), {
        config: { "loopback:endpoint": server.url, "loopback:username": "operator", value: "hello" },
        secrets: { devicePassword: PASSWORD },
    });
});

afterAll(async () => {
    await stack?.dispose();
    await server?.close();
});

test("preview shows one create and calls nothing that changes the device", async () => {
    const r = keep(await stack.preview());
    expect(r.code).toBe(0);
    expect(steps(r)).toEqual(["create greeting"]);
    expect(r.output).toContain("pulumi-nodejs:dynamic/loopback:Setting");
    expect(server.calls.apply ?? 0).toBe(0);
});

test("up creates the setting and waits until the device reports APPLIED", async () => {
    const r = keep(await stack.up());
    expect(r.code).toBe(0);
    expect(r.output).toContain("[greeting] applying greeting");
    expect(r.output).toContain("[greeting] state: start → APPLYING");
    expect(server.settings.get("greeting")).toMatchObject({ value: "hello", state: "APPLIED" });
    expect(server.calls.apply).toBe(1);
    expect(server.calls.login).toBe(1);
    const [res] = (await stack.resources()).filter((x) => x.type === "pulumi-nodejs:dynamic/loopback:Setting");
    expect(res.id).toBe("greeting");
    expect(res.outputs).toMatchObject({ state: "APPLIED", appliedValue: "hello" });
    // The serialized provider is a thin shim (measured: see README).
    expect(res.inputs!.__provider.length).toBeLessThan(4096);
});

test("a second preview shows no changes", async () => {
    const r = keep(await stack.preview(["--expect-no-changes"]));
    expect(r.code).toBe(0);
    expect(steps(r)).toEqual([]);
});

test("changing an input shows a readable property diff, and up updates in place", async () => {
    await stack.setConfig("value", "world");
    const p = keep(await stack.preview());
    expect(p.code).toBe(0);
    expect(steps(p)).toEqual(["update greeting"]);
    expect(p.output).toMatch(/~ value\s*:\s*"hello" => "world"/);
    const u = keep(await stack.up());
    expect(u.code).toBe(0);
    expect(server.settings.get("greeting")).toMatchObject({ value: "world", state: "APPLIED" });
    expect(server.calls.apply).toBe(2);
});

test("changing the key shows a replace", async () => {
    await stack.setConfig("key", "salutation");
    const p = keep(await stack.preview());
    expect(p.code).toBe(0);
    await stack.setConfig("key", "greeting");
    expect(steps(p)).toEqual(["create-replacement greeting", "replace greeting", "delete-replaced greeting"]);
    expect(p.output).toContain("+-pulumi-nodejs:dynamic/loopback:Setting: (replace)");
    expect(p.output).toMatch(/~ key\s*:\s*"greeting" => "salutation"/);
});

test("refresh reads the device and sees drift", async () => {
    server.settings.get("greeting")!.value = "drifted";
    const r = keep(await stack.refresh());
    expect(r.code).toBe(0);
    const [res] = (await stack.resources()).filter((x) => x.type.endsWith("loopback:Setting"));
    expect(res.outputs!.value).toBe("drifted");
    // The drift shows as a diff against the program, and the next up puts the declared value back.
    const p = keep(await stack.preview());
    expect(p.output).toMatch(/~ value\s*:\s*"drifted" => "world"/);
    const u = keep(await stack.up());
    expect(u.code).toBe(0);
    expect(server.settings.get("greeting")).toMatchObject({ value: "world", state: "APPLIED" });
});

test("a device failure names the device and its message, keeps the resource in state, and the next up resumes", async () => {
    await stack.setConfig("value", "fail-on-purpose");
    const bad = keep(await stack.up());
    expect(bad.code).not.toBe(0);
    expect(bad.output).toContain(
        `loopback server ${server.url} setting greeting: applying failed in state FAILED: value fail-on-purpose rejected by the device`,
    );
    const [res] = (await stack.resources()).filter((x) => x.type.endsWith("loopback:Setting"));
    expect(res.id).toBe("greeting");
    expect(res.outputs).toMatchObject({ state: "FAILED" });
    expect(res.initErrors?.length).toBeGreaterThan(0);

    await stack.setConfig("value", "recovered");
    const good = keep(await stack.up());
    expect(good.code).toBe(0);
    expect(server.settings.get("greeting")).toMatchObject({ value: "recovered", state: "APPLIED" });
});

test("invalid inputs fail at preview with the property and the reason", async () => {
    await stack.setConfig("waitTimeoutSeconds", "-5");
    const p = keep(await stack.preview());
    expect(p.code).not.toBe(0);
    expect(p.output).toMatch(/property waitTimeoutSeconds value \{-5\} has a problem: must be a positive number of seconds/);
    await stack.must(["config", "rm", "waitTimeoutSeconds"]);
});

test("the password is never in plaintext in the state or the CLI output", async () => {
    const exported = await stack.exportText();
    expect(exported).not.toContain(PASSWORD);
    expect(exported).toContain("4dabf18193072939515e22adb298388d"); // the secret signature: it is stored as a secret
    const config = keep(await stack.run(["config"]));
    expect(config.code).toBe(0);
    expect(config.output).toMatch(/devicePassword\s+\[secret\]/);
    // and never in a URL the provider called
    expect(server.requests.some((r) => r.path.includes(PASSWORD))).toBe(false);
});

test("all resources of a run share one runtime: one login per device per run", async () => {
    await stack.setConfig("extraSettings", "3");
    const loginsBefore = server.calls.login ?? 0;
    const r = keep(await stack.up());
    expect(r.code).toBe(0);
    expect(steps(r).sort()).toEqual(["create extra-0", "create extra-1", "create extra-2"]);
    expect(server.calls.login - loginsBefore).toBe(1);
});

test("destroy removes the setting from the device", async () => {
    const r = keep(await stack.destroy());
    expect(r.code).toBe(0);
    expect(server.settings.size).toBe(0);
    expect(await stack.resources()).toEqual([]);
});
