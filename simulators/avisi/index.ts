/**
 * Simulated Avisi Cloud: clusters, maintenance schedules and scheduled cluster upgrades on simulated time.
 */
export { AvisiAuth } from "./auth";
export { CloudState, stableAvisiId } from "./cloud-state";
export type { SimCluster, SimSchedule } from "./cloud-state";
export {
    ADMIN_PREFIX as AVISI_ADMIN_PREFIX,
    API_PREFIX as AVISI_API_PREFIX,
    AVISI_DEFAULT_ADMIN_TOKEN,
    AVISI_DEFAULT_CLUSTER_VERSIONS,
    AVISI_DEFAULT_ORGANISATION,
    AVISI_DEFAULT_TOKEN,
    INJECTABLE_OUTCOMES,
    UPGRADE_STATUSES,
} from "./constants";
export type { InjectableOutcome, UpgradeStatus } from "./constants";
export type { AvisiControlTarget, AvisiSettingsPatch } from "./control-routes";
export { DEFAULT_AVISI_SETTINGS, DEFAULT_AVISI_TIMINGS } from "./options";
export type { AvisiClusterSpec, AvisiRuntimeSettings, AvisiScheduleSpec, AvisiSimulatorOptions, AvisiTimings } from "./options";
export { ScaledClock } from "./simulated-time";
export { AvisiSimulator, DEFAULT_AVISI_CLUSTERS, DEFAULT_AVISI_SCHEDULES, startAvisiSimulator } from "./simulator";
export { UpgradeScheduler } from "./upgrades";
export type { InjectedOutcome, SimUpgrade } from "./upgrades";
export { avisiVendor } from "./vendor";
export { nextWindow, WEEK_DAYS } from "./windows";
export type { MaintenanceWindow } from "./windows";
