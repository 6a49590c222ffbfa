/**
 * Fixed facts of the simulated Appgate SDP Controller admin API: paths, media types, error ids and
 * the peer-API-version table.
 */

/** Every API path is relative to this prefix (`https://<controller>:8443/admin` on a real controller). */
export const ADMIN_PREFIX = "/admin";

/** Version a fresh simulated appliance runs (6.3: peer API v20, the first with `GET /appliances/status`). */
export const APPGATE_DEFAULT_VERSION = "6.3.2+36260";

/** First peer API version that has `GET /appliances/status` (older ones only had `/stats/appliances`). */
export const APPLIANCE_STATUS_MIN_PEER_VERSION = 20;

/** Identity provider of the built-in local users. */
export const APPGATE_DEFAULT_IDENTITY_PROVIDER = "local";

/** Site every appliance belongs to unless configured otherwise. */
export const APPGATE_DEFAULT_SITE = "Default Site";

/** `Accept` media type of peer API version `n`. */
export function peerMediaType(version: number): string {
    return `application/vnd.appgate.peer-v${version}+json`;
}

/** Matches one versioned media range in an `Accept` header and captures the version. */
export const PEER_MEDIA_TYPE_PATTERN = /^application\/vnd\.appgate\.peer-v(\d+)\+json$/i;

/**
 * Appliance release (major.minor) → the peer API version it speaks (appgate.md §1). Releases after
 * the table are extrapolated one version per minor release.
 */
export const PEER_VERSION_BY_RELEASE: ReadonlyArray<readonly [string, number]> = [
    ["5.2", 13],
    ["5.3", 14],
    ["5.4", 15],
    ["5.5", 16],
    ["6.0", 17],
    ["6.1", 18],
    ["6.2", 19],
    ["6.3", 20],
    ["6.4", 21],
    ["6.5", 22],
    ["6.6", 24],
];

/**
 * Error `id` values. The documentation shows `{id, message}` bodies and one example id
 * (`"not acceptable"`); the other ids are our choice in the same style ([unknown] in appgate.md §8).
 * Clients should read `message` (as sdpctl does), not these ids.
 */
export const AppgateErrorIds = {
    badRequest: "bad request",
    unauthorized: "unauthorized",
    forbidden: "forbidden",
    notFound: "not found",
    methodNotAllowed: "method not allowed",
    notAcceptable: "not acceptable",
    conflict: "conflict",
    applianceState: "appliance state error",
    validation: "validation error",
    tooManyRequests: "too many requests",
    unexpected: "unexpected error",
    badGateway: "bad gateway",
    serviceUnavailable: "service unavailable",
} as const;

/** The error id used for a status when a handler did not choose one. */
export function errorIdForStatus(status: number): string {
    switch (status) {
        case 400:
            return AppgateErrorIds.badRequest;
        case 401:
            return AppgateErrorIds.unauthorized;
        case 403:
            return AppgateErrorIds.forbidden;
        case 404:
            return AppgateErrorIds.notFound;
        case 405:
            return AppgateErrorIds.methodNotAllowed;
        case 406:
            return AppgateErrorIds.notAcceptable;
        case 409:
            return AppgateErrorIds.conflict;
        case 412:
            return AppgateErrorIds.applianceState;
        case 413:
        case 422:
            return AppgateErrorIds.validation;
        case 429:
            return AppgateErrorIds.tooManyRequests;
        case 502:
            return AppgateErrorIds.badGateway;
        case 503:
            return AppgateErrorIds.serviceUnavailable;
        default:
            return status >= 500 ? AppgateErrorIds.unexpected : AppgateErrorIds.badRequest;
    }
}

/** `details` of an upgrade that is installed but waits for a reboot (sdpctl matches this text, sdpctl#355). */
export const REBOOT_REQUIRED_DETAILS = "a reboot is required for the Upgrade to go into effect";
