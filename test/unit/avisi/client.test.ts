/**
 * The Avisi wire client and connection resolution against the simulator: `avisi:*`/`AVISI_*` then
 * the Terraform provider's `ACLOUD_*` names, the default endpoint, Token auth and `{message,
 * details}` errors, zero-based paging to the last page, 429 with Retry-After on the fake clock, and
 * the two answers to "is there a public read of scheduled upgrades".
 */
import { FakeClock } from "../../../provider/core/clock";
import { handlerEnv, type HandlerEnv } from "../../../provider/core/env";
import { VendorApiError } from "../../../provider/core/errors";
import { AvisiClient } from "../../../provider/avisi/client";
import { AVISI_PUBLIC_API, resolveAvisiConnection } from "../../../provider/avisi/connection";
import { avisiClock } from "../../../provider/avisi/simulated-time";
import { compareClusterVersions, sameClusterVersion, versionStepProblem } from "../../../provider/avisi/versions";
import type { AvisiSimulator } from "../../../simulators/avisi";
import { startManualAvisi, TOKEN } from "./helpers";

const ENV_KEYS = [
    "AVISI_ENDPOINT",
    "AVISI_TOKEN",
    "AVISI_ORGANISATION",
    "ACLOUD_API_ENDPOINT",
    "ACLOUD_PERSONAL_ACCESS_TOKEN",
    "ACLOUD_ORGANISATION",
];

describe("connection", () => {
    const saved: Record<string, string | undefined> = {};
    beforeEach(() => ENV_KEYS.forEach((k) => ((saved[k] = process.env[k]), delete process.env[k])));
    afterEach(() => ENV_KEYS.forEach((k) => (saved[k] === undefined ? delete process.env[k] : (process.env[k] = saved[k]))));

    it("defaults the endpoint to the public API and takes the Terraform provider's env names", () => {
        process.env["ACLOUD_PERSONAL_ACCESS_TOKEN"] = "tf-token";
        process.env["ACLOUD_ORGANISATION"] = "tf-org";
        expect(resolveAvisiConnection(undefined)).toEqual({
            endpoint: AVISI_PUBLIC_API,
            token: "tf-token",
            organisation: "tf-org",
            caBundle: undefined,
            insecure: undefined,
        });
    });

    it("prefers the input, then AVISI_*, then ACLOUD_*", () => {
        process.env["ACLOUD_API_ENDPOINT"] = "https://tf.example";
        process.env["AVISI_ENDPOINT"] = "https://avisi.example/";
        process.env["AVISI_TOKEN"] = "env-token";
        expect(resolveAvisiConnection({ organisation: "acme" })).toMatchObject({ endpoint: "https://avisi.example", token: "env-token" });
        expect(resolveAvisiConnection({ organisation: "acme", token: "input" }).token).toBe("input");
    });

    it("names every place a missing token can come from", () => {
        expect(() => resolveAvisiConnection({ organisation: "acme" })).toThrow(
            /\[connection.token\] not set: .*avisi:token.*AVISI_TOKEN or ACLOUD_PERSONAL_ACCESS_TOKEN/,
        );
    });
});

