export { ApplianceUpgrade, type ApplianceUpgradeArgs, type AppgateConnectionArgs } from "./appliance-upgrade";
