/**
 * Riverbed `mgmt.aaa` token authentication.
 *
 * - Login: `{user_credentials:{username,password}, generate_refresh_token?}` → 201 with an access
 *   token and, unless `generate_refresh_token` is `false`, a refresh token ([unknown] default; we
 *   choose "issue one" because the reference clients always ask for one).
 * - Refresh: `{refresh_token}` → 200 with a new access token. Sending `generate_refresh_token: true`
 *   together with a refresh token is a 400 (the docs say it must then be false).
 * - Optional `state` is echoed back (mgmt.aaa 2.0 schema).
 * - Refresh tokens expire after an idle period and are capped per user; one past the cap revokes
 *   the oldest (documented limits: 60 minutes, 25 tokens).
 * - Every other API call needs `Authorization: Bearer <access_token>`, with a capital B as the docs
 *   insist; `bearer` is rejected so clients get it right.
 */
import type { IncomingMessage } from "node:http";
import type { Clock } from "../core/clock";
import { SimulatorHttpError } from "../core/http-error";
import { isJsonObject } from "../core/http-io";
import type { TokenStore } from "../core/tokens";
import { RiverbedErrorIds } from "./constants";
import type { RiverbedRuntimeSettings } from "./options";

const ACCESS = "access";
const REFRESH = "refresh";

/** A token endpoint answer. */
export interface TokenResponse {
    readonly status: 200 | 201;
    readonly body: Record<string, unknown>;
}

/** Login credentials the simulated appliance accepts. */
export interface RiverbedCredentials {
    readonly username: string;
    readonly password: string;
}

/** Token issuing and checking for one simulated appliance. */
export class RiverbedAuth {
    constructor(
        private readonly tokens: TokenStore,
        private readonly clock: Clock,
        private readonly credentials: RiverbedCredentials,
        private readonly settings: () => RiverbedRuntimeSettings,
    ) {}

    /** Handle a `POST /api/mgmt.aaa/{1.0,2.0}/token` body. @throws SimulatorHttpError 400/401. */
    handleTokenRequest(body: unknown): TokenResponse {
        if (!isJsonObject(body)) {
            throw new SimulatorHttpError(400, RiverbedErrorIds.invalidRequest, "Token request body must be a JSON object.");
        }
        const state = body["state"];
        if (state !== undefined && typeof state !== "string") {
            throw new SimulatorHttpError(400, RiverbedErrorIds.invalidRequest, "[state] must be a string.");
        }
        const generateRefresh = body["generate_refresh_token"];
        if (generateRefresh !== undefined && typeof generateRefresh !== "boolean") {
            throw new SimulatorHttpError(400, RiverbedErrorIds.invalidRequest, "[generate_refresh_token] must be a boolean.");
        }
        const hasCredentials = body["user_credentials"] !== undefined;
        const hasRefresh = body["refresh_token"] !== undefined;
        if (hasCredentials === hasRefresh) {
            throw new SimulatorHttpError(
                400,
                RiverbedErrorIds.invalidRequest,
                "Provide exactly one of [user_credentials] or [refresh_token].",
            );
        }
        const response = hasCredentials
            ? this.login(body["user_credentials"], generateRefresh !== false)
            : this.refresh(body["refresh_token"], generateRefresh);
        if (state !== undefined) response.body["state"] = state;
        return response;
    }

    /**
     * Check the request's bearer token and return the user it belongs to.
     * @throws SimulatorHttpError 401 `{error_id, error_text}` when missing, malformed, unknown or expired.
     */
    authenticate(req: IncomingMessage): string {
        const header = req.headers.authorization;
        if (header === undefined || header === "") {
            throw unauthorized(RiverbedErrorIds.authRequired, "Authentication required: send 'Authorization: Bearer <access_token>'.");
        }
        const match = /^Bearer ([^\s]+)$/.exec(header);
        if (match === null) {
            throw unauthorized(RiverbedErrorIds.authRequired, "Unsupported Authorization header: expected 'Bearer <access_token>'.");
        }
        const lookup = this.tokens.use(match[1]!, ACCESS);
        if (lookup.status === "expired") throw unauthorized(RiverbedErrorIds.expiredToken, "The access token has expired.");
        if (lookup.status === "unknown") throw unauthorized(RiverbedErrorIds.invalidToken, "The access token is invalid.");
        return lookup.token.subject;
    }

