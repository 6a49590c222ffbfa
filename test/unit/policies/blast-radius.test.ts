import { blastRadius, largestUnorderedGroup } from "../../../policies/rules";
import { resource, stackViolations } from "./helpers";

const T = "pulumi-nodejs:dynamic/appgate:ApplianceUpgrade";
const gw = (name: string, site: string, stage: string, deps: ReturnType<typeof resource>[] = []) =>
    resource(name, T, { site, stage }, deps);

test("two gateways of one site completing without an ordering violate (default max 1)", async () => {
    const a = gw("gw-a1", "site-a", "complete");
    const b = gw("gw-a2", "site-a", "complete");
    expect(await stackViolations(blastRadius, [a, b])).toEqual([
        "Site 'site-a': 2 appliances may complete their upgrade at the same time (gw-a1, gw-a2); at most 1 allowed. Order them with dependsOn.",
    ]);
});

test("a dependsOn chain (also transitive) satisfies it", async () => {
    const a = gw("gw-a1", "site-a", "complete");
    const b = gw("gw-a2", "site-a", "complete", [a]);
    const c = gw("gw-a3", "site-a", "complete", [b]);
    expect(await stackViolations(blastRadius, [a, b, c])).toEqual([]);
});

test("only stage complete counts, per site; prepare-only upgrades do not take a gateway down", async () => {
    const a = gw("gw-a1", "site-a", "prepare");
    const b = gw("gw-a2", "site-a", "prepare");
    const c = gw("gw-b1", "site-b", "complete");
    const d = gw("gw-a3", "site-a", "complete");
    expect(await stackViolations(blastRadius, [a, b, c, d])).toEqual([]);
});

test("maxUnavailablePerSite comes from policy config", async () => {
    const [a, b, c] = ["1", "2", "3"].map((n) => gw(`gw-a${n}`, "site-a", "complete"));
    expect(await stackViolations(blastRadius, [a, b, c], { maxUnavailablePerSite: 3 })).toEqual([]);
    expect((await stackViolations(blastRadius, [a, b, c], { maxUnavailablePerSite: 2 }))[0]).toContain("3 appliances");
});

test("largestUnorderedGroup finds the widest wave in a diamond", () => {
    // a → b, a → c, b → d, c → d : b and c are unordered.
    const edges: Record<string, string[]> = { a: ["b", "c", "d"], b: ["d"], c: ["d"], d: [] };
    expect(largestUnorderedGroup(["a", "b", "c", "d"], (f, t) => edges[f].includes(t)).sort()).toEqual(["b", "c"]);
});
