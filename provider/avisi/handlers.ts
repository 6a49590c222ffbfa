/** The Avisi Cloud resource kinds and their handlers, for the package runtime. */
import type { ResourceHandler } from "../core/dynamic";
import { maintenanceScheduleHandler } from "./schedule-handler";
import { scheduledUpgradeHandler } from "./upgrade-handler";

export const avisiHandlers: Record<string, ResourceHandler> = {
    "avisi:ScheduledClusterUpgrade": scheduledUpgradeHandler,
    "avisi:MaintenanceSchedule": maintenanceScheduleHandler,
};
