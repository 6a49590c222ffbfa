/**
 * Appgate SDP (admin API v20+, 6.3+): prepare and complete appliance upgrades through the Controller.
 */
export { ApplianceUpgrade, type ApplianceUpgradeArgs } from "./appliance-upgrade";
export type { AppgateConnectionArgs } from "./connection-args";
