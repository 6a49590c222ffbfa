export { ScheduledClusterUpgrade, type ScheduledClusterUpgradeArgs } from "./scheduled-cluster-upgrade";
export { MaintenanceSchedule, type MaintenanceScheduleArgs, type MaintenanceWindowArgs } from "./maintenance-schedule";
export type { AvisiConnectionArgs } from "./connection-args";
