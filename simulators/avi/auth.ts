/**
 * Avi controller sessions (avi.md §1–2):
 *
 * - `POST /login` with `{username, password}` as JSON or form-encoded → 200 with the login document
 *   and cookies `csrftoken`, `sessionid` and `avi-sessionid` (same value).
 * - Every `/api` call needs the session cookie; unsafe methods also need `X-CSRFToken` equal to the
 *   session's CSRF token (else 401 with a plain-text body) and a `Referer`.
 * - `X-Avi-Version` is required (400 without it unless the knob says otherwise); the response is
 *   rendered in that version.
 * - Sessions expire after `sessionIdleMs` without use (401 or 419) and all die when the controller reboots.
 * - The CSRF token may rotate (`rotateCsrfEvery`): the answer carries the new `csrftoken` cookie and the old one is void.
 */
import type { IncomingMessage } from "node:http";
import { randomBytes } from "node:crypto";
import type { Clock } from "../core/clock";
import { SimulatorHttpError } from "../core/http-error";
import { isJsonObject } from "../core/http-io";
import { AviNames, CSRF_FAILURE_TEXT } from "./constants";
import type { AviRuntimeSettings } from "./options";

/** One logged-in session. */
interface AviSession {
    readonly id: string;
    readonly username: string;
    csrf: string;
    lastUsedMs: number;
    calls: number;
}

/** What an authenticated request resolved to. */
export interface AviRequestIdentity {
    readonly username: string;
    /** Version the response must be rendered in. */
    readonly apiVersion: string;
    readonly tenant: string;
    /** `Set-Cookie` headers to add to the answer (a rotated CSRF token). */
    readonly setCookies: string[];
}

/** An error answered with a plain-text body (the CSRF rejection). */
export class PlainTextHttpError extends SimulatorHttpError {}

/** Session bookkeeping for one simulated controller. */
export class AviAuth {
    private readonly sessions = new Map<string, AviSession>();
    /** Sessions ever issued (for tests: "logged in again after the reboot"). */
    logins = 0;

    constructor(
        private readonly clock: Clock,
        private readonly credentials: { username: string; password: string },
        private readonly settings: () => AviRuntimeSettings,
        private readonly sessionCookieName: string,
        private readonly tenants: readonly string[],
    ) {}

    /** Check a login body; returns the cookies to set. @throws SimulatorHttpError 400/401. */
    login(rawBody: string, contentType: string | undefined): { username: string; setCookies: string[] } {
        const fields = parseLoginBody(rawBody, contentType);
        if (fields.username !== this.credentials.username || fields.password !== this.credentials.password) {
            throw new SimulatorHttpError(401, "INVALID_CREDENTIALS", "Invalid credentials");
        }
        const session: AviSession = {
            id: randomBytes(16).toString("hex"),
            username: fields.username,
            csrf: randomBytes(16).toString("hex"),
            lastUsedMs: this.clock.now(),
            calls: 0,
        };
        this.sessions.set(session.id, session);
        this.logins++;
        return { username: session.username, setCookies: sessionCookies(session, this.sessionCookieName) };
    }

    /** End the session named by the request's cookies (unknown sessions are fine). */
    logout(req: IncomingMessage): void {
        const id = this.sessionIdOf(req);
        if (id !== undefined) this.sessions.delete(id);
    }

    /**
     * Authenticate an `/api` request.
     * @param controllerVersion used when the version header is absent and not required.
     * @throws SimulatorHttpError 400 (headers), 401/419 (session), PlainTextHttpError 401 (CSRF).
     */
    authenticate(req: IncomingMessage, controllerVersion: string): AviRequestIdentity {
        const settings = this.settings();
        const id = this.sessionIdOf(req);
        const session = id === undefined ? undefined : this.sessions.get(id);
        const now = this.clock.now();
        if (session === undefined || now - session.lastUsedMs >= settings.sessionIdleMs) {
            if (session !== undefined) this.sessions.delete(session.id);
            throw new SimulatorHttpError(
                settings.expiredSessionStatus,
                "AUTHENTICATION_REQUIRED",
                "Authentication credentials were not provided or the session expired.",
            );
        }
        const method = (req.method ?? "GET").toUpperCase();
        const unsafe = !["GET", "HEAD", "OPTIONS"].includes(method);
        if (unsafe && header(req, AviNames.csrfHeader) !== session.csrf) {
            throw new PlainTextHttpError(401, "CSRF_FAILED", CSRF_FAILURE_TEXT);
        }
        if (unsafe && header(req, "referer") === undefined) {
            throw new SimulatorHttpError(403, "REFERER_MISSING", "Referer checking failed - no Referer.");
        }
        const requested = header(req, AviNames.versionHeader);
        if (requested === undefined && settings.requireVersionHeader) {
            throw new SimulatorHttpError(400, "VERSION_HEADER_MISSING", "X-Avi-Version header is required.");
        }
        if (requested !== undefined && !/^\d+\.\d+\.\d+/.test(requested)) {
            throw new SimulatorHttpError(400, "VERSION_HEADER_INVALID", `X-Avi-Version ${requested} is not a version.`);
        }
        const tenant = this.tenantOf(req);
        session.lastUsedMs = now;
        session.calls++;
        const setCookies: string[] = [];
        if (settings.rotateCsrfEvery > 0 && session.calls % settings.rotateCsrfEvery === 0) {
            session.csrf = randomBytes(16).toString("hex");
            setCookies.push(csrfCookie(session.csrf));
        }
        return { username: session.username, apiVersion: requested ?? controllerVersion, tenant, setCookies };
    }

