/**
 * Unisphere authentication as an {@link AuthStrategy}: HTTP Basic and `X-EMC-REST-CLIENT: true` on
 * every request, the login cookies, and `EMC-CSRF-TOKEN` on POST and DELETE.
 *
 * - Login (as gounity does): `GET /api/types/loginSessionInfo/instances` with Basic; the array sets
 *   its cookies and returns the CSRF token in a response header. One login per array per provider
 *   process: every resource shares the session (see `sessions.ts`), and concurrent callers wait for
 *   the same login.
 * - The token is captured from **any** response that carries it (the guide says the first GET; some
 *   arrays may send it again), so a rotated token is picked up.
 * - A 401 (bad or expired login, or a CSRF token the array no longer knows — after the management
 *   failover every login is gone) forgets the cookies and the token; the session logs in again and
 *   sends the request once more. Streamed uploads cannot be replayed by the session, so the client
 *   calls {@link UnityAuth.invalidate} itself and starts the upload over.
 */

import type { AuthContext, AuthStrategy } from "../core/auth";
import { CookieJar } from "../core/auth";
import type { HttpResponse, RequestOptions } from "../core/http";

/** The CSRF header, in both directions. */
export const CSRF_HEADER = "EMC-CSRF-TOKEN";
/** The cheap authenticated GET used to log in. */
export const LOGIN_PATH = "/api/types/loginSessionInfo/instances";

/** Basic + cookies + CSRF token for one array. */
export class UnityAuth implements AuthStrategy {
    private readonly jar = new CookieJar();
    private csrf?: string;
    private loggedIn = false;
    private pending?: Promise<void>;
    /** Logins performed (observability: "one login per array per run", re-login after failover). */
    logins = 0;

    constructor(
        private readonly username: string,
        private readonly password: string,
    ) {}

    private get basic(): string {
        return `Basic ${Buffer.from(`${this.username}:${this.password}`).toString("base64")}`;
    }

    async headers(ctx: AuthContext, request: RequestOptions): Promise<Record<string, string>> {
        if (!this.loggedIn) {
            this.pending ??= this.login(ctx).finally(() => (this.pending = undefined));
            await this.pending;
        }
        const headers: Record<string, string> = { Authorization: this.basic };
        const cookie = this.jar.header();
        if (cookie) {
            headers.Cookie = cookie;
        }
        if (request.method !== "GET" && request.method !== "HEAD" && this.csrf) {
            headers[CSRF_HEADER] = this.csrf;
        }
        return headers;
    }

    observe(response: HttpResponse): void {
        this.jar.capture(response);
        const token = response.headers[CSRF_HEADER.toLowerCase()];
        const value = Array.isArray(token) ? token[0] : token;
        if (value) {
            this.csrf = value;
        }
    }

    rejected(response: HttpResponse): boolean {
        if (response.status !== 401) {
            return false;
        }
        this.invalidate();
        return true;
    }

    /** Forget the login (cookies and CSRF token): the next request logs in again. */
    invalidate(): void {
        this.loggedIn = false;
        this.csrf = undefined;
        this.jar.clear();
    }

    secrets(): string[] {
        return [this.password, this.basic.slice("Basic ".length), this.csrf ?? "", ...this.jar.values()].filter(Boolean);
    }

    private async login(ctx: AuthContext): Promise<void> {
        this.jar.clear();
        this.csrf = undefined;
        await ctx.send({ method: "GET", path: LOGIN_PATH, searchParams: { fields: "id" }, headers: { Authorization: this.basic } });
        this.loggedIn = true;
        this.logins++;
    }
}
