/**
 * Pluggable authentication for {@link HttpSession}. Each vendor picks one strategy:
 *
 * | strategy            | used for                                         |
 * |---------------------|--------------------------------------------------|
 * | {@link BearerTokenAuth} | login → access token (+ refresh token), re-login on 401 |
 * | {@link CookieCsrfAuth}  | session cookie + CSRF header echoed from a cookie |
 * | {@link BasicCsrfAuth}   | HTTP Basic on every call + CSRF token from a response header |
 *
 * Strategies never put credentials anywhere but request headers, and report every secret they hold
 * through `secrets()` so the session can scrub error messages.
 */

import type { HttpResponse, RequestOptions } from "./http-types";

/** What a strategy may do with the session while authenticating. */
export interface AuthContext {
    /**
     * Sends a request *without* this strategy's headers (for login and refresh calls). Responses still
     * pass through {@link AuthStrategy.observe}, so cookies set by a login are captured.
     */
    send(request: RequestOptions): Promise<HttpResponse>;
    /** Current time in epoch ms (injectable for tests). */
    now(): number;
}

/** The contract between {@link HttpSession} and an authentication scheme. */
export interface AuthStrategy {
    /** Headers to add to `request`; may log in first. Concurrent callers must share one login. */
    headers(ctx: AuthContext, request: RequestOptions): Promise<Record<string, string>>;
    /** Sees every response (login responses included): capture cookies, rotated CSRF tokens. */
    observe?(response: HttpResponse, request: RequestOptions): void;
    /**
     * Called when the vendor rejected our credentials (401, or a vendor-specific CSRF failure).
     * Forget what is stale and return true to have the session retry the request once.
     */
    rejected?(response: HttpResponse, request: RequestOptions): boolean;
    /** Every credential this strategy holds, for redaction. */
    secrets(): string[];
}

/** A token obtained by a login or a refresh. */
export interface TokenGrant {
    accessToken: string;
    /** Epoch ms when the access token expires; unknown → only a 401 triggers a new login. */
    expiresAt?: number;
    refreshToken?: string;
}

/** Options of {@link BearerTokenAuth}. */
export interface BearerTokenAuthOptions {
    /** Logs in with user credentials. */
    login(ctx: AuthContext): Promise<TokenGrant>;
    /** Trades a refresh token for a new grant; on failure the strategy falls back to `login`. */
    refresh?(ctx: AuthContext, refreshToken: string): Promise<TokenGrant>;
    /** Header to send; default `Authorization`. */
    header?: string;
    /** Scheme prefix; default `Bearer` (capital B: some vendors insist). Empty string → token only. */
    scheme?: string;
    /** Renew this long before `expiresAt`. Default 30 s. */
    renewBeforeMs?: number;
    /** Credentials to redact besides the tokens (passwords). */
    secrets?: string[];
}

/** Bearer-token login with refresh, proactive renewal before expiry and re-login on 401. */
export class BearerTokenAuth implements AuthStrategy {
    private grant?: TokenGrant;
    private pending?: Promise<TokenGrant>;
    /** Number of logins and refreshes performed (observability for tests and progress lines). */
    logins = 0;
    refreshes = 0;

    constructor(private readonly options: BearerTokenAuthOptions) {}

    async headers(ctx: AuthContext): Promise<Record<string, string>> {
        const grant = await this.currentGrant(ctx);
        const scheme = this.options.scheme ?? "Bearer";
        return { [this.options.header ?? "Authorization"]: scheme ? `${scheme} ${grant.accessToken}` : grant.accessToken };
    }

    rejected(response: HttpResponse): boolean {
        if (response.status !== 401) {
            return false;
        }
        // The access token is dead; keep the refresh token, which may still be good.
        this.invalidate();
        return true;
    }

    secrets(): string[] {
        return [...(this.options.secrets ?? []), this.grant?.accessToken ?? "", this.grant?.refreshToken ?? ""].filter(Boolean);
    }

