/**
 * `loopback:Setting` on a fake clock: the handler, its HTTP session and the fixture server all read
 * one {@link FakeClock}, so waits, outages and deadlines run without wall-clock sleeps.
 */
import { FakeClock } from "../../../provider/core/clock";
import { ResourceNotReadyError } from "../../../provider/core/dynamic";
import { handlerEnv, type HandlerEnv } from "../../../provider/core/env";
import { settingHandler } from "../../../provider/loopback/setting-handler";
import { startLoopbackServer, type LoopbackServer } from "../../fixtures/loopback-server";

const PASSWORD = "loopback-unit-pw-7f3";
let clock: FakeClock;
let env: HandlerEnv;
let server: LoopbackServer;
let lines: string[];
let spy: jest.SpyInstance;

beforeEach(async () => {
    clock = new FakeClock();
    env = handlerEnv(clock);
    server = await startLoopbackServer({ username: "operator", password: PASSWORD, applyMs: 5_000, now: () => clock.now() });
    lines = [];
    spy = jest.spyOn(console, "log").mockImplementation((...args: unknown[]) => void lines.push(args.map(String).join(" ")));
});
afterEach(async () => {
    spy.mockRestore();
    env.clients.close();
    await server.close();
});

const inputs = (extra: Record<string, unknown> = {}) => ({
    __logName: "greeting",
    connection: { endpoint: server.url, username: "operator", password: PASSWORD },
    key: "greeting",
    value: "hello",
    ...extra,
});

test("create applies once and waits for APPLIED on the fake clock", async () => {
    const handler = settingHandler(env);
    const start = clock.now();
    const result = await handler.create(inputs());
    expect(result).toMatchObject({ id: "greeting", outs: { state: "APPLIED", appliedValue: "hello" } });
    expect(clock.now() - start).toBeGreaterThanOrEqual(5_000);
    expect(server.calls).toMatchObject({ login: 1, apply: 1 });
    expect(lines).toContain("[greeting] applying greeting");
    expect(lines).toContain("[greeting] state: start → APPLYING");
    expect(lines).toContain("[greeting] state: APPLYING → APPLIED");
});

test("a value already being applied is adopted, never applied twice; one already applied is left alone", async () => {
    const handler = settingHandler(env);
    server.settings.set("greeting", { value: "hello", state: "APPLYING", settlesAt: clock.now() + 2_000 });
    await handler.create(inputs());
    expect(server.calls.apply ?? 0).toBe(0);
    expect(lines).toContain("[greeting] greeting is already being applied: waiting for it instead of starting again");
    await handler.update!("greeting", {} as never, inputs());
    expect(server.calls.apply ?? 0).toBe(0);
    expect(lines).toContain("[greeting] greeting already hello: nothing to do");
});

test("FAILED is a partial failure naming the server, the key, the phase and the server's message", async () => {
    const err = await settingHandler(env)
        .create(inputs({ value: "fail-on-purpose" }))
        .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ResourceNotReadyError);
    expect((err as ResourceNotReadyError).id).toBe("greeting");
    expect((err as ResourceNotReadyError).properties).toMatchObject({ state: "FAILED", appliedValue: "" });
    expect((err as Error).message).toBe(
        `loopback server ${server.url} setting greeting: applying failed in state FAILED: value fail-on-purpose rejected by the device`,
    );
});

test("waitTimeoutSeconds is one deadline for the whole operation", async () => {
    const start = clock.now();
    const err = await settingHandler(env)
        .create(inputs({ waitTimeoutSeconds: 3 }))
        .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ResourceNotReadyError);
    expect((err as Error).message).toMatch(
        /^timed out waiting for loopback server .* setting greeting to reach APPLIED: last state APPLYING after 3\.0s \(budget 3\.0s\)$/,
    );
    expect(clock.now() - start).toBe(3_000);
});

