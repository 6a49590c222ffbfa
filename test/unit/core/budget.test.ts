import { pollBounds, WaitBudget, waitBudgetFields } from "../../../provider/core/budget";
import { FakeClock } from "../../../provider/core/clock";
import { z } from "zod";

const defaults = { waitTimeoutSeconds: 1800, pollIntervalSeconds: 5, rebootTimeoutSeconds: 900 };

test("waitTimeoutSeconds is one deadline for the whole operation: every wait gets what is left of it", async () => {
    const clock = new FakeClock(1_000_000);
    const budget = new WaitBudget(clock, { waitTimeoutSeconds: 600 }, defaults);
    expect(budget.deadline).toBe(1_000_000 + 600_000);
    await clock.sleep(240_000); // a first phase (transfer, prepare) took 4 minutes
    expect(budget.remainingMs()).toBe(360_000);
    expect(budget.waitOptions()).toMatchObject({ timeoutMs: 360_000, transient: { maxOutageMs: 600_000 }, clock });
    await clock.sleep(500_000);
    expect(budget.remainingMs()).toBe(0);
});

test("the reboot allowance lies inside the deadline, never beyond it", () => {
    const clock = new FakeClock();
    expect(new WaitBudget(clock, {}, defaults).rebootMs).toBe(900_000);
    expect(new WaitBudget(clock, { waitTimeoutSeconds: 300 }, defaults).rebootMs).toBe(300_000);
});

test("poll bounds: the floor is the input, backing off to 4x, at most 30 s unless the floor is longer", () => {
    expect(pollBounds(5)).toEqual({ minDelayMs: 5_000, maxDelayMs: 20_000 });
    expect(pollBounds(10)).toEqual({ minDelayMs: 10_000, maxDelayMs: 30_000 });
    expect(pollBounds(60)).toEqual({ minDelayMs: 60_000, maxDelayMs: 60_000 });
});

test("the shared zod fields reject nonsense with a reason", () => {
    const schema = z.object(waitBudgetFields);
    const r = schema.safeParse({ waitTimeoutSeconds: 1.5, pollIntervalSeconds: 0, rebootTimeoutSeconds: 100_000 });
    expect(r.success).toBe(false);
    const messages = r.error!.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
    expect(messages).toEqual([
        "waitTimeoutSeconds: must be a whole number of seconds",
        "pollIntervalSeconds: must be a positive number of seconds",
        "rebootTimeoutSeconds: must be at most 86400 (24 hours)",
    ]);
});
