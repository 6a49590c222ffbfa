import type { Policy } from "@pulumi/policy";
import { blastRadius } from "./blast-radius";
import { imageChecksum } from "./image-checksum";
import { noDowngrade } from "./no-downgrade";
import { tlsVerification } from "./tls-verification";
import { waitBudgets } from "./wait-budgets";

export { blastRadius, completesUpgrade, largestUnorderedGroup, type BlastRadiusConfig } from "./blast-radius";
export { imageChecksum } from "./image-checksum";
export { noDowngrade } from "./no-downgrade";
export { IMAGE_TYPES, isImageResourceType, isUpgradeResourceType, UPGRADE_TYPES, UPGRADE_VENDORS } from "./resource-types";
export { tlsVerification } from "./tls-verification";
export { waitBudgets, WAIT_BUDGET_DEFAULTS, type WaitBudgetsConfig } from "./wait-budgets";

/** Every rule of the pack, in the order they are reported. */
export const allRules: Policy[] = [imageChecksum, tlsVerification, noDowngrade, blastRadius, waitBudgets];
