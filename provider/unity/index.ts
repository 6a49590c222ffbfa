/**
 * Dell Unity (Unisphere management REST): upload an upgrade candidate, then run the software
 * upgrade session to `Upgrade_Completed`.
 */
export { UpgradeCandidate, type UpgradeCandidateArgs } from "./upgrade-candidate";
export { UpgradeSession, type UpgradeSessionArgs } from "./upgrade-session";
export type { UnityConnectionArgs } from "./connection-args";
