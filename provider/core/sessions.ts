/**
 * The process-wide session cache of clients written before {@link ClientCache} (riverbed, appgate
 * until they take a {@link HandlerEnv}). New clients use `env.clients` (core/clients.ts).
 */

import { createHash } from "node:crypto";
import { processEnv } from "./env";
import type { HttpSession } from "./http";

const sessions = new Map<string, HttpSession>();

/**
 * Returns the shared session for `identity`, creating it with `make` on first use. The key always
 * includes the TLS settings (`tls`), so verifying and `insecure` connections never share a session.
 *
 * @deprecated use `env.clients.get(vendor, connection, make)`, whose key is every connection setting.
 */
export function sharedSession(
    identity: {
        vendor: string;
        endpoint: string;
        user?: string;
        secret?: string;
        extra?: string;
        tls?: { insecure?: boolean; caBundle?: string };
    },
    make: () => HttpSession,
): HttpSession {
    const hash = (s: string | undefined) => (s ? createHash("sha256").update(s).digest("hex").slice(0, 16) : "");
    const tls = `tls:${identity.tls?.insecure === true ? "insecure" : "verify"}:${hash(identity.tls?.caBundle)}`;
    const key = [identity.vendor, identity.endpoint, identity.user ?? "", hash(identity.secret), tls, identity.extra ?? ""].join("|");
    let session = sessions.get(key);
    if (!session) {
        session = make();
        sessions.set(key, session);
    }
    return session;
}

/** Closes every shared session and client of this process (tests). */
export function closeAllSessions(): void {
    for (const s of sessions.values()) {
        s.close();
    }
    sessions.clear();
    processEnv.clients.close();
}
