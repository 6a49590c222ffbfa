/**
 * Controller admin authentication and API versioning.
 *
 * - `POST /login {providerName, username, password, deviceId}` → 200 `{token, expires, user, ...}`.
 *   Unknown identity provider or wrong credentials → 401 `{id, message, reason}`; a missing field
 *   → 400. Tokens are random and expire after `tokenTtlMs`; an expired token gets 401 (the
 *   documented TokenError); the controller forgets every token when it reboots ([unknown]: assumed).
 * - Every request except `GET /version` must send `Accept: application/vnd.appgate.peer-vNN+json`
 *   with NN between the controller's lowest and highest supported peer version; otherwise 406
 *   `{id: "not acceptable", message, minSupportedVersion, maxSupportedVersion}`. The spec documents
 *   min/max on `/login` (sdpctl also reads them from `/authentication`); the simulator includes them
 *   on every 406, a harmless superset.
 */
import type { IncomingMessage } from "node:http";
import type { Clock } from "../core/clock";
import { isJsonObject } from "../core/http-io";
import type { TokenStore } from "../core/tokens";
import { AppgateHttpError } from "./appliance";
import { AppgateErrorIds, PEER_MEDIA_TYPE_PATTERN, peerMediaType } from "./constants";

const ADMIN_TOKEN = "admin";
const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The admin the simulated controller knows. */
export interface AppgateCredentials {
    readonly username: string;
    readonly password: string;
    readonly identityProvider: string;
}

/** The peer API versions the controller accepts. */
export interface PeerVersionRange {
    readonly min: number;
    readonly max: number;
}

/** Login, bearer-token checks and `Accept` negotiation of one controller. */
export class AppgateAuth {
    /** Successful logins. */
    logins = 0;
    /** Set by `expireAll(true)`: tokens stay unusable until one request has been refused. */
    private rejectUntilRefused = false;

    constructor(
        private readonly tokens: TokenStore,
        private readonly clock: Clock,
        private readonly credentials: AppgateCredentials,
        private readonly tokenTtlMs: () => number,
        /** Called after each successful login, once the token is issued. */
        private readonly onLogin: (username: string) => void = () => undefined,
    ) {}

    /**
     * Check the `Accept` header against `range`; returns the requested version.
     * @throws AppgateHttpError 406 with the supported range.
     */
    negotiate(req: IncomingMessage, range: PeerVersionRange): number {
        const header = req.headers.accept ?? "";
        const ranges = header.split(",").map((part) => part.split(";")[0]!.trim());
        let requested: number | undefined;
        for (const candidate of ranges) {
            const match = PEER_MEDIA_TYPE_PATTERN.exec(candidate);
            if (match !== null) {
                requested = Number(match[1]);
                break;
            }
        }
        if (requested !== undefined && requested >= range.min && requested <= range.max) return requested;
        const got = header === "" ? "no Accept header" : `'${header}'`;
        throw new AppgateHttpError(
            406,
            AppgateErrorIds.notAcceptable,
            `Invalid 'Accept' header: this controller supports ${peerMediaType(range.min)} to ${peerMediaType(range.max)}, got ${got}.`,
            { minSupportedVersion: range.min, maxSupportedVersion: range.max },
        );
    }

    /** Handle a `POST /login` body. @throws AppgateHttpError 400/401. */
    login(body: unknown): Record<string, unknown> {
        if (!isJsonObject(body)) throw new AppgateHttpError(400, AppgateErrorIds.badRequest, "Login body must be a JSON object.");
        const { providerName, username, password, deviceId } = body;
        if (typeof providerName !== "string" || providerName === "") {
            throw new AppgateHttpError(400, AppgateErrorIds.badRequest, "[providerName] is required.");
        }
        if (typeof deviceId !== "string" || !UUID_PATTERN.test(deviceId)) {
            throw new AppgateHttpError(400, AppgateErrorIds.badRequest, "[deviceId] is required and must be a UUID.");
        }
        if (typeof username !== "string" || typeof password !== "string") {
            throw new AppgateHttpError(
                400,
                AppgateErrorIds.badRequest,
                "[username] and [password] are required for this identity provider.",
            );
        }
        if (providerName !== this.credentials.identityProvider) {
            throw new AppgateHttpError(401, AppgateErrorIds.unauthorized, "Authentication failed.", {
                reason: `Identity provider '${providerName}' does not exist.`,
            });
        }
        if (username !== this.credentials.username || password !== this.credentials.password) {
            throw new AppgateHttpError(401, AppgateErrorIds.unauthorized, "Authentication failed.", {
                reason: "Invalid username or password.",
            });
        }
        const token = this.tokens.issue({ kind: ADMIN_TOKEN, subject: username, ttlMs: this.tokenTtlMs() });
        // A client that renewed its token on its own before being refused still gets one 401.
        if (this.rejectUntilRefused) this.tokens.expireAll(ADMIN_TOKEN);
        this.logins++;
        this.onLogin(username);
        return {
            token: Buffer.from(token.value).toString("base64"),
            expires: new Date(token.expiresAtMs ?? this.clock.now()).toISOString(),
            user: {
                name: username,
                needTwoFactorAuth: false,
                canAccessAuditLogs: true,
                privileges: [{ type: "All", target: "All" }],
            },
            messageOfTheDay: "Simulated Appgate SDP collective",
            ztpCollectiveType: "connected",
            ztpAccountType: "standard",
            crlEnabled: false,
        };
    }

    /**
     * Check the request's bearer token.
     * @throws AppgateHttpError 401 when missing, unknown or expired.
     */
    authenticate(req: IncomingMessage): string {
        const match = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? "");
        if (match === null)
            throw new AppgateHttpError(401, AppgateErrorIds.unauthorized, "Authentication required: send 'Authorization: Bearer <token>'.");
        const lookup = this.tokens.use(Buffer.from(match[1]!, "base64").toString("utf8"), ADMIN_TOKEN);
        if (lookup.status !== "valid") this.rejectUntilRefused = false;
        if (lookup.status === "expired") throw new AppgateHttpError(401, AppgateErrorIds.unauthorized, "Token expired. Login again.");
        if (lookup.status === "unknown") throw new AppgateHttpError(401, AppgateErrorIds.unauthorized, "Invalid token. Login again.");
        return lookup.token.subject;
    }

    /** Forget every token (the controller rebooted). */
    revokeAll(): void {
        this.tokens.revokeAll();
    }

    /**
     * Make every token expire now. With `untilRefused`, tokens issued by logins that happen before
     * the next 401 expire at once too, so the next authenticated request is refused even when the
     * client renewed its token on its own meanwhile (deterministic "token expired mid-wait" tests).
     */
    expireAll(untilRefused = false): void {
        this.tokens.expireAll(ADMIN_TOKEN);
        this.rejectUntilRefused = untilRefused;
    }

    /** Valid tokens (control API). */
    activeTokens(): number {
        return this.tokens.active({ kind: ADMIN_TOKEN }).length;
    }
}
