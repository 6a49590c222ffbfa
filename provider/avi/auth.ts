/**
 * Avi controller session authentication (avi.md §1–2), as an {@link AuthStrategy}:
 *
 * - login `POST /login {username, password}`; the `csrftoken` and session cookies it sets are kept;
 * - every call sends the cookies, `X-CSRFToken`, `Referer: <controller>`, `X-Avi-Version` (the
 *   configured version, else the controller's `version.Version` from the login answer) and the tenant;
 * - any answer carrying a new `csrftoken` cookie replaces the token (rotation);
 * - 401 (expired session or a stale CSRF token, plain text) and 419 (login timeout) mean "log in again";
 *   the session then retries the request once. A reboot voids all sessions and ends the same way.
 */

import { CookieJar, type AuthContext, type AuthStrategy } from "../core/auth";
import type { HttpResponse } from "../core/http";

/** Options of {@link AviSessionAuth}. */
export interface AviSessionAuthOptions {
    endpoint: string;
    username: string;
    password: string;
    /** `X-Avi-Version`; default: the controller's version from the login answer. */
    apiVersion?: string;
    /** `X-Avi-Tenant` (a name) — omitted when unset, so the user's default tenant applies. */
    tenant?: string;
}

/** Cookie session + CSRF header + version header. */
export class AviSessionAuth implements AuthStrategy {
    private readonly jar = new CookieJar();
    private loggedIn = false;
    private pending?: Promise<void>;
    /** The controller's version as the last login reported it (`version.Version`). */
    controllerVersion?: string;
    /** Logins performed (observability for tests and progress lines). */
    logins = 0;

    constructor(private readonly options: AviSessionAuthOptions) {}

    /** The `X-Avi-Version` in use (known after the first login unless configured). */
    get apiVersion(): string | undefined {
        return this.options.apiVersion ?? this.controllerVersion;
    }

    async headers(ctx: AuthContext): Promise<Record<string, string>> {
        if (!this.loggedIn) {
            this.pending ??= this.login(ctx).finally(() => (this.pending = undefined));
            await this.pending;
        }
        const headers: Record<string, string> = { Referer: this.options.endpoint };
        const cookie = this.jar.header();
        if (cookie) headers.Cookie = cookie;
        const csrf = this.jar.get("csrftoken");
        if (csrf) headers["X-CSRFToken"] = csrf;
        if (this.apiVersion) headers["X-Avi-Version"] = this.apiVersion;
        if (this.options.tenant) headers["X-Avi-Tenant"] = this.options.tenant;
        return headers;
    }

    observe(response: HttpResponse): void {
        this.jar.capture(response);
    }

    rejected(response: HttpResponse): boolean {
        if (response.status !== 401 && response.status !== 419) return false;
        this.loggedIn = false;
        this.jar.clear();
        return true;
    }

    /** Forget the session: the next request logs in again (used after a controller reboot). */
    reset(): void {
        this.loggedIn = false;
        this.jar.clear();
    }

    secrets(): string[] {
        return [this.options.password, ...this.jar.values()].filter(Boolean);
    }

    private async login(ctx: AuthContext): Promise<void> {
        this.jar.clear();
        const response = await ctx.send({
            method: "POST",
            path: "/login",
            json: { username: this.options.username, password: this.options.password },
            headers: { Referer: this.options.endpoint },
        });
        const body = response.body as { version?: { Version?: unknown } } | undefined;
        const version = body?.version?.Version;
        if (typeof version === "string" && /^\d+\.\d+/.test(version)) this.controllerVersion = version;
        this.loggedIn = true;
        this.logins++;
    }
}
