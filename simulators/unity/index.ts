/**
 * Simulated Dell Unity array (Unisphere management REST: candidate upload, upgrade sessions).
 */
export { UnityAuth } from "./auth";
export type { UnityCredentials, UnityLogin } from "./auth";
export {
    encodeUnityCandidateHeader,
    judgeUnityCandidate,
    makeUnityCandidate,
    UNITY_CANDIDATE_HEADER_BYTES,
    UNITY_CANDIDATE_MAGIC,
    unityCandidateStream,
} from "./candidate-format";
export type { UnityCandidateFile, UnityCandidateHeader, UnityCandidateSpec, UnityCandidateVerdict } from "./candidate-format";
export {
    CSRF_HEADER,
    LOGIN_COOKIE,
    Severity,
    UNITY_DEFAULTS,
    UnityErrorCodes,
    UnityPaths,
    UpgradeSessionType,
    UpgradeStatus,
    UpgradeType,
} from "./constants";
export type { UnityControlTarget, UnitySettingsPatch } from "./control-routes";
export { multipartBoundary, receiveMultipartFile } from "./multipart-upload";
export type { ReceivedFilePart } from "./multipart-upload";
export { DEFAULT_UNITY_TIMINGS, resolveUnitySettings, resolveUnityTimings } from "./options";
export type { UnityEligibilityFailureStyle, UnityFailoverMode, UnityRuntimeSettings, UnitySimulatorOptions, UnityTimings } from "./options";
export { formatUnityError } from "./rest";
export { startUnityFleet, startUnitySimulator, UnitySimulator } from "./simulator";
export type { UnitySimulatorEvents, UnitySimulatorSnapshot } from "./simulator";
export { formatInterval, UNITY_TASKS } from "./session-record";
export type { UnityCandidate } from "./session-record";
export type { UnityFailureOutcome, UnityFailureTask } from "./upgrade";
export { unityVendor } from "./vendor";
