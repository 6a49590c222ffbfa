/**
 * One client per device per provider process, shared by every resource that talks to that device:
 * one login, one keep-alive pool per run (a fleet of 50 gateways behind one controller logs in once).
 *
 * The cache key is the vendor plus **every** resolved connection setting — endpoint, user, a hash of
 * the password, and always the TLS settings (`insecure`, a hash of `caBundle`) — so a verifying and
 * an `insecure` connection to the same server never share a session, and a rotated password makes a
 * new client.
 */

import { createHash } from "node:crypto";
import type { ResolvedConnection } from "./connection";

/** What the cache needs from a client: a way to close its connections. */
export interface Closable {
    close(): void;
}

/** The cache key of a connection (see the module comment); exported for tests. */
export function connectionKey(vendor: string, connection: ResolvedConnection & Record<string, unknown>): string {
    const hash = (s: string | undefined) => (s ? createHash("sha256").update(s).digest("hex").slice(0, 16) : "");
    const { endpoint, username, password, caBundle, insecure, ...vendorFields } = connection;
    const extra = Object.keys(vendorFields)
        .filter((k) => vendorFields[k] !== undefined)
        .sort()
        .map((k) => `${k}=${JSON.stringify(vendorFields[k])}`)
        .join("&");
    return [
        vendor,
        endpoint.replace(/\/+$/, ""),
        username,
        hash(password),
        `tls:${insecure === true ? "insecure" : "verify"}:${hash(caBundle)}`,
        extra,
    ].join("|");
}

/** A cache of shared clients, by connection (see the module comment). */
export class ClientCache {
    private readonly clients = new Map<string, Closable>();

    /**
     * The shared client of `vendor` for `connection`, made with `make` on first use. Vendor-specific
     * connection fields (an identity provider, an API version) are part of the key too.
     */
    get<C extends Closable>(vendor: string, connection: ResolvedConnection, make: () => C): C {
        const key = connectionKey(vendor, connection as ResolvedConnection & Record<string, unknown>);
        let client = this.clients.get(key);
        if (!client) {
            client = make();
            this.clients.set(key, client);
        }
        return client as C;
    }

    /** Number of clients (for tests: "one session per device per run"). */
    get size(): number {
        return this.clients.size;
    }

    /** Closes every client and forgets it (tests, and the end of a process). */
    close(): void {
        for (const client of this.clients.values()) {
            client.close();
        }
        this.clients.clear();
    }
}