    /**
     * Forgets the access token (the refresh token is kept), so the next request logs in again. For
     * strategies that wrap this one and learn from a vendor-specific answer that the token is unusable.
     */
    invalidate(): void {
        if (this.grant) {
            this.grant = { accessToken: "", expiresAt: 0, refreshToken: this.grant.refreshToken };
        }
    }

    private async currentGrant(ctx: AuthContext): Promise<TokenGrant> {
        const renewBefore = this.options.renewBeforeMs ?? 30_000;
        const g = this.grant;
        if (g && g.accessToken && (g.expiresAt === undefined || g.expiresAt - renewBefore > ctx.now())) {
            return g;
        }
        // Single flight: every request waiting for a token shares one login.
        this.pending ??= this.obtain(ctx, g?.refreshToken).finally(() => (this.pending = undefined));
        return this.pending;
    }

    private async obtain(ctx: AuthContext, refreshToken: string | undefined): Promise<TokenGrant> {
        if (refreshToken && this.options.refresh) {
            try {
                const refreshed = await this.options.refresh(ctx, refreshToken);
                this.refreshes++;
                this.grant = { ...refreshed, refreshToken: refreshed.refreshToken ?? refreshToken };
                return this.grant;
            } catch {
                // Refresh token expired or revoked (e.g. the device rebooted): log in again.
            }
        }
        const fresh = await this.options.login(ctx);
        this.logins++;
        this.grant = fresh;
        return fresh;
    }
}

/**
 * A tiny cookie jar: name → value, from Set-Cookie headers (one host per session, so domain and path
 * do not matter; see core/http.ts for why this is not tough-cookie). A cookie the server expires
 * (`Max-Age=0` or less, or an `Expires` in the past) is forgotten.
 */
export class CookieJar {
    private readonly cookies = new Map<string, string>();

    constructor(private readonly now: () => number = Date.now) {}

    capture(response: HttpResponse): void {
        const raw = response.headers["set-cookie"];
        for (const line of Array.isArray(raw) ? raw : raw ? [raw] : []) {
            const [pair = "", ...attributes] = line.split(";");
            const eq = pair.indexOf("=");
            if (eq <= 0) {
                continue;
            }
            const name = pair.slice(0, eq).trim();
            if (this.expired(attributes)) {
                this.cookies.delete(name);
            } else {
                this.cookies.set(name, pair.slice(eq + 1).trim());
            }
        }
    }

    /** Max-Age wins over Expires (RFC 6265 §5.3). */
    private expired(attributes: string[]): boolean {
        const attrs = new Map(
            attributes.map((a) => {
                const eq = a.indexOf("=");
                return [(eq < 0 ? a : a.slice(0, eq)).trim().toLowerCase(), eq < 0 ? "" : a.slice(eq + 1).trim()] as const;
            }),
        );
        const maxAge = attrs.get("max-age");
        if (maxAge !== undefined && /^-?\d+$/.test(maxAge)) {
            return Number(maxAge) <= 0;
        }
        const expires = attrs.get("expires");
        return expires !== undefined && Date.parse(expires) <= this.now();
    }

    get(name: string): string | undefined {
        return this.cookies.get(name);
    }
    header(): string | undefined {
        return this.cookies.size ? [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ") : undefined;
    }
    clear(): void {
        this.cookies.clear();
    }
    values(): string[] {
        return [...this.cookies.values()];
    }
}

/** Options of {@link CookieCsrfAuth}. */
export interface CookieCsrfAuthOptions {
    /** Logs in through `ctx.send`; the session cookies it sets are captured automatically. */
    login(ctx: AuthContext): Promise<void>;
    /** Cookie carrying the CSRF token, e.g. `csrftoken`. */
    csrfCookie: string;
    /** Header the token must be echoed in, e.g. `X-CSRFToken`. */
    csrfHeader: string;
    /** Extra headers for every authenticated request (e.g. `Referer`, a version header). */
    extraHeaders?: Record<string, string>;
    /** Which responses mean "log in again"; default: 401, and 403 whose body mentions CSRF. */
    isRejection?(response: HttpResponse): boolean;
    secrets?: string[];
}

/** Cookie session with a CSRF token that may rotate on any response. */
export class CookieCsrfAuth implements AuthStrategy {
    private readonly jar = new CookieJar();
    private loggedIn = false;
    private pending?: Promise<void>;
    logins = 0;