describe("client", () => {
    let sim: AvisiSimulator;
    let env: HandlerEnv;
    let clock: FakeClock;
    beforeEach(async () => {
        ({ sim } = await startManualAvisi({
            clusters: [{ slug: "a" }, { slug: "b" }, { slug: "c", environment: "staging" }],
            settings: { pageSize: 1 },
        }));
        clock = new FakeClock();
        env = handlerEnv(clock);
    });
    afterEach(async () => {
        env.clients.close();
        await sim.stop();
    });
    const client = (token = TOKEN) => AvisiClient.for({ endpoint: sim.url, token, organisation: sim.organisation }, env);

    it("pages zero-based until `last` to find a cluster by identity", async () => {
        const found = await client().clusterByIdentity(sim.cluster("c").identity);
        expect(found).toMatchObject({ slug: "c", environmentSlug: "staging", version: "1.30.6" });
        expect(sim.calls.snapshot()["clusters.list"]!.received).toBe(3);
        expect(await client().clusterByIdentity("00000000-0000-4000-8000-000000000000")).toBeUndefined();
    });

    it("reports the vendor's message and details, and never the token", async () => {
        const err = await client()
            .requestUpgrade({ clusterIdentity: sim.cluster("a").identity, version: "1.32.2" })
            .catch((e: unknown) => e);
        expect(err).toBeInstanceOf(VendorApiError);
        expect((err as Error).message).toMatch(
            /avisi POST \/api\/v1\/orgs\/acme\/scheduled-cluster-upgrades on http:\/\/127.0.0.1:\d+: 400 Cannot upgrade cluster a .*one minor version at a time/,
        );
        const denied = await client("wrong-token-value")
            .clusterVersions()
            .catch((e: unknown) => e);
        expect((denied as VendorApiError).status).toBe(401);
        expect((denied as Error).message).not.toContain("wrong-token-value");
    });

    it("rides out 429 with Retry-After on the handler's clock", async () => {
        sim.faults.add({ kind: "throttle", operation: "clusterVersions.list", retryAfterSeconds: 7, count: 2 });
        expect(await client().clusterVersions()).toContain("1.31.10");
        expect(clock.sleeps.filter((ms) => ms >= 7_000)).toHaveLength(2);
    });

    it("answers undefined (no public read) when the vendor has none, and null when an upgrade is gone", async () => {
        const c = client();
        const posted = await c.requestUpgrade({ clusterIdentity: sim.cluster("a").identity, version: "1.31.4" });
        sim.configure({ cancelledAs: "removed" });
        expect((await c.cancelUpgrade(posted.identity)).outcome).toBe("cancelled");
        expect(await c.upgrade(posted.identity)).toBeNull();
        sim.configure({ publicRead: false });
        c.publicRead = undefined;
        expect(await c.upgrade(posted.identity)).toBeUndefined();
        expect(c.publicRead).toBe(false);
    });
});

describe("versions", () => {
    it("orders numerically and applies the one-minor rule", () => {
        expect(compareClusterVersions("1.31.10", "1.31.4")).toBeGreaterThan(0);
        expect(sameClusterVersion("v1.31.4", "1.31.4")).toBe(true);
        expect(versionStepProblem("1.30.6", "1.31.10")).toBeUndefined();
        expect(versionStepProblem("1.31.10", "1.31.4")).toBeUndefined(); // patch downgrade within a minor
        expect(versionStepProblem("1.30.6", "1.32.2")).toMatch(/skips 1 minor/);
        expect(versionStepProblem("1.31.4", "1.30.6")).toMatch(/downgrade across minor versions/);
        expect(versionStepProblem("1.31.4", "2.0.0")).toMatch(/major/);
    });
});

describe("simulated time", () => {
    afterEach(() => {
        delete process.env["AVISI_SIMULATED_TIME_SCALE"];
        delete process.env["AVISI_SIMULATED_TIME_ORIGIN"];
    });

    it("is the handler's clock unless both settings are given, and refuses half a setting", () => {
        const base = new FakeClock(1_000);
        expect(avisiClock(base)).toEqual({ clock: base, scale: 1 });
        process.env["AVISI_SIMULATED_TIME_SCALE"] = "1000";
        expect(() => avisiClock(base)).toThrow(/AVISI_SIMULATED_TIME_ORIGIN/);
        process.env["AVISI_SIMULATED_TIME_ORIGIN"] = String(Date.now() - 1_000);
        const { clock, scale } = avisiClock(base);
        expect(scale).toBe(1000);
        // One real second since the origin is at least 1000 simulated seconds.
        expect(clock.now() - (Date.now() - 1_000)).toBeGreaterThanOrEqual(999_000);
    });
});
