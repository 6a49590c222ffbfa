import { ClientCache, connectionKey } from "../../../provider/core/clients";

const base = { endpoint: "https://10.0.0.5", username: "admin", password: "pw-1" };

function counted() {
    const made: { closed: boolean }[] = [];
    const make = () => {
        const c = { closed: false, close: () => (c.closed = true) };
        made.push(c);
        return c;
    };
    return { made, make };
}

test("one client per vendor and connection settings", () => {
    const cache = new ClientCache();
    const { made, make } = counted();
    const a = cache.get("acme", base, make);
    const b = cache.get("acme", { ...base, endpoint: "https://10.0.0.5/" }, make);
    expect(b).toBe(a);
    expect(cache.get("other", base, make)).not.toBe(a);
    expect(made).toHaveLength(2);
});

test("TLS settings are always part of the key: a verifying and an insecure connection never share a session", () => {
    const cache = new ClientCache();
    const { make } = counted();
    const verifying = cache.get("loopback", base, make);
    const insecure = cache.get("loopback", { ...base, insecure: true }, make);
    const privateCa = cache.get("loopback", { ...base, caBundle: "-----BEGIN CERTIFICATE-----x" }, make);
    expect(new Set([verifying, insecure, privateCa]).size).toBe(3);
    expect(connectionKey("loopback", { ...base, insecure: true })).toContain("tls:insecure");
    expect(connectionKey("loopback", base)).toContain("tls:verify");
});

test("a rotated password or a vendor field makes a new client; the key never holds the password", () => {
    const cache = new ClientCache();
    const { make } = counted();
    const first = cache.get("acme", base, make);
    expect(cache.get("acme", { ...base, password: "pw-2" }, make)).not.toBe(first);
    const withIdp = { ...base, identityProvider: "ldap" };
    expect(cache.get("acme", withIdp, make)).not.toBe(first);
    expect(connectionKey("acme", withIdp)).not.toContain("pw-1");
    expect(connectionKey("acme", withIdp)).toContain('identityProvider="ldap"');
    // A vendor field left undefined is the same connection as one without it.
    const unpinned = { ...base, apiVersion: undefined };
    expect(cache.get("acme", unpinned, make)).toBe(first);
});

test("close closes and forgets every client", () => {
    const cache = new ClientCache();
    const { made, make } = counted();
    cache.get("acme", base, make);
    cache.get("acme", { ...base, insecure: true }, make);
    cache.close();
    expect(made.every((c) => c.closed)).toBe(true);
    expect(cache.size).toBe(0);
});