    /** Forget every session (the controller rebooted). */
    revokeAll(): void {
        this.sessions.clear();
    }

    /** Make every session expire now (tests: session expiry mid-wait). */
    expireAll(): void {
        const past = this.clock.now() - this.settings().sessionIdleMs - 1;
        for (const session of this.sessions.values()) session.lastUsedMs = past;
    }

    /** Number of live sessions. */
    activeSessions(): number {
        const now = this.clock.now();
        return [...this.sessions.values()].filter((s) => now - s.lastUsedMs < this.settings().sessionIdleMs).length;
    }

    private tenantOf(req: IncomingMessage): string {
        const byName = header(req, AviNames.tenantHeader);
        const byUuid = header(req, AviNames.tenantUuidHeader);
        if (byName !== undefined && byUuid !== undefined) {
            throw new SimulatorHttpError(400, "TENANT_HEADERS_EXCLUSIVE", "X-Avi-Tenant and X-Avi-Tenant-UUID are mutually exclusive.");
        }
        const known = ["admin", ...this.tenants];
        if (byName !== undefined) {
            if (!known.includes(byName)) throw new SimulatorHttpError(400, "TENANT_NOT_FOUND", `Tenant ${byName} not found.`);
            return byName;
        }
        if (byUuid !== undefined) {
            const match = known.find((name) => tenantUuid(name) === byUuid);
            if (match === undefined) throw new SimulatorHttpError(400, "TENANT_NOT_FOUND", `Tenant ${byUuid} not found.`);
            return match;
        }
        return "admin";
    }

    private sessionIdOf(req: IncomingMessage): string | undefined {
        const cookies = parseCookies(req.headers.cookie);
        return cookies.get(this.sessionCookieName) ?? cookies.get("sessionid") ?? cookies.get("avi-sessionid");
    }
}

/** Stable tenant uuid, e.g. `tenant-admin`. */
export function tenantUuid(name: string): string {
    return `tenant-${name}`;
}

function sessionCookies(session: AviSession, extraName: string): string[] {
    const names = new Set<string>(["sessionid", extraName]);
    return [csrfCookie(session.csrf), ...[...names].map((name) => `${name}=${session.id}; Max-Age=86400; Path=/; HttpOnly; SameSite=Lax`)];
}

function csrfCookie(value: string): string {
    return `${AviNames.csrfCookie}=${value}; Max-Age=31449600; Path=/; SameSite=Lax`;
}

function header(req: IncomingMessage, name: string): string | undefined {
    const value = req.headers[name];
    const first = Array.isArray(value) ? value[0] : value;
    return first === undefined || first === "" ? undefined : first;
}

function parseCookies(raw: string | undefined): Map<string, string> {
    const cookies = new Map<string, string>();
    for (const part of (raw ?? "").split(";")) {
        const eq = part.indexOf("=");
        if (eq > 0) cookies.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
    }
    return cookies;
}

function parseLoginBody(raw: string, contentType: string | undefined): { username?: string; password?: string } {
    const type = (contentType ?? "").split(";", 1)[0]!.trim().toLowerCase();
    if (type === "application/x-www-form-urlencoded") {
        const form = new URLSearchParams(raw);
        return { username: form.get("username") ?? undefined, password: form.get("password") ?? undefined };
    }
    let body: unknown;
    try {
        body = JSON.parse(raw);
    } catch {
        throw new SimulatorHttpError(400, "INVALID_JSON", "Login body must be JSON or form-encoded.");
    }
    if (!isJsonObject(body)) throw new SimulatorHttpError(400, "INVALID_LOGIN", "Login body must be an object.");
    const text = (v: unknown) => (typeof v === "string" ? v : undefined);
    return { username: text(body["username"]), password: text(body["password"]) };
}
