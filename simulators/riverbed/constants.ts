/**
 * Fixed facts of the simulated Riverbed AppResponse API: paths, defaults and error ids.
 */

/** Product name the simulated appliance reports and expects in image headers. */
export const RIVERBED_PRODUCT = "AppResponse";

/** Version a fresh simulated appliance runs (the format the vendor uses: `major.minor.patch #build`). */
export const RIVERBED_DEFAULT_VERSION = "11.6.0 #23947";

/** API paths. The system-update service is `npm.system_update` 2.0. */
export const RiverbedPaths = {
    tokenV1: "/api/mgmt.aaa/1.0/token",
    tokenV2: "/api/mgmt.aaa/2.0/token",
    ping: "/api/common/1.0/ping",
    services: "/api/common/1.0/services",
    authInfo: "/api/common/1.0/auth_info",
    systemUpdate: "/api/npm.system_update/2.0",
} as const;

/**
 * `error_id` values the simulator answers with. The real ids are not public ([unknown] in
 * riverbed.md §5); these are our choice, and clients should not depend on them.
 */
export const RiverbedErrorIds = {
    authRequired: "AUTH_REQUIRED",
    invalidToken: "AUTH_INVALID_TOKEN",
    expiredToken: "AUTH_EXPIRED_TOKEN",
    invalidCredentials: "AUTH_INVALID_CREDENTIALS",
    invalidRefreshToken: "AUTH_INVALID_REFRESH_TOKEN",
    expiredRefreshToken: "AUTH_EXPIRED_REFRESH_TOKEN",
    invalidRequest: "INVALID_REQUEST",
    unsupportedMediaType: "UNSUPPORTED_MEDIA_TYPE",
    invalidUrl: "INVALID_URL",
    notFound: "RESOURCE_NOT_FOUND",
    invalidState: "INVALID_STATE",
    noValidImage: "NO_VALID_IMAGE",
    multipleValidImages: "MULTIPLE_VALID_IMAGES",
    resetNotAllowed: "RESET_NOT_ALLOWED",
    imageInUse: "IMAGE_IN_USE",
} as const;
