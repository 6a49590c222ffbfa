import type { Policy } from "@pulumi/policy";
import { tlsVerification } from "./tls-verification";

export { tlsVerification } from "./tls-verification";
export { isUpgradeResourceType, UPGRADE_VENDORS } from "./resource-types";

/** Every rule of the pack, in the order they are reported. */
export const allRules: Policy[] = [tlsVerification];
