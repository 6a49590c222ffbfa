/**
 * Simulated Riverbed AppResponse appliance (`npm.system_update` 2.0 and `mgmt.aaa` tokens).
 */
export { RiverbedAuth } from "./auth";
export type { RiverbedCredentials, TokenResponse } from "./auth";
export { RIVERBED_DEFAULT_VERSION, RIVERBED_PRODUCT, RiverbedErrorIds, RiverbedPaths } from "./constants";
export type { RiverbedControlTarget, RiverbedSettingsPatch } from "./control-routes";
export { RiverbedSimulator, startRiverbedFleet, startRiverbedSimulator } from "./simulator";
export type { RiverbedSimulatorEvents, RiverbedSimulatorSnapshot } from "./simulator";
export {
    encodeRiverbedImageHeader,
    judgeRiverbedImage,
    makeRiverbedImage,
    parseRiverbedImageHeader,
    RIVERBED_IMAGE_HEADER_BYTES,
    RIVERBED_IMAGE_HEADER_SEARCH_BYTES,
    RIVERBED_IMAGE_MAGIC,
    riverbedImageStream,
} from "./image-format";
export type {
    ParsedRiverbedImageHeader,
    RiverbedImageFile,
    RiverbedImageHeader,
    RiverbedImageSpec,
    RiverbedImageVerdict,
} from "./image-format";
export { NOT_AVAILABLE } from "./images";
export type { RiverbedImage, RiverbedImageFailure, RiverbedImageState } from "./images";
export { DEFAULT_RIVERBED_TIMINGS, resolveTimings } from "./options";
export type { ExpiresAtFormat, RiverbedRuntimeSettings, RiverbedSimulatorOptions, RiverbedTimings, UploadReply } from "./options";
export { riverbedVendor } from "./vendor";
export type { RiverbedHistoryEntry, RiverbedUpdate, RiverbedUpdateFailure, RiverbedUpdatePhase, RiverbedUpdateState } from "./update";
