/**
 * Device simulators for pulumi-upgrades: the vendor-neutral core and one module per vendor.
 *
 * ```ts
 * import { startRiverbedSimulator, makeRiverbedImage } from "pulumi-upgrades/simulators"; // path depends on packaging
 * ```
 */
export * from "./core";
export * from "./riverbed";
export * from "./appgate";
export * from "./unity";
export * from "./avisi";
export * from "./avi";
export { simulatorVendors } from "./vendors";
