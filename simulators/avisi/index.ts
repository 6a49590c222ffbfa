/**
 * Simulated Avisi Cloud: clusters, maintenance schedules and scheduled cluster upgrades on simulated
 * time. Generic names are exported with an `Avisi` prefix: `simulators/index.ts` re-exports every
 * vendor with `export *`, where two vendors exporting one name would clash.
 */
export { AvisiAuth } from "./auth";
export { CloudState as AvisiCloudState, stableAvisiId } from "./cloud-state";
export type { SimCluster as AvisiSimCluster, SimSchedule as AvisiSimSchedule } from "./cloud-state";
export {
    ADMIN_PREFIX as AVISI_ADMIN_PREFIX,
    API_PREFIX as AVISI_API_PREFIX,
    AVISI_DEFAULT_ADMIN_TOKEN,
    AVISI_DEFAULT_CLUSTER_VERSIONS,
    AVISI_DEFAULT_ORGANISATION,
    AVISI_DEFAULT_TOKEN,
    INJECTABLE_OUTCOMES as AVISI_INJECTABLE_OUTCOMES,
    UPGRADE_STATUSES as AVISI_UPGRADE_STATUSES,
} from "./constants";
export type { InjectableOutcome as AvisiInjectableOutcome, UpgradeStatus as AvisiUpgradeStatus } from "./constants";
export type { AvisiControlTarget, AvisiSettingsPatch } from "./control-routes";
export { DEFAULT_AVISI_SETTINGS, DEFAULT_AVISI_TIMINGS } from "./options";
export type { AvisiClusterSpec, AvisiRuntimeSettings, AvisiScheduleSpec, AvisiSimulatorOptions, AvisiTimings } from "./options";
export { ScaledClock as AvisiScaledClock } from "./simulated-time";
export { AvisiSimulator, DEFAULT_AVISI_CLUSTERS, DEFAULT_AVISI_SCHEDULES, startAvisiSimulator } from "./simulator";
export { UpgradeScheduler as AvisiUpgradeScheduler } from "./upgrades";
export type { InjectedOutcome as AvisiInjectedOutcome, SimUpgrade as AvisiSimUpgrade } from "./upgrades";
export { avisiVendor } from "./vendor";
export { nextWindow as nextAvisiWindow, WEEK_DAYS as AVISI_WEEK_DAYS } from "./windows";
export type { MaintenanceWindow as AvisiMaintenanceWindow } from "./windows";