    constructor(private readonly options: CookieCsrfAuthOptions) {}

    async headers(ctx: AuthContext): Promise<Record<string, string>> {
        if (!this.loggedIn) {
            this.pending ??= this.options
                .login(ctx)
                .then(() => {
                    this.loggedIn = true;
                    this.logins++;
                })
                .finally(() => (this.pending = undefined));
            await this.pending;
        }
        const headers: Record<string, string> = { ...(this.options.extraHeaders ?? {}) };
        const cookie = this.jar.header();
        if (cookie) {
            headers.Cookie = cookie;
        }
        const csrf = this.jar.get(this.options.csrfCookie);
        if (csrf) {
            headers[this.options.csrfHeader] = csrf;
        }
        return headers;
    }

    observe(response: HttpResponse): void {
        this.jar.capture(response);
    }

    rejected(response: HttpResponse): boolean {
        const rejection = this.options.isRejection
            ? this.options.isRejection(response)
            : response.status === 401 || (response.status === 403 && /csrf/i.test(response.text));
        if (rejection) {
            this.loggedIn = false;
            this.jar.clear();
        }
        return rejection;
    }

    secrets(): string[] {
        return [...(this.options.secrets ?? []), ...this.jar.values()];
    }
}

/** Options of {@link BasicCsrfAuth}. */
export interface BasicCsrfAuthOptions {
    username: string;
    password: string;
    /** Response header that carries the CSRF token, echoed as a request header of the same name. */
    csrfHeader: string;
    /** A cheap GET that returns the CSRF token, used before the first mutating call. */
    csrfProbePath: string;
    /** Extra headers for every request. */
    extraHeaders?: Record<string, string>;
}

/** HTTP Basic on every request, plus a CSRF token (from a response header) on mutating requests. */
export class BasicCsrfAuth implements AuthStrategy {
    private readonly jar = new CookieJar();
    private csrf?: string;

    constructor(private readonly options: BasicCsrfAuthOptions) {}

    async headers(ctx: AuthContext, request: RequestOptions): Promise<Record<string, string>> {
        const basic = Buffer.from(`${this.options.username}:${this.options.password}`).toString("base64");
        const headers: Record<string, string> = { ...(this.options.extraHeaders ?? {}), Authorization: `Basic ${basic}` };
        const mutating = request.method !== "GET" && request.method !== "HEAD";
        if (mutating && !this.csrf) {
            await ctx.send({ method: "GET", path: this.options.csrfProbePath, headers });
        }
        const cookie = this.jar.header();
        if (cookie) {
            headers.Cookie = cookie;
        }
        if (mutating && this.csrf) {
            headers[this.options.csrfHeader] = this.csrf;
        }
        return headers;
    }

    observe(response: HttpResponse): void {
        this.jar.capture(response);
        const token = response.headers[this.options.csrfHeader.toLowerCase()];
        if (typeof token === "string" && token) {
            this.csrf = token;
        }
    }

    rejected(response: HttpResponse): boolean {
        if (response.status === 401 || (response.status === 403 && /csrf/i.test(response.text))) {
            this.csrf = undefined;
            this.jar.clear();
            return true;
        }
        return false;
    }

    secrets(): string[] {
        const basic = Buffer.from(`${this.options.username}:${this.options.password}`).toString("base64");
        return [this.options.password, basic, this.csrf ?? "", ...this.jar.values()].filter(Boolean);
    }
}