    /** Forget every token (the appliance rebooted). */
    revokeAll(): void {
        this.tokens.revokeAll();
    }

    /** Expire every access token now (refresh tokens stay usable). */
    expireAccessTokens(): void {
        this.tokens.expireAll(ACCESS);
    }

    /** Counts of valid tokens, for the control API. */
    activeTokenCounts(): { access: number; refresh: number } {
        return { access: this.tokens.active({ kind: ACCESS }).length, refresh: this.tokens.active({ kind: REFRESH }).length };
    }

    private login(credentials: unknown, generateRefresh: boolean): TokenResponse {
        if (!isJsonObject(credentials) || typeof credentials["username"] !== "string" || typeof credentials["password"] !== "string") {
            throw new SimulatorHttpError(
                400,
                RiverbedErrorIds.invalidRequest,
                "[user_credentials] needs string [username] and [password].",
            );
        }
        if (credentials["username"] !== this.credentials.username || credentials["password"] !== this.credentials.password) {
            throw unauthorized(RiverbedErrorIds.invalidCredentials, "Invalid username or password.");
        }
        const subject = credentials["username"];
        const body: Record<string, unknown> = this.accessTokenBody(subject);
        if (generateRefresh) body["refresh_token"] = this.issueRefreshToken(subject);
        return { status: 201, body };
    }

    private refresh(refreshToken: unknown, generateRefresh: boolean | undefined): TokenResponse {
        if (typeof refreshToken !== "string" || refreshToken === "") {
            throw new SimulatorHttpError(400, RiverbedErrorIds.invalidRequest, "[refresh_token] must be a non-empty string.");
        }
        if (generateRefresh === true) {
            throw new SimulatorHttpError(400, RiverbedErrorIds.invalidRequest, "[generate_refresh_token] must be false when refreshing.");
        }
        const lookup = this.tokens.use(refreshToken, REFRESH);
        if (lookup.status === "expired") throw unauthorized(RiverbedErrorIds.expiredRefreshToken, "The refresh token has expired.");
        if (lookup.status === "unknown")
            throw unauthorized(RiverbedErrorIds.invalidRefreshToken, "The refresh token is invalid or was revoked.");
        return { status: 200, body: this.accessTokenBody(lookup.token.subject) };
    }

    private accessTokenBody(subject: string): Record<string, unknown> {
        const settings = this.settings();
        const token = this.tokens.issue({ kind: ACCESS, subject, ttlMs: settings.accessTokenTtlMs });
        const expiresAt =
            settings.expiresAtFormat === "lifetime-seconds"
                ? Math.round(settings.accessTokenTtlMs / 1000)
                : Math.floor((token.expiresAtMs ?? this.clock.now()) / 1000);
        return { access_token: token.value, expires_at: expiresAt, token_type: "bearer" };
    }

    private issueRefreshToken(subject: string): string {
        const settings = this.settings();
        const active = this.tokens.active({ kind: REFRESH, subject });
        // One slot must be free for the new token: revoke the oldest beyond the cap.
        for (const stale of active.slice(0, Math.max(0, active.length - settings.maxRefreshTokensPerUser + 1))) {
            this.tokens.revoke(stale.value);
        }
        return this.tokens.issue({ kind: REFRESH, subject, idleTimeoutMs: settings.refreshTokenIdleMs }).value;
    }
}

function unauthorized(errorId: string, text: string): SimulatorHttpError {
    return new SimulatorHttpError(401, errorId, text, { "WWW-Authenticate": "Bearer" });
}
