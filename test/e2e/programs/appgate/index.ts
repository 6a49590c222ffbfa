import * as pulumi from "@pulumi/pulumi";
import { appgate } from "pulumi-upgrades";

const config = new pulumi.Config();

/** One upgrade per entry; `after` names the entry a completion waits for (dependsOn). */
interface Entry {
    name: string;
    id: string;
    stage?: "prepare" | "complete";
    imageUrl?: string;
    site?: string;
    switchPartition?: boolean;
    after?: string;
}

const entries = config.requireObject<Entry[]>("appliances");
const password = config.getSecret("appgatePassword"); // when unset, appgate:password (stack config) is used
const upgrades: Record<string, appgate.ApplianceUpgrade> = {};
for (const entry of entries) {
    upgrades[entry.name] = new appgate.ApplianceUpgrade(
        entry.name,
        {
            applianceId: entry.id,
            imageUrl: entry.imageUrl ?? config.require("imageUrl"),
            stage: entry.stage ?? "prepare",
            site: entry.site,
            switchPartition: entry.switchPartition,
            connection: password ? { password } : undefined,
            pollIntervalSeconds: config.getNumber("pollIntervalSeconds") ?? 0.2,
            waitTimeoutSeconds: 120,
            rebootTimeoutSeconds: 60,
        },
        // Completions run one at a time; preparations all at once.
        { dependsOn: entry.after && (entry.stage ?? "prepare") === "complete" ? [upgrades[entry.after]] : [] },
    );
}

export const versions = Object.fromEntries(
    Object.entries(upgrades).map(([name, u]) => [name, pulumi.interpolate`${u.runningVersion} (volume ${u.volumeNumber}, ${u.phase})`]),
);
