import { waitBudgets } from "../../../policies/rules";
import { violations } from "./helpers";

const type = "pulumi-nodejs:dynamic/riverbed:SystemUpdate";

test("budgets within the default bounds pass; advisory by default", async () => {
    expect(await violations(waitBudgets, type, { waitTimeoutSeconds: 5400, pollIntervalSeconds: 15, rebootTimeoutSeconds: 1200 })).toEqual(
        [],
    );
    expect(await violations(waitBudgets, type, {})).toEqual([]);
    expect(waitBudgets.enforcementLevel).toBe("advisory");
});

test("out-of-bounds budgets are reported with the bound", async () => {
    expect(await violations(waitBudgets, type, { waitTimeoutSeconds: 10, pollIntervalSeconds: 0.1, rebootTimeoutSeconds: 7200 })).toEqual([
        "'r1': waitTimeoutSeconds 10 is outside [60, 14400].",
        "'r1': pollIntervalSeconds 0.1 is below 1.",
        "'r1': rebootTimeoutSeconds 7200 is above 3600.",
        "'r1': rebootTimeoutSeconds 7200 is above waitTimeoutSeconds 10; the reboot allowance is part of the one deadline of the whole operation, so only 10 s of it can ever be used.",
    ]);
});

test("a reboot allowance longer than the whole deadline is reported: it is part of that deadline", async () => {
    expect(await violations(waitBudgets, type, { waitTimeoutSeconds: 600, rebootTimeoutSeconds: 900 })).toEqual([
        "'r1': rebootTimeoutSeconds 900 is above waitTimeoutSeconds 600; the reboot allowance is part of the one deadline of the whole operation, so only 600 s of it can ever be used.",
    ]);
    expect(await violations(waitBudgets, type, { waitTimeoutSeconds: 900, rebootTimeoutSeconds: 900 })).toEqual([]);
});

test("bounds come from policy config", async () => {
    expect(await violations(waitBudgets, type, { waitTimeoutSeconds: 10 }, { minWaitTimeoutSeconds: 5 })).toEqual([]);
    expect(await violations(waitBudgets, type, { waitTimeoutSeconds: 3600 }, { maxWaitTimeoutSeconds: 1800 })).toEqual([
        "'r1': waitTimeoutSeconds 3600 is outside [60, 1800].",
    ]);
});
