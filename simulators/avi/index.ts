/**
 * Simulated Avi / NSX Advanced Load Balancer controller (login + CSRF, images, `POST /api/upgrade`,
 * UpgradeStatusInfo).
 */
export { AviAuth } from "./auth";
export type { AviRequestIdentity } from "./auth";
export { AviNames, AviPaths, ImageFsm, UpgradeFsm } from "./constants";
export { buildAviControlRoutes, parseInjection } from "./control-routes";
export type { AviControlTarget, AviInjection, AviSettingsPatch } from "./control-routes";
export { AVI_DEFAULT_VERSION, AviSimulator, startAviFleet, startAviSimulator } from "./controller";
export type { AviSimulatorEvents } from "./controller";
export { AVI_PACKAGE_PREFIX_BYTES, aviBuildTag, makeAviPackage, parseAviPackagePrefix } from "./image-format";
export type { AviPackageInfo, AviPackageSpec } from "./image-format";
export type { AviImage } from "./images";
export { DEFAULT_AVI_TIMINGS, resolveAviSettings, resolveAviTimings } from "./options";
export type { AviRuntimeSettings, AviSeGroupSpec, AviSimulatorOptions, AviTimings, PrecheckFinding } from "./options";
export { aviVendor } from "./vendor";
