/**
 * Dell Unity Unisphere REST facts the simulator shares between its files: paths, integer enums,
 * error codes and defaults (facts: /work/shared/reference/unity.md).
 */

/** Paths of the simulated Unisphere management API. */
export const UnityPaths = {
    basicSystemInfoCollection: "/api/types/basicSystemInfo/instances",
    basicSystemInfoInstance: "/api/instances/basicSystemInfo/:id",
    loginSessionInfoCollection: "/api/types/loginSessionInfo/instances",
    logout: "/api/types/loginSessionInfo/action/logout",
    userCollection: "/api/types/user/instances",
    candidateCollection: "/api/types/candidateSoftwareVersion/instances",
    candidateInstance: "/api/instances/candidateSoftwareVersion/:id",
    installedCollection: "/api/types/installedSoftwareVersion/instances",
    /** Documented upload path. */
    upload: "/upload/files/types/candidateSoftwareVersion",
    /** The spelling of the guide's HTML example (singular `file`); accepted too. */
    uploadSingular: "/upload/file/types/candidateSoftwareVersion",
    /** `softwareUpgradeSession` (older) and `upgradeSession` (newer) share one state machine. */
    sessionTypes: ["softwareUpgradeSession", "upgradeSession"] as const,
} as const;

/** `UpgradeStatusEnum` (integers on the wire). */
export const UpgradeStatus = {
    notStarted: 0,
    inProgress: 1,
    completed: 2,
    failed: 3,
    failedLock: 4,
    cancelled: 5,
    paused: 6,
    acknowledged: 7,
    waitingForUser: 8,
    pausedLock: 9,
} as const;
export type UpgradeStatusValue = (typeof UpgradeStatus)[keyof typeof UpgradeStatus];

/** `UpgradeTypeEnum`. */
export const UpgradeType = { software: 0, firmware: 1, languagePack: 2 } as const;

/** `UpgradeSessionTypeEnum`. */
export const UpgradeSessionType = { upgrade: 0, healthCheck: 1, storageProcessorUpgrade: 2, offlineStorageProcessorUpgrade: 3 } as const;

/** `SeverityEnum`. */
export const Severity = { emergency: 0, alert: 1, critical: 2, error: 3, warning: 4, notice: 5, info: 6, debug: 7, ok: 8 } as const;

/**
 * Error codes in `{"error":{"errorCode"}}` bodies. The first three are documented examples; the
 * others are [unknown] on the real array, chosen in the same numeric style.
 */
export const UnityErrorCodes = {
    unknownType: 131149829,
    unprocessable: 100663499,
    nameExists: 108011873,
    unauthorized: 131149826,
    csrfMissing: 131149830,
    notFound: 131149831,
    wrongState: 100666144,
    noCandidate: 100666145,
    sessionInProgress: 100666146,
    notEligible: 100666147,
    badUpload: 100666148,
    serviceUnavailable: 131149900,
    methodNotAllowed: 131149832,
    internal: 131149833,
} as const;

/** The mandatory request header; without it the array answers 302. */
export const REST_CLIENT_HEADER = "x-emc-rest-client";
/** Response header carrying the CSRF token (and the request header echoing it). */
export const CSRF_HEADER = "EMC-CSRF-TOKEN";
/** The login cookie (the real array sets several; this one carries the login). */
export const LOGIN_COOKIE = "mod_sec_emc";
/** Documented response content type. */
export const UNITY_CONTENT_TYPE = "application/json; version=1.0;charset=UTF-8";
/** Largest `per_page`. */
export const MAX_PER_PAGE = 2000;

/** Defaults of a fresh simulated array. */
export const UNITY_DEFAULTS = {
    version: "5.2.1.0.5.011",
    model: "Unity 480F",
    systemName: "unity-1",
    apiVersion: "12.0",
    earliestApiVersion: "4.0",
} as const;
