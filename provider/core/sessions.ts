/**
 * One {@link HttpSession} per device per provider process, shared by every resource that talks to
 * that device: one login, one keep-alive pool. Keyed by vendor, endpoint and user (a password change
 * makes a new key, so rotated credentials take effect).
 */

import { createHash } from "node:crypto";
import { HttpSession } from "./http";

const sessions = new Map<string, HttpSession>();

/** Returns the shared session for `identity`, creating it with `make` on first use. */
export function sharedSession(identity: { vendor: string; endpoint: string; user?: string; secret?: string; extra?: string }, make: () => HttpSession): HttpSession {
    const secretHash = identity.secret ? createHash("sha256").update(identity.secret).digest("hex").slice(0, 16) : "";
    const key = [identity.vendor, identity.endpoint, identity.user ?? "", secretHash, identity.extra ?? ""].join("|");
    let session = sessions.get(key);
    if (!session) {
        session = make();
        sessions.set(key, session);
    }
    return session;
}

/** Number of sessions open in this process (for tests: "one login per device per run"). */
export function sessionCount(): number {
    return sessions.size;
}

/** Closes every session (tests). */
export function closeAllSessions(): void {
    for (const s of sessions.values()) {
        s.close();
    }
    sessions.clear();
}
