/**
 * Avi / VMware NSX Advanced Load Balancer: upload a controller image, upgrade the controller cluster
 * and its SE groups, read UpgradeStatusInfo.
 */
export { ControllerImage, type ControllerImageArgs } from "./controller-image";
export { ControllerUpgrade, type ControllerUpgradeArgs } from "./controller-upgrade";
export { getUpgradeStatusInfo, type GetUpgradeStatusInfoArgs, type UpgradeStatusInfo } from "./upgrade-status-info";
export type { AviConnectionArgs } from "./connection-args";
export { usiSchema as upgradeStatusInfoSchema } from "./upgrade-status-schema";
export type { ConnectionInput as AviConnectionInput } from "./connection";
