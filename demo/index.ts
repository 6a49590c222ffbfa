/**
 * The mixed-fleet upgrade, as code: one stack, every vendor of the inventory.
 *
 * Everything the program needs comes from stack config: `fleet:spec` (the inventory: one entry per vendor, read by
 * `program/<vendor>.ts`, plus `pollIntervalSeconds`) and each vendor's credentials (`riverbed:username|password`,
 * `appgate:username|password|endpoint`; passwords set as secrets). `npm run demo` points it at the built-in
 * simulators.
 */
import * as pulumi from "@pulumi/pulumi";
import { vendorPrograms, type CommonSpec } from "./program";

const fleet = new pulumi.Config("fleet").requireObject<CommonSpec & Record<string, unknown>>("spec");

/** Per vendor, device name → the version the device reports after the upgrade. */
export const versions: Record<string, Record<string, pulumi.Output<string>>> = {};
for (const [vendor, deploy] of Object.entries(vendorPrograms)) {
    // The spec is JSON from stack config; each resource validates its own inputs at preview.
    if (fleet[vendor] !== undefined) versions[vendor] = deploy(fleet[vendor] as never, { pollIntervalSeconds: fleet.pollIntervalSeconds });
}
const unknown = Object.keys(fleet).filter((key) => key !== "pollIntervalSeconds" && !(key in vendorPrograms));
if (unknown.length)
    throw new Error(
        `fleet:spec names vendors this program does not know: ${unknown.join(", ")} (known: ${Object.keys(vendorPrograms).join(", ")})`,
    );
