/** Every vendor the demo program can deploy, by its key in `fleet:spec`. A new vendor adds one line here (and one in ../vendors/index.ts). */
import type * as pulumi from "@pulumi/pulumi";
import { deployAppgate } from "./appgate";
import { deployAvi } from "./avi";
import { deployAvisi } from "./avisi";
import { deployRiverbed } from "./riverbed";
import { deployUnity } from "./unity";

export interface CommonSpec {
    /** Poll floor for the demo's compressed time; real appliances want the defaults. */
    pollIntervalSeconds?: number;
}

/**
 * Declares one vendor's upgrades and returns device name → the version the device reports afterwards. The spec is
 * that vendor's typed part of `fleet:spec` (`never` here: any function taking some spec fits the list).
 */
export type DeployVendor = (spec: never, common: CommonSpec) => Record<string, pulumi.Output<string>>;

export const vendorPrograms: Record<string, DeployVendor> = {
    riverbed: deployRiverbed,
    appgate: deployAppgate,
    unity: deployUnity,
    avisi: deployAvisi,
    avi: deployAvi,
};
