import type { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { avisiKinds } from "../../provider/avisi/kinds";
import { insideWindow, type WeeklyWindow } from "../../provider/avisi/windows";

const UPGRADE_TYPE = avisiKinds.ScheduledClusterUpgrade.typeToken;
const SCHEDULE_TYPE = avisiKinds.MaintenanceSchedule.typeToken;

function windowsOf(schedule: PolicyResource): WeeklyWindow[] {
    const windows = schedule.props.windows;
    return Array.isArray(windows) ? (windows as WeeklyWindow[]) : [];
}

/**
 * Why `upgrade` may run outside a maintenance window without a waiver, or undefined when it may not.
 * Without `ignoreMaintenanceSchedule` the vendor's scheduler itself picks a window, so only upgrades
 * that bypass the schedule are judged: they pass when their `scheduleRequestDate` falls inside a
 * window of a `MaintenanceSchedule` declared in the stack (the one named by `maintenanceScheduleId`
 * when that id is known), or when `outsideWindowReason` explains the exception.
 */
export function outsideWindowProblem(upgrade: PolicyResource, schedules: readonly PolicyResource[]): string | undefined {
    const props = upgrade.props;
    if (props.ignoreMaintenanceSchedule !== true) return undefined;
    if (typeof props.outsideWindowReason === "string" && props.outsideWindowReason.trim() !== "") return undefined;
    const requested = typeof props.scheduleRequestDate === "string" ? Date.parse(props.scheduleRequestDate) : NaN;
    if (Number.isNaN(requested)) return "it bypasses the maintenance schedule and starts as soon as possible";
    const named = schedules.filter(
        (s) => s.props.scheduleIdentity !== undefined && s.props.scheduleIdentity === props.maintenanceScheduleId,
    );
    const candidates = named.length > 0 ? named : schedules;
    if (candidates.some((s) => insideWindow(windowsOf(s), requested))) return undefined;
    return `it bypasses the maintenance schedule and starts at ${props.scheduleRequestDate}, outside every maintenance window declared in this stack`;
}

/**
 * `maintenance-window` (stack policy): an Avisi scheduled cluster upgrade must land inside a
 * maintenance window unless explicitly waived with `outsideWindowReason` (see
 * {@link outsideWindowProblem}). Mandatory by default.
 */
export const maintenanceWindow: StackValidationPolicy = {
    name: "maintenance-window",
    description: "Scheduled cluster upgrades land inside a maintenance window unless explicitly waived (outsideWindowReason).",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
        "Drop ignoreMaintenanceSchedule (the scheduler then picks the next window), move scheduleRequestDate into a declared window, or set outsideWindowReason to record why this upgrade may run outside one.",
    validateStack: (args, reportViolation) => {
        const schedules = args.resources.filter((r) => r.type === SCHEDULE_TYPE);
        for (const upgrade of args.resources.filter((r) => r.type === UPGRADE_TYPE)) {
            const problem = outsideWindowProblem(upgrade, schedules);
            if (problem)
                reportViolation(
                    `'${upgrade.name}' may run outside a maintenance window: ${problem}; set outsideWindowReason to waive this.`,
                    upgrade.urn,
                );
        }
    },
};
