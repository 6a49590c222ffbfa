/**
 * `maintenance-window`: an Avisi scheduled upgrade that bypasses the maintenance schedule needs its
 * request date inside a declared window, or an explicit waiver.
 */
import { maintenanceWindow } from "../../../policies/rules/maintenance-window";
import { avisiKinds } from "../../../provider/avisi/kinds";
import { resource, stackViolations } from "./helpers";

const UPGRADE = avisiKinds.ScheduledClusterUpgrade.typeToken;
const weekly = resource("weekly", avisiKinds.MaintenanceSchedule.typeToken, {
    name: "weekly",
    windows: [{ day: "TUESDAY", startTime: "02:00", duration: 240 }],
    scheduleIdentity: "sched-1",
});

test("an upgrade the scheduler places into a window passes", async () => {
    expect(await stackViolations(maintenanceWindow, [weekly, resource("up", UPGRADE, { version: "1.31.10" })])).toEqual([]);
});

test("bypassing the schedule without a waiver is a violation; a date inside a declared window or a reason waives it", async () => {
    const asap = resource("asap", UPGRADE, { version: "1.31.10", ignoreMaintenanceSchedule: true });
    const outside = resource("outside", UPGRADE, {
        version: "1.31.10",
        ignoreMaintenanceSchedule: true,
        scheduleRequestDate: "2026-12-08T07:00:00Z",
    });
    const inside = resource("inside", UPGRADE, {
        version: "1.31.10",
        ignoreMaintenanceSchedule: true,
        scheduleRequestDate: "2026-12-08T03:30:00Z",
    });
    const waived = resource("waived", UPGRADE, {
        version: "1.31.10",
        ignoreMaintenanceSchedule: true,
        outsideWindowReason: "CVE-2026-1234 hotfix",
    });
    const found = await stackViolations(maintenanceWindow, [weekly, asap, outside, inside, waived]);
    expect(found).toEqual([
        expect.stringMatching(
            /^'asap' may run outside a maintenance window: it bypasses the maintenance schedule and starts as soon as possible/,
        ),
        expect.stringMatching(/^'outside' .* starts at 2026-12-08T07:00:00Z, outside every maintenance window declared in this stack/),
    ]);
});

test("the schedule named by maintenanceScheduleId is the one that counts", async () => {
    const nightly = resource("nightly", avisiKinds.MaintenanceSchedule.typeToken, {
        windows: [{ day: "TUESDAY", startTime: "06:00", duration: 60 }],
        scheduleIdentity: "sched-2",
    });
    const upgrade = resource("up", UPGRADE, {
        ignoreMaintenanceSchedule: true,
        scheduleRequestDate: "2026-12-08T03:30:00Z",
        maintenanceScheduleId: "sched-2",
    });
    expect(await stackViolations(maintenanceWindow, [weekly, nightly, upgrade])).toHaveLength(1);
});
