import type { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { isUpgradeResourceType } from "./resource-types";

/** Policy configuration of {@link blastRadius}. */
export interface BlastRadiusConfig {
    /** Most appliances of one site that may be completing an upgrade with no ordering between them (default 1). */
    maxUnavailablePerSite?: number;
}

/** True when the resource takes its appliance down (installs and reboots) in this run. */
export function completesUpgrade(r: Pick<PolicyResource, "props">): boolean {
    return r.props.stage === "complete";
}

/**
 * Largest set of resources with no path between any two of them in the dependency graph (an
 * antichain): the appliances that may reboot at the same time. Exact for the small per-site groups a
 * rollout has; found by branch and bound over the "unordered" relation.
 */
export function largestUnorderedGroup(urns: string[], reachable: (from: string, to: string) => boolean): string[] {
    const ordered = (a: string, b: string) => reachable(a, b) || reachable(b, a);
    let best: string[] = [];
    const grow = (chosen: string[], rest: string[]) => {
        if (chosen.length + rest.length <= best.length) return;
        if (rest.length === 0) {
            best = chosen;
            return;
        }
        const [head, ...tail] = rest;
        grow(
            [...chosen, head],
            tail.filter((u) => !ordered(head, u)),
        );
        grow(chosen, tail);
    };
    grow([], urns);
    return best;
}

/**
 * `blast-radius` (stack policy): per site, at most `maxUnavailablePerSite` appliances may be completing
 * an upgrade (stage `complete`) without a `dependsOn` ordering between them — otherwise a site could lose
 * all its gateways at once. Reads the dependency graph the stack policy receives. Mandatory by default.
 */
export const blastRadius: StackValidationPolicy = {
    name: "blast-radius",
    description: "Per site, at most maxUnavailablePerSite appliances complete an upgrade without an ordering between them.",
    enforcementLevel: "mandatory",
    severity: "high",
    configSchema: { properties: { maxUnavailablePerSite: { type: "integer", minimum: 1, default: 1 } } },
    remediationSteps: "Chain the upgrades of one site with dependsOn (one wave after another), or raise maxUnavailablePerSite.",
    validateStack: (args, reportViolation) => {
        const max = args.getConfig<BlastRadiusConfig>().maxUnavailablePerSite ?? 1;
        const byUrn = new Map(args.resources.map((r) => [r.urn, r]));
        const edges = (r: PolicyResource) => [...r.dependencies, ...(r.parent ? [r.parent] : [])].map((d) => d.urn);
        const memo = new Map<string, Set<string>>();
        const ancestors = (urn: string): Set<string> => {
            const cached = memo.get(urn);
            if (cached) return cached;
            const out = new Set<string>();
            memo.set(urn, out);
            const r = byUrn.get(urn);
            for (const d of r ? edges(r) : []) {
                out.add(d);
                for (const a of ancestors(d)) out.add(a);
            }
            return out;
        };
        const sites = new Map<string, string[]>();
        for (const r of args.resources) {
            if (!isUpgradeResourceType(r.type) || !completesUpgrade(r) || typeof r.props.site !== "string") continue;
            sites.set(r.props.site, [...(sites.get(r.props.site) ?? []), r.urn]);
        }
        for (const [site, urns] of [...sites].sort()) {
            const group = largestUnorderedGroup(urns, (from, to) => ancestors(to).has(from));
            if (group.length > max) {
                const names = group.map((u) => u.split("::").pop()).sort();
                reportViolation(
                    `Site '${site}': ${group.length} appliances may complete their upgrade at the same time ` +
                        `(${names.join(", ")}); at most ${max} allowed. Order them with dependsOn.`,
                );
            }
        }
    },
};
