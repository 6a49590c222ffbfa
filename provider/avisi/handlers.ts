/**
 * The runtime side of the Avisi Cloud vendor: each kind of `kinds.ts` bound to its handler
 * (registered in `provider/runtime.ts`).
 */
import { vendorRuntime } from "../core/dynamic";
import { avisiKinds } from "./kinds";
import { maintenanceScheduleHandler } from "./maintenance-schedule-handler";
import { scheduledClusterUpgradeHandler } from "./scheduled-cluster-upgrade-handler";

/** Handlers of the Avisi Cloud vendor. */
export const avisiRuntime = vendorRuntime(avisiKinds, {
    ScheduledClusterUpgrade: scheduledClusterUpgradeHandler,
    MaintenanceSchedule: maintenanceScheduleHandler,
});
