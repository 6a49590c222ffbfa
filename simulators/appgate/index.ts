/**
 * Simulated Appgate SDP collective: the Controller admin API (`/admin`) and its appliances' upgrades.
 */
export { AppgateHttpError, PlainTextHttpError } from "./appliance";
export type { AppgateFailurePhase, AppgateUpgradeStatus, ApplianceCallCounts } from "./appliance";
export { AppgateAuth } from "./auth";
export type { AppgateCredentials, PeerVersionRange } from "./auth";
export type { AppgateChange, AppgateChangeKind } from "./changes";
export {
    ADMIN_PREFIX,
    APPGATE_DEFAULT_IDENTITY_PROVIDER,
    APPGATE_DEFAULT_SITE,
    APPGATE_DEFAULT_VERSION,
    AppgateErrorIds,
    PEER_VERSION_BY_RELEASE,
    peerMediaType,
    REBOOT_REQUIRED_DETAILS,
} from "./constants";
export type { AppgateControlTarget, AppgateSettingsPatch } from "./control-routes";
export {
    APPGATE_IMAGE_MAGIC,
    appgateImageFileName,
    appgateImageStream,
    DEFAULT_APPGATE_IMAGE_PAYLOAD_BYTES,
    verifyAppgateImage,
    versionFromImageFileName,
} from "./image-format";
export type { AppgateImageVerdict } from "./image-format";
export { DEFAULT_APPGATE_TIMINGS, resolveAppgateTimings } from "./options";
export type {
    AppgateApplianceSpec,
    AppgateRole,
    AppgateRuntimeSettings,
    AppgateSimulatorOptions,
    AppgateTimings,
    PrepareChangeCompletion,
    RebootingApplianceReplies,
} from "./options";
export { AppgateSimulator, DEFAULT_APPGATE_APPLIANCES, stableAppgateId, startAppgateFleet, startAppgateSimulator } from "./simulator";
export type { AppgateApplianceSnapshot, AppgateInjectedFailure, AppgateSimulatorEvents, AppgateSimulatorSnapshot } from "./simulator";
export { appgateVendor, appliancesFromCli } from "./vendor";
export { formatApplianceVersion, parseApplianceVersion, peerVersionOf } from "./versions";
export type { ApplianceVersion } from "./versions";
