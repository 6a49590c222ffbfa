import { endpointChanged, normaliseEndpoint, resolveConnection } from "../../../provider/core/connection";
import { setStackConfig } from "../../../provider/core/settings";

const saved = { ...process.env };
afterEach(() => {
    process.env = { ...saved };
    setStackConfig(undefined);
});

test("explicit input wins over stack config, which wins over env", () => {
    process.env.ACME_ENDPOINT = "https://env.example";
    process.env.ACME_USERNAME = "env-user";
    process.env.ACME_PASSWORD = "env-pw";
    setStackConfig({ get: (k) => ({ "acme:endpoint": "https://config.example/", "acme:username": "config-user" })[k] });
    expect(resolveConnection({ username: "input-user" }, "acme")).toEqual({
        endpoint: "https://config.example",
        username: "input-user",
        password: "env-pw",
        caBundle: undefined,
        insecure: undefined,
    });
});

test("a missing setting names every place it can come from", () => {
    expect(() => resolveConnection({ endpoint: "https://d" }, "acme")).toThrow(
        "[connection.username] not set: give connection.username, stack config acme:username or env ACME_USERNAME",
    );
    expect(() => resolveConnection({ endpoint: "https://d", username: "u" }, "acme")).toThrow(
        "[connection.password] not set: give connection.password, stack config acme:password (--secret) or env ACME_PASSWORD",
    );
    expect(() => resolveConnection({ endpoint: "ftp://d", username: "u", password: "p" }, "acme")).toThrow("must be an http(s) URL");
});

test("TLS verification is off only when insecure is set explicitly; env values are parsed strictly", () => {
    const base = { endpoint: "https://d", username: "u", password: "p" };
    expect(resolveConnection(base, "acme").insecure).toBeUndefined();
    expect(resolveConnection({ ...base, insecure: true }, "acme").insecure).toBe(true);
    process.env.ACME_INSECURE = "yes";
    expect(resolveConnection(base, "acme").insecure).toBe(true);
    process.env.ACME_INSECURE = "false";
    expect(resolveConnection(base, "acme").insecure).toBeUndefined();
    process.env.ACME_INSECURE = "maybe";
    expect(() => resolveConnection(base, "acme")).toThrow("acme:insecure / ACME_INSECURE must be true or false, got maybe");
});

describe("endpoint normalisation (every diff)", () => {
    it("compares endpoints in canonical form: scheme and host case, default port, trailing slash", () => {
        expect(normaliseEndpoint("HTTPS://Dev.Example:443/")).toBe("https://dev.example");
        expect(normaliseEndpoint("http://10.0.0.5:8080/admin/")).toBe("http://10.0.0.5:8080/admin");
        expect(normaliseEndpoint("not a url/")).toBe("not a url");
        expect(
            endpointChanged({ connection: { endpoint: "https://dev.example/" } }, { connection: { endpoint: "https://DEV.example:443" } }),
        ).toBe(false);
        expect(endpointChanged({ connection: { endpoint: "https://a.example" } }, { connection: { endpoint: "https://b.example" } })).toBe(
            true,
        );
        expect(endpointChanged({}, { connection: {} })).toBe(false);
    });

    it("applies the vendor's own form after the canonical one", () => {
        const admin = (e: string) => (e.endsWith("/admin") ? e : `${e}/admin`);
        expect(
            endpointChanged(
                { connection: { endpoint: "https://ctl.example:8443" } },
                { connection: { endpoint: "https://ctl.example:8443/admin/" } },
                admin,
            ),
        ).toBe(false);
    });
});
