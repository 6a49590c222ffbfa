/**
 * Unisphere authentication: HTTP Basic, login cookies and the CSRF token.
 *
 * - Every request needs `X-EMC-REST-CLIENT: true`; without it the answer is **302** (documented).
 * - A request with a valid login cookie is authenticated. Otherwise HTTP Basic is checked; a good
 *   Basic GET starts a login: it sets the `mod_sec_emc` cookie and returns `EMC-CSRF-TOKEN`.
 * - POST and DELETE need the login cookie **and** the login's `EMC-CSRF-TOKEN`; otherwise 401.
 *   (A Basic-only POST cannot carry a valid token, so it is a 401 too.)
 * - Logins expire after `idleTimeoutSeconds` without use; a failover of the management SP forgets
 *   every login and token ({@link UnityAuth.invalidateAll}).
 */
import { randomBytes, timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { TokenStore } from "../core/tokens";
import { CSRF_HEADER, LOGIN_COOKIE, REST_CLIENT_HEADER, UnityErrorCodes } from "./constants";
import { unityError } from "./rest";

const LOGIN = "login";

/** Credentials the simulated array accepts. */
export interface UnityCredentials {
    readonly username: string;
    readonly password: string;
}

/** An authenticated caller. */
export interface UnityLogin {
    readonly user: string;
    readonly cookie: string;
    readonly csrfToken: string;
}

/** Login handling for one simulated array. */
export class UnityAuth {
    private readonly csrfByLogin = new Map<string, string>();
    /** Logins started (Basic GETs that created a cookie), for tests: "one login per run". */
    loginsStarted = 0;

    constructor(
        private readonly tokens: TokenStore,
        private readonly credentials: UnityCredentials,
        private readonly settings: () => { readonly idleTimeoutSeconds: number; readonly csrfOnEveryGet: boolean },
    ) {}

    /** 302 unless the mandatory `X-EMC-REST-CLIENT: true` header is present. */
    requireRestClientHeader(req: IncomingMessage): void {
        if (String(req.headers[REST_CLIENT_HEADER] ?? "").toLowerCase() !== "true") {
            throw unityError(302, UnityErrorCodes.unauthorized, "The X-EMC-REST-CLIENT header is required.", { Location: "/index.html" });
        }
    }

    /**
     * Authenticate a request (see the module comment); may start a login and set its headers on `res`.
     * @throws 401 with the error body.
     */
    authenticate(req: IncomingMessage, res: ServerResponse): UnityLogin {
        const method = (req.method ?? "GET").toUpperCase();
        const mutating = method !== "GET" && method !== "HEAD";
        const existing = this.loginFromCookie(req);
        if (existing !== undefined) {
            if (mutating) this.requireCsrf(req, existing);
            else if (this.settings().csrfOnEveryGet) res.setHeader(CSRF_HEADER, existing.csrfToken);
            return existing;
        }
        const user = this.checkBasic(req);
        if (mutating) {
            throw unityError(
                401,
                UnityErrorCodes.csrfMissing,
                "The request is missing a valid login session and EMC-CSRF-TOKEN; log in with a GET first.",
            );
        }
        const token = this.tokens.issue({ kind: LOGIN, subject: user, idleTimeoutMs: this.settings().idleTimeoutSeconds * 1000 });
        const csrfToken = randomBytes(24).toString("base64url");
        this.csrfByLogin.set(token.value, csrfToken);
        this.loginsStarted++;
        res.setHeader("Set-Cookie", [
            `${LOGIN_COOKIE}=${token.value}; Path=/; Secure; HttpOnly`,
            `mod_sec_emc_sso=1; Path=/; Secure; HttpOnly`,
        ]);
        res.setHeader(CSRF_HEADER, csrfToken);
        return { user, cookie: token.value, csrfToken };
    }

    /** Forget one login (logout). */
    logout(login: UnityLogin): void {
        this.tokens.revoke(login.cookie);
        this.csrfByLogin.delete(login.cookie);
    }

    /** Forget every login and CSRF token (management failover). */
    invalidateAll(): void {
        this.tokens.revokeAll();
        this.csrfByLogin.clear();
    }

    /** Active logins (for `/__sim/state`). */
    activeLogins(): number {
        return this.tokens.active({ kind: LOGIN }).length;
    }

    private loginFromCookie(req: IncomingMessage): UnityLogin | undefined {
        const cookie = cookieValue(req.headers.cookie, LOGIN_COOKIE);
        if (cookie === undefined) return undefined;
        const lookup = this.tokens.use(cookie, LOGIN);
        const csrfToken = this.csrfByLogin.get(cookie);
        if (lookup.status !== "valid" || csrfToken === undefined) return undefined;
        return { user: lookup.token.subject, cookie, csrfToken };
    }

    private requireCsrf(req: IncomingMessage, login: UnityLogin): void {
        const sent = req.headers[CSRF_HEADER.toLowerCase()];
        const value = Array.isArray(sent) ? sent[0] : sent;
        if (value === undefined || !sameSecret(value, login.csrfToken)) {
            throw unityError(
                401,
                UnityErrorCodes.csrfMissing,
                "The EMC-CSRF-TOKEN header is missing or does not belong to this login session.",
            );
        }
    }

    private checkBasic(req: IncomingMessage): string {
        const header = req.headers.authorization ?? "";
        const match = /^Basic\s+(\S+)$/i.exec(header);
        const decoded = match ? Buffer.from(match[1]!, "base64").toString("utf8") : "";
        const colon = decoded.indexOf(":");
        const user = colon >= 0 ? decoded.slice(0, colon) : "";
        const password = colon >= 0 ? decoded.slice(colon + 1) : "";
        if (!match || !sameSecret(user, this.credentials.username) || !sameSecret(password, this.credentials.password)) {
            throw unityError(
                401,
                UnityErrorCodes.unauthorized,
                "Authentication failed: the user name or password is incorrect, or the session timed out.",
                {
                    "WWW-Authenticate": 'Basic realm="Unisphere"',
                },
            );
        }
        return user;
    }
}

function sameSecret(a: string, b: string): boolean {
    const left = Buffer.from(a);
    const right = Buffer.from(b);
    return left.length === right.length && timingSafeEqual(left, right);
}

function cookieValue(header: string | undefined, name: string): string | undefined {
    for (const pair of (header ?? "").split(";")) {
        const eq = pair.indexOf("=");
        if (eq > 0 && pair.slice(0, eq).trim() === name) return pair.slice(eq + 1).trim();
    }
    return undefined;
}
