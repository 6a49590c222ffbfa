import { FakeClock } from "../../../provider/core/clock";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import * as http from "node:http";
import * as https from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BasicCsrfAuth, BearerTokenAuth, CookieCsrfAuth } from "../../../provider/core/auth";
import { VendorApiError } from "../../../provider/core/errors";
import { HttpSession, parseRetryAfter, type HttpSessionOptions } from "../../../provider/core/http";
import { asWaitPoll } from "../../../provider/core/wait-poll";

type Handler = (req: http.IncomingMessage, res: http.ServerResponse, body: string) => void;

/** A loopback server whose behaviour each test scripts. */
async function serve(handler: Handler) {
    const server = http.createServer((req, res) => {
        let body = "";
        req.on("data", (c) => (body += c));
        req.on("end", () => handler(req, res, body));
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    return {
        url,
        close: () =>
            new Promise<void>((r) => {
                server.closeAllConnections();
                server.close(() => r());
            }),
    };
}

function json(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
    res.writeHead(status, { "content-type": "application/json", ...headers });
    res.end(JSON.stringify(body));
}

/** A session on a fake clock: backoff sleeps are instant and recorded. */
function session(url: string, extra: Partial<HttpSessionOptions> = {}) {
    const clock = new FakeClock();
    const sleeps = clock.sleeps;
    const s = new HttpSession({
        vendor: "acme",
        baseUrl: url,
        clock,
        random: () => 0,
        retry: { limit: 3, minDelayMs: 100, maxDelayMs: 1_000 },
        parseError: (b) => ({ code: (b as any)?.error_id, message: (b as any)?.error_text }),
        ...extra,
    });
    return { s, sleeps };
}

const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
    while (open.length) await open.pop()!.close();
});

test("GET is retried on 503 and succeeds", async () => {
    let n = 0;
    const srv = await serve((_q, res) =>
        ++n < 3 ? json(res, 503, { error_id: "BUSY", error_text: "busy" }) : json(res, 200, { ok: true }),
    );
    open.push(srv);
    const { s, sleeps } = session(srv.url);
    const r = await s.request({ method: "GET", path: "/thing" });
    expect(r.body).toEqual({ ok: true });
    expect(n).toBe(3);
    expect(sleeps).toEqual([100, 100]);
    s.close();
});

test("Retry-After (seconds) is honoured on 429", async () => {
    let n = 0;
    const srv = await serve((_q, res) =>
        ++n === 1 ? json(res, 429, { error_id: "SLOW_DOWN" }, { "retry-after": "7" }) : json(res, 200, {}),
    );
    open.push(srv);
    const { s, sleeps } = session(srv.url);
    await s.request({ method: "GET", path: "/x" });
    expect(sleeps).toEqual([7_000]);
    s.close();
});

test("a Retry-After beyond the limit ends the retries with a transient error carrying it", async () => {
    const srv = await serve((_q, res) => json(res, 503, { error_id: "MAINT", error_text: "maintenance" }, { "retry-after": "3600" }));
    open.push(srv);
    const { s, sleeps } = session(srv.url, { retry: { maxRetryAfterMs: 60_000 } });
    const err = await s.request({ method: "GET", path: "/x" }).catch((e) => e);
    expect(err).toBeInstanceOf(VendorApiError);
    expect(err.transient).toBe(true);
    expect(err.retryAfterMs).toBe(3_600_000);
    expect(sleeps).toEqual([]);
    s.close();
});

test("parseRetryAfter reads seconds and HTTP dates", () => {
    expect(parseRetryAfter("2", 0)).toBe(2_000);
    const now = Date.parse("2026-11-22T12:00:00Z");
    expect(parseRetryAfter("Sun, 22 Nov 2026 12:00:30 GMT", now)).toBe(30_000);
    expect(parseRetryAfter("garbage", now)).toBeUndefined();
});

test("a non-idempotent start (POST) is never retried on 5xx", async () => {
    let n = 0;
    const srv = await serve((_q, res) => {
        n++;
        json(res, 502, { error_id: "GW", error_text: "bad gateway" });
    });
    open.push(srv);
    const { s, sleeps } = session(srv.url);
    const err = await s.request({ method: "POST", path: "/update/start" }).catch((e) => e);
    expect(n).toBe(1);
    expect(sleeps).toEqual([]);
    expect(err.message).toBe(`acme POST /update/start on ${srv.url}: 502 (GW) bad gateway`);
});

