/**
 * Appgate SDP collective: controllers first, one at a time; then the gateways, site by site and one gateway at a
 * time within a site, so a site never loses more than one gateway (the policy pack's `blast-radius` rule checks
 * exactly that ordering in the dependency graph).
 */
import * as pulumi from "@pulumi/pulumi";
import { appgate } from "pulumi-upgrades";

/** `fleet:spec.appgate`. Credentials and the controller URL come from stack config `appgate:username|password|endpoint`. */
export interface AppgateSpec {
    imageUrl: string;
    controllers: { name: string; id: string }[];
    sites: { name: string; gateways: { name: string; id: string }[] }[];
}

export function deployAppgate(spec: AppgateSpec, common: { pollIntervalSeconds?: number }): Record<string, pulumi.Output<string>> {
    let previous: pulumi.Resource | undefined;
    const wave = (name: string, id: string, site?: string): appgate.ApplianceUpgrade => {
        const upgrade = new appgate.ApplianceUpgrade(
            name,
            {
                applianceId: id,
                imageUrl: spec.imageUrl,
                stage: "complete",
                switchPartition: true,
                site,
                pollIntervalSeconds: common.pollIntervalSeconds,
            },
            { dependsOn: previous ? [previous] : [] },
        );
        previous = upgrade;
        return upgrade;
    };

    const versions: Record<string, pulumi.Output<string>> = {};
    for (const controller of spec.controllers) {
        versions[controller.name] = wave(controller.name, controller.id).runningVersion;
    }
    for (const site of spec.sites) {
        for (const gateway of site.gateways) {
            versions[gateway.name] = wave(gateway.name, gateway.id, site.name).runningVersion;
        }
    }
    return versions;
}
