/**
 * Riverbed AppResponse (`npm.system_update` 2.0): upload/fetch an upgrade image, then update the
 * appliance to its version.
 */
export { UpgradeImage, type UpgradeImageArgs } from "./upgrade-image";
export { SystemUpdate, type SystemUpdateArgs } from "./system-update";
export type { RiverbedConnectionArgs } from "./connection-args";