test("inside a waiter's poll a 503 is not retried and a reset connection once: the waiter's next poll is the retry", async () => {
    let n = 0;
    let reset = false;
    const srv = await serve((req, res) => {
        n++;
        if (reset) req.socket.destroy();
        else json(res, 503, { error_id: "FAILOVER", error_text: "management is failing over" });
    });
    open.push(srv);
    const { s } = session(srv.url);
    const busy = await asWaitPoll(() => s.request({ method: "GET", path: "/session" })).catch((e) => e);
    expect(busy.status).toBe(503);
    expect(busy.transient).toBe(true);
    expect(n).toBe(1);
    n = 0;
    reset = true;
    const dropped = await asWaitPoll(() => s.request({ method: "GET", path: "/session" })).catch((e) => e);
    expect(dropped.code).toBe("ECONNRESET");
    expect(n).toBe(2);
    n = 0;
    reset = false;
    const oneShot = await s.request({ method: "GET", path: "/session" }).catch((e) => e); // outside a wait: the session's retries
    expect(oneShot.status).toBe(503);
    expect(n).toBe(4);
    s.close();
});

test("a POST whose connection was reset mid-request is not retried; a GET is", async () => {
    let n = 0;
    const srv = await serve((req) => {
        n++;
        req.socket.destroy();
    });
    open.push(srv);
    const { s } = session(srv.url);
    const post = await s.request({ method: "POST", path: "/update/start" }).catch((e) => e);
    expect(post.code).toBe("ECONNRESET");
    expect(post.transient).toBe(true);
    expect(n).toBe(1);
    n = 0;
    const get = await s.request({ method: "GET", path: "/update" }).catch((e) => e);
    expect(get.code).toBe("ECONNRESET");
    expect(n).toBe(4); // 1 + 3 retries
    expect(get.message).toContain("after 4 attempts");
});

test("a refused connection is retried even for POST: the request never left", async () => {
    const srv = await serve((_q, res) => json(res, 200, {}));
    const url = srv.url;
    await srv.close();
    const { s, sleeps } = session(url);
    const err = await s.request({ method: "POST", path: "/update/start" }).catch((e) => e);
    expect(err.code).toBe("ECONNREFUSED");
    expect(sleeps.length).toBe(3);
});

test("bearer auth: one shared login, re-login on 401, and the request replayed once", async () => {
    let logins = 0;
    let valid = "";
    let getCalls = 0;
    const srv = await serve((req, res, body) => {
        if (req.url === "/login") {
            logins++;
            expect(JSON.parse(body).password).toBe("s3cret-pw");
            valid = `tok-${logins}`;
            return json(res, 201, { access_token: valid });
        }
        getCalls++;
        if (req.headers.authorization !== `Bearer ${valid}`) return json(res, 401, { error_id: "AUTH", error_text: "expired" });
        json(res, 200, { token: req.headers.authorization });
    });
    open.push(srv);
    const auth = new BearerTokenAuth({
        secrets: ["s3cret-pw"],
        login: async (ctx) => {
            const r = await ctx.send({ method: "POST", path: "/login", json: { password: "s3cret-pw" } });
            return { accessToken: (r.body as any).access_token };
        },
    });
    const { s } = session(srv.url, { auth });
    await Promise.all([1, 2, 3].map(() => s.request({ method: "GET", path: "/a" })));
    expect(logins).toBe(1);
    valid = "rotated-by-device"; // the device forgets our token (reboot)
    const r = await s.request({ method: "POST", path: "/start" });
    expect(logins).toBe(2);
    expect(r.body).toEqual({ token: "Bearer tok-2" });
    expect(getCalls).toBe(5);
});

test("expired tokens are renewed before use with the refresh token", async () => {
    let now = 0;
    const seen: string[] = [];
    const srv = await serve((req, res) => {
        seen.push(req.headers.authorization ?? "");
        json(res, 200, {});
    });
    open.push(srv);
    let logins = 0;
    let refreshes = 0;
    const auth = new BearerTokenAuth({
        login: async () => ({ accessToken: `login-${++logins}`, refreshToken: "r1", expiresAt: now + 60_000 }),
        refresh: async (_ctx, rt) => ({ accessToken: `refreshed-${++refreshes}-${rt}`, expiresAt: now + 60_000 }),
    });
    const { s } = session(srv.url, { auth, clock: { now: () => now, sleep: async () => undefined } });
    await s.request({ method: "GET", path: "/a" });
    now = 45_000; // within 30 s of expiry
    await s.request({ method: "GET", path: "/a" });
    expect(seen).toEqual(["Bearer login-1", "Bearer refreshed-1-r1"]);
});