test("an outage during the wait and during a refresh is ridden out within the reboot allowance", async () => {
    const handler = settingHandler(env);
    const t0 = clock.now();
    server.unavailableUntil(t0 + 40_000, t0 + 1_000); // down from 1 s after the PUT for 39 s
    await expect(handler.create(inputs({ waitTimeoutSeconds: 120 }))).resolves.toMatchObject({ outs: { state: "APPLIED" } });
    expect(lines.some((l) => l.startsWith("[greeting] state: unreachable") && l.endsWith("waiting up to 1m00s"))).toBe(true);
    expect(lines.some((l) => l.startsWith("[greeting] state: reachable again after"))).toBe(true);
    expect(server.calls.apply).toBe(1);

    server.unavailableUntil(clock.now() + 45_000, clock.now());
    const props = { ...inputs(), state: "APPLIED", appliedValue: "hello" };
    await expect(handler.read!("greeting", props)).resolves.toMatchObject({ id: "greeting", props: { value: "hello", state: "APPLIED" } });
    expect(lines.some((l) => l.startsWith("[greeting] refresh: unreachable"))).toBe(true);
});

test("read during a long outage keeps the last known state with a warning; read after removal drops it", async () => {
    const handler = settingHandler(env);
    await handler.create(inputs());
    const props = { ...inputs(), state: "APPLIED", appliedValue: "hello" };
    server.unavailableUntil(clock.now() + 60 * 60_000);
    const read = await handler.read!("greeting", props);
    expect(read).toEqual({ id: "greeting", props, inputs: inputs() });
    expect(lines.at(-1)).toMatch(/^\[greeting\] warning: loopback server .* stayed unreachable for 1m00s .*keeping the last known state/);
    server.unavailableUntil(0);
    server.settings.get("greeting")!.value = "drifted";
    await expect(handler.read!("greeting", props)).resolves.toMatchObject({ props: { value: "drifted" }, inputs: { value: "drifted" } });
    server.settings.delete("greeting");
    await expect(handler.read!("greeting", props)).resolves.toEqual({ id: "", props });
});

test("check reports {property, reason} and never rewrites an input", async () => {
    const handler = settingHandler(env);
    const news = { key: "bad key!", value: "x", waitTimeoutSeconds: -1 };
    const result = await handler.check!({}, news);
    expect(result.inputs).toBe(news);
    expect(result.failures).toEqual([
        { property: "key", reason: "must be 1-64 characters of letters, digits, '.', '_' or '-'" },
        { property: "waitTimeoutSeconds", reason: "must be a positive number of seconds" },
    ]);
});

test("diff replaces on another key or another server, with endpoints compared in canonical form", async () => {
    const handler = settingHandler(env);
    const olds = { ...inputs(), connection: { endpoint: "https://Dev.example:443/" }, state: "APPLIED", appliedValue: "hello" };
    await expect(handler.diff!("greeting", olds, { ...inputs(), connection: { endpoint: "https://dev.example" } })).resolves.toEqual({
        replaces: [],
    });
    await expect(handler.diff!("greeting", olds, { ...inputs(), connection: { endpoint: "https://other.example" } })).resolves.toEqual({
        replaces: ["connection"],
    });
    await expect(
        handler.diff!("greeting", olds, { ...inputs(), key: "other", connection: { endpoint: "https://dev.example" } }),
    ).resolves.toEqual({ replaces: ["key"] });
});

test("one login per server per run; an insecure connection to the same server gets its own session", async () => {
    const handler = settingHandler(env);
    await handler.create(inputs());
    await handler.create(inputs({ key: "second" }));
    expect(server.calls.login).toBe(1);
    await handler.create(
        inputs({ key: "third", connection: { endpoint: server.url, username: "operator", password: PASSWORD, insecure: true } }),
    );
    expect(server.calls.login).toBe(2);
    expect(env.clients.size).toBe(2);
});

test("a server speaking another API major is refused at login with a clear message", async () => {
    await server.close();
    server = await startLoopbackServer({ username: "operator", password: PASSWORD, apiVersion: "2.0", now: () => clock.now() });
    await expect(settingHandler(env).create(inputs())).rejects.toThrow("the server speaks API 2.0; this client speaks 1.x");
});

test("delete removes the setting; already gone is fine", async () => {
    const handler = settingHandler(env);
    await handler.create(inputs());
    const props = { ...inputs(), state: "APPLIED", appliedValue: "hello" };
    await handler.delete!("greeting", props);
    expect(server.settings.has("greeting")).toBe(false);
    await expect(handler.delete!("greeting", props)).resolves.toBeUndefined();
});
