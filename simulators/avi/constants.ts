/**
 * Names the simulated Avi controller shares with its clients: paths, cookie and header names, the
 * UpgradeStatusInfo state enum (avi.md §6) and the versions fields were introduced in (for
 * `X-Avi-Version` rendering, avi.md §1).
 */

/** API paths (everything but login/logout lives under `/api`). */
export const AviPaths = {
    login: "/login",
    logout: "/logout",
    image: "/api/image",
    upgrade: "/api/upgrade",
    upgradeStatusInfo: "/api/upgradestatusinfo",
    upgradeStatusSummary: "/api/upgradestatussummary",
    cluster: "/api/cluster",
    clusterRuntime: "/api/cluster/runtime",
    clusterStatus: "/api/cluster/status",
    versionController: "/api/version/controller",
    initialData: "/api/initial-data",
    serviceEngineGroup: "/api/serviceenginegroup",
    /** Resume a suspended SE group. The real path is [unknown] (avi.md §4); see the `resumePaths` knob. */
    resumeSeGroup: "/api/resumesegroup",
} as const;

/** Cookie and header names (avi.md §1). */
export const AviNames = {
    csrfCookie: "csrftoken",
    sessionCookies: ["sessionid", "avi-sessionid"] as const,
    csrfHeader: "x-csrftoken",
    versionHeader: "x-avi-version",
    tenantHeader: "x-avi-tenant",
    tenantUuidHeader: "x-avi-tenant-uuid",
} as const;

/** Plain-text body of a CSRF rejection, as recorded from a real controller (avi.md §2). */
export const CSRF_FAILURE_TEXT = "CSRF token missing or incorrect.";

/** `state.state` values of an UpgradeStatusInfo record. */
export const UpgradeFsm = {
    init: "UPGRADE_FSM_INIT",
    started: "UPGRADE_FSM_STARTED",
    waiting: "UPGRADE_FSM_WAITING",
    inProgress: "UPGRADE_FSM_IN_PROGRESS",
    enqueued: "UPGRADE_FSM_ENQUEUED",
    error: "UPGRADE_FSM_ERROR",
    suspended: "UPGRADE_FSM_SUSPENDED",
    enqueueFailed: "UPGRADE_FSM_ENQUEUE_FAILED",
    paused: "UPGRADE_FSM_PAUSED",
    completed: "UPGRADE_FSM_COMPLETED",
    abortInProgress: "UPGRADE_FSM_ABORT_IN_PROGRESS",
    aborted: "UPGRADE_FSM_ABORTED",
    seUpgradeInProgress: "UPGRADE_FSM_SE_UPGRADE_IN_PROGRESS",
    controllerCompleted: "UPGRADE_FSM_CONTROLLER_COMPLETED",
    precheckStarted: "UPGRADE_PRE_CHECK_STARTED",
    precheckInProgress: "UPGRADE_PRE_CHECK_IN_PROGRESS",
    precheckSuccess: "UPGRADE_PRE_CHECK_SUCCESS",
    precheckError: "UPGRADE_PRE_CHECK_ERROR",
    precheckWarning: "UPGRADE_PRE_CHECK_WARNING",
} as const;

/** `img_state.state` values of an Image. */
export const ImageFsm = {
    started: "IMAGE_FSM_STARTED",
    inProgress: "IMAGE_FSM_IN_PROGRESS",
    completed: "IMAGE_FSM_COMPLETED",
    failed: "IMAGE_FSM_FAILED",
} as const;

/** Controller tasks of a system upgrade, in order; the reboot happens after `INSTALL_IMAGE`. */
export const CONTROLLER_TASKS = [
    "PREPARE_FOR_SHUTDOWN",
    "COPY_AND_VERIFY_IMAGE",
    "INSTALL_IMAGE",
    "REBOOT_CONTROLLER",
    "MIGRATE_CONFIG",
    "COMMIT_UPGRADE",
] as const;

/** Index of the task after which the controller reboots. */
export const REBOOT_AFTER_TASK = CONTROLLER_TASKS.indexOf("INSTALL_IMAGE");

/** SE group tasks, in order. */
export const SE_GROUP_TASKS = ["SE_PREPARE", "SE_IMAGE_INSTALL", "SE_REBOOT", "SE_REATTACH"] as const;

/**
 * UpgradeStatusInfo fields and the controller version that introduced them (swagger 30.2.1 field
 * descriptions). A response rendered for an older `X-Avi-Version` omits them.
 */
export const USI_FIELD_INTRODUCED: Readonly<Record<string, string>> = {
    progress: "18.2.8",
    history: "20.1.4",
    fips_mode: "20.1.5",
    statediff_ref: "21.1.3",
    reason: "22.1.3",
    upgrade_readiness: "22.1.3",
};

/** The states that exist only from a version on (older renderings show the nearest older state). */
export const STATE_INTRODUCED: Readonly<Record<string, { since: string; olderName: string }>> = {
    [UpgradeFsm.seUpgradeInProgress]: { since: "21.1.1", olderName: UpgradeFsm.inProgress },
    [UpgradeFsm.controllerCompleted]: { since: "21.1.1", olderName: UpgradeFsm.inProgress },
};

/**
 * Compare the dotted release part of two versions numerically (`20.1.10` > `20.1.9`); a build
 * suffix (`22.1.3-9096-…`) is ignored, non-numeric parts compare as 0.
 */
export function compareVersions(a: string, b: string): number {
    const parts = (v: string) =>
        v
            .split("-", 1)[0]!
            .split(".")
            .map((part) => Number.parseInt(part, 10) || 0);
    const pa = parts(a);
    const pb = parts(b);
    for (let index = 0; index < Math.max(pa.length, pb.length); index++) {
        const diff = (pa[index] ?? 0) - (pb[index] ?? 0);
        if (diff !== 0) return diff;
    }
    return 0;
}
