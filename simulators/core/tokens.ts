/**
 * Opaque bearer tokens with absolute and idle expiry, shared by vendors that hand out tokens.
 *
 * Vendors layer their own rules on top (Riverbed: refresh tokens capped per user; Appgate: a single
 * login token). Tokens are random, so a client can never guess or reuse one across simulator runs.
 */
import { randomBytes } from "node:crypto";
import type { Clock } from "./clock";

/** One issued token. Times are epoch milliseconds of the simulator's clock. */
export interface IssuedToken {
    /** The secret value sent by clients. */
    readonly value: string;
    /** What kind of token this is, vendor-defined (e.g. `access`, `refresh`). */
    readonly kind: string;
    /** Who the token belongs to (user name). */
    readonly subject: string;
    readonly issuedAtMs: number;
    /** Absolute expiry, or `undefined` for none. */
    readonly expiresAtMs: number | undefined;
    /** Expiry after this long without use, or `undefined` for none. */
    readonly idleTimeoutMs: number | undefined;
    /** Last time {@link TokenStore.use} accepted this token. */
    lastUsedAtMs: number;
}

/** Result of looking a token up. */
export type TokenLookup =
    | { readonly status: "valid"; readonly token: IssuedToken }
    | { readonly status: "expired"; readonly token: IssuedToken }
    | { readonly status: "unknown" };

/** Parameters for {@link TokenStore.issue}. */
export interface IssueTokenArgs {
    readonly kind: string;
    readonly subject: string;
    /** Absolute lifetime in ms; omit for none. */
    readonly ttlMs?: number;
    /** Idle lifetime in ms (expires when unused this long); omit for none. */
    readonly idleTimeoutMs?: number;
}

/** Expired tokens are remembered this long so clients get "expired" rather than "unknown". */
const EXPIRED_TOKEN_MEMORY_MS = 24 * 60 * 60 * 1000;
/** Upper bound on remembered tokens, so a client looping on login cannot grow memory forever. */
const MAX_REMEMBERED_TOKENS = 10_000;

/** Issues, checks and revokes tokens. */
export class TokenStore {
    private readonly tokens = new Map<string, IssuedToken>();

    constructor(private readonly clock: Clock) {}

    /** Issue a new random token. */
    issue(args: IssueTokenArgs): IssuedToken {
        this.prune();
        const now = this.clock.now();
        const token: IssuedToken = {
            value: randomBytes(24).toString("base64url"),
            kind: args.kind,
            subject: args.subject,
            issuedAtMs: now,
            expiresAtMs: args.ttlMs === undefined ? undefined : now + args.ttlMs,
            idleTimeoutMs: args.idleTimeoutMs,
            lastUsedAtMs: now,
        };
        this.tokens.set(token.value, token);
        return token;
    }

    /** Look a token up without marking it used. `kind` restricts the match. */
    lookup(value: string, kind?: string): TokenLookup {
        const token = this.tokens.get(value);
        if (token === undefined || (kind !== undefined && token.kind !== kind)) return { status: "unknown" };
        return this.isExpired(token) ? { status: "expired", token } : { status: "valid", token };
    }

    /** Look a token up and, if valid, mark it used now (restarting its idle timer). */
    use(value: string, kind?: string): TokenLookup {
        const result = this.lookup(value, kind);
        if (result.status === "valid") result.token.lastUsedAtMs = this.clock.now();
        return result;
    }

    /** Valid tokens, optionally filtered, oldest first. */
    active(filter: { kind?: string; subject?: string } = {}): IssuedToken[] {
        return [...this.tokens.values()]
            .filter((token) => filter.kind === undefined || token.kind === filter.kind)
            .filter((token) => filter.subject === undefined || token.subject === filter.subject)
            .filter((token) => !this.isExpired(token))
            .sort((a, b) => a.issuedAtMs - b.issuedAtMs);
    }

    /** Revoke one token; returns whether it existed. */
    revoke(value: string): boolean {
        return this.tokens.delete(value);
    }

    /** Revoke every token (for example when the device reboots). */
    revokeAll(): void {
        this.tokens.clear();
    }

    /** Make every token of `kind` (or all tokens) expire now, keeping them known so clients see "expired". */
    expireAll(kind?: string): void {
        const now = this.clock.now();
        for (const [value, token] of this.tokens) {
            if (kind !== undefined && token.kind !== kind) continue;
            this.tokens.set(value, { ...token, expiresAtMs: Math.min(token.expiresAtMs ?? now, now) - 1 });
        }
    }

    private isExpired(token: IssuedToken): boolean {
        const now = this.clock.now();
        if (token.expiresAtMs !== undefined && now >= token.expiresAtMs) return true;
        if (token.idleTimeoutMs !== undefined && now >= token.lastUsedAtMs + token.idleTimeoutMs) return true;
        return false;
    }

    private prune(): void {
        const now = this.clock.now();
        for (const [value, token] of this.tokens) {
            const expiredAt = Math.min(
                token.expiresAtMs ?? Number.POSITIVE_INFINITY,
                token.idleTimeoutMs === undefined ? Number.POSITIVE_INFINITY : token.lastUsedAtMs + token.idleTimeoutMs,
            );
            if (now - expiredAt > EXPIRED_TOKEN_MEMORY_MS) this.tokens.delete(value);
        }
        // Map iteration is insertion order, so this drops the oldest tokens first.
        for (const value of this.tokens.keys()) {
            if (this.tokens.size < MAX_REMEMBERED_TOKENS) break;
            this.tokens.delete(value);
        }
    }
}
