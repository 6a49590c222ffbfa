/**
 * Fixed facts of the simulated Avisi Cloud API: paths, the scheduled-upgrade statuses and the
 * defaults a fresh simulator starts with.
 */

/** Public API prefix (`orgs` family). */
export const API_PREFIX = "/api/v1";
/** Admin API prefix (admin tokens only). */
export const ADMIN_PREFIX = "/admin/v1";

/** Every status of a scheduled cluster upgrade (avisi.md §5). */
export const UPGRADE_STATUSES = [
    "REQUESTED",
    "SCHEDULED",
    "SCHEDULED_NOTIFIED",
    "IN_PROGRESS",
    "SUCCEEDED",
    "FAILED",
    "MISSED",
    "SUPERSEDED",
] as const;
export type UpgradeStatus = (typeof UPGRADE_STATUSES)[number];

/** Statuses in which an upgrade can still be rescheduled or cancelled [inferred]. */
export const OPEN_STATUSES: readonly UpgradeStatus[] = ["REQUESTED", "SCHEDULED", "SCHEDULED_NOTIFIED"];
/** Statuses that end an upgrade. */
export const TERMINAL_STATUSES: readonly UpgradeStatus[] = ["SUCCEEDED", "FAILED", "MISSED", "SUPERSEDED"];
/** Outcomes a test can inject for the next upgrade that reaches its window. */
export const INJECTABLE_OUTCOMES = ["FAILED", "MISSED", "SUPERSEDED"] as const;
export type InjectableOutcome = (typeof INJECTABLE_OUTCOMES)[number];

export const AVISI_DEFAULT_ORGANISATION = "acme";
export const AVISI_DEFAULT_TOKEN = "avisi-pat-0123456789";
export const AVISI_DEFAULT_ADMIN_TOKEN = "avisi-admin-pat-0123456789";

/** The versions `GET /api/v1/cluster-versions` lists by default. */
export const AVISI_DEFAULT_CLUSTER_VERSIONS = ["1.29.9", "1.30.4", "1.30.6", "1.31.4", "1.31.10", "1.32.2"];