test("cookie + CSRF: session cookie sent, CSRF echoed and followed when it rotates", async () => {
    let csrf = "c1";
    const seen: { cookie?: string; csrf?: string }[] = [];
    const srv = await serve((req, res) => {
        if (req.url === "/login") {
            return json(res, 200, {}, { "set-cookie": [`sessionid=S1; HttpOnly`, `csrftoken=${csrf}; Path=/`] } as any);
        }
        seen.push({ cookie: req.headers.cookie, csrf: req.headers["x-csrftoken"] as string });
        csrf = "c2";
        json(res, 200, {}, { "set-cookie": `csrftoken=${csrf}; Path=/` } as any);
    });
    open.push(srv);
    const auth = new CookieCsrfAuth({
        csrfCookie: "csrftoken",
        csrfHeader: "X-CSRFToken",
        login: async (ctx) => void (await ctx.send({ method: "POST", path: "/login", json: { username: "u", password: "p" } })),
    });
    const { s } = session(srv.url, { auth });
    await s.request({ method: "GET", path: "/a" });
    await s.request({ method: "PATCH", path: "/b", json: {} });
    expect(seen).toEqual([
        { cookie: "sessionid=S1; csrftoken=c1", csrf: "c1" },
        { cookie: "sessionid=S1; csrftoken=c2", csrf: "c2" },
    ]);
});

test("basic + CSRF: a mutating call first fetches the CSRF token", async () => {
    const seen: string[] = [];
    const srv = await serve((req, res) => {
        seen.push(`${req.method} ${req.url} csrf=${req.headers["emc-csrf-token"] ?? "-"} auth=${req.headers.authorization?.slice(0, 5)}`);
        json(res, 200, {}, { "EMC-CSRF-TOKEN": "tok9" });
    });
    open.push(srv);
    const auth = new BasicCsrfAuth({
        username: "admin",
        password: "pw-123",
        csrfHeader: "EMC-CSRF-TOKEN",
        csrfProbePath: "/api/types/system/instances",
    });
    const { s } = session(srv.url, { auth });
    await s.request({ method: "POST", path: "/api/types/x/instances", json: {} });
    expect(seen).toEqual(["GET /api/types/system/instances csrf=- auth=Basic", "POST /api/types/x/instances csrf=tok9 auth=Basic"]);
});

test("error messages never contain credentials, even when the vendor echoes them", async () => {
    const password = "Sup3r$ecret/pw";
    const srv = await serve((req, res, body) => {
        if (req.url === "/login") return json(res, 200, { access_token: "TOKEN-abc123" });
        json(res, 400, {
            error_id: "BAD",
            error_text: `bad request with ${req.headers.authorization} and ${password} and ${encodeURIComponent(password)} ${body}`,
        });
    });
    open.push(srv);
    const auth = new BearerTokenAuth({
        secrets: [password],
        login: async (ctx) => ({
            accessToken: ((await ctx.send({ method: "POST", path: "/login", json: { password } })).body as any).access_token,
        }),
    });
    const { s } = session(srv.url, { auth });
    const err = await s.request({ method: "POST", path: "/x", json: { password } }).catch((e) => e);
    expect(err).toBeInstanceOf(VendorApiError);
    for (const secret of [password, encodeURIComponent(password), "TOKEN-abc123"]) {
        expect(err.message).not.toContain(secret);
        expect(JSON.stringify(err)).not.toContain(secret);
    }
    expect(err.message).toContain("[redacted]");
});

test("TLS: a self-signed device is refused by default, trusted with its CA bundle, or reached with explicit insecure", async () => {
    const dir = mkdtempSync(join(tmpdir(), "tls-test-"));
    try {
        execFileSync(
            "openssl",
            [
                "req",
                "-x509",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-days",
                "1",
                "-subj",
                "/CN=127.0.0.1",
                "-addext",
                "subjectAltName=IP:127.0.0.1",
                "-keyout",
                join(dir, "key.pem"),
                "-out",
                join(dir, "cert.pem"),
            ],
            { stdio: "ignore" },
        );
        const cert = readFileSync(join(dir, "cert.pem"), "utf8");
        const server = https.createServer({ key: readFileSync(join(dir, "key.pem")), cert }, (_q, res) => json(res, 200, { ok: true }));
        await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
        open.push({
            close: () =>
                new Promise<void>((r) => {
                    server.closeAllConnections();
                    server.close(() => r());
                }),
        });
        const url = `https://127.0.0.1:${(server.address() as { port: number }).port}`;

        const strict = session(url).s;
        const refused = await strict.request({ method: "GET", path: "/" }).catch((e) => e);
        expect(refused).toBeInstanceOf(VendorApiError);
        expect(refused.code).toBe("DEPTH_ZERO_SELF_SIGNED_CERT");
        expect(refused.transient).toBe(false);

        expect((await session(url, { tls: { caBundle: cert } }).s.request({ method: "GET", path: "/" })).body).toEqual({ ok: true });
        expect((await session(url, { tls: { insecure: true } }).s.request({ method: "GET", path: "/" })).body).toEqual({ ok: true });
    } finally {
        rmSync(dir, { recursive: true, force: true });
    }
});
