/**
 * `avisi:MaintenanceSchedule` against the simulator: create (and adopt by name instead of creating a
 * second), the next window as an output, update in place, drift on refresh, delete.
 */
import { FakeClock } from "../../../provider/core/clock";
import { handlerEnv, type HandlerEnv } from "../../../provider/core/env";
import { maintenanceScheduleHandler } from "../../../provider/avisi/maintenance-schedule-handler";
import type { AvisiSimulator } from "../../../simulators/avisi";
import { NEXT_TUESDAY_WINDOW, startManualAvisi, TOKEN } from "./helpers";

let sim: AvisiSimulator;
let env: HandlerEnv;
let spy: jest.SpyInstance;

beforeEach(async () => {
    let clock;
    ({ sim, clock } = await startManualAvisi({ schedules: [], clusters: [{ slug: "k8s-prod", maintenanceSchedule: null }] }));
    env = handlerEnv(new FakeClock(clock.now(), (ms) => clock.advance(ms)));
    spy = jest.spyOn(console, "log").mockImplementation(() => undefined);
});
afterEach(async () => {
    spy.mockRestore();
    env.clients.close();
    await sim.stop();
});

const inputs = (windows = [{ day: "TUESDAY" as const, startTime: "02:00", duration: 240 }]) => ({
    __logName: "weekly",
    connection: { endpoint: sim.url, token: TOKEN, organisation: sim.organisation },
    name: "weekly",
    windows,
});

test("check refuses malformed windows with the property path", async () => {
    const handler = maintenanceScheduleHandler(env);
    const result = await handler.check!({}, { ...inputs(), windows: [{ day: "Tuesday", startTime: "2am", duration: 0 }] });
    expect(result.failures!.map((f) => f.property).sort()).toEqual(["windows.0.day", "windows.0.duration", "windows.0.startTime"]);
});

test("create, adopt by name, update, refresh drift and delete", async () => {
    const handler = maintenanceScheduleHandler(env);
    const created = await handler.create(inputs());
    expect(created.outs).toMatchObject({
        scheduleIdentity: created.id,
        nextWindowStart: NEXT_TUESDAY_WINDOW.start,
        nextWindowEnd: NEXT_TUESDAY_WINDOW.end,
    });
    expect(sim.cloud.schedules).toHaveLength(1);

    const again = await handler.create(inputs());
    expect(again.id).toBe(created.id);
    expect(sim.cloud.schedules).toHaveLength(1);

    await handler.update!(created.id, created.outs, inputs([{ day: "WEDNESDAY", startTime: "22:00", duration: 60 }]));
    expect(sim.cloud.schedule(created.id).windows).toEqual([{ day: "WEDNESDAY", startTime: "22:00", duration: 60 }]);

    sim.cloud.schedule(created.id).windows = [{ day: "FRIDAY", startTime: "01:00", duration: 30 }];
    const read = await handler.read!(created.id, created.outs);
    expect(read.inputs!["windows"]).toEqual([{ day: "FRIDAY", startTime: "01:00", duration: 30 }]);

    await handler.delete!(created.id, created.outs);
    expect(sim.cloud.schedules).toHaveLength(0);
    expect((await handler.read!(created.id, created.outs)).id).toBe("");
});
