/**
 * The loopback vendor: a settings server used by the package's own tests, and the model of a vendor.
 */
export { Setting, type SettingArgs } from "./setting";
export type { LoopbackConnectionArgs } from "./connection-args";
