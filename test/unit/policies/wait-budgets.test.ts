import { waitBudgets } from "../../../policies/rules";
import { violations } from "./helpers";

const type = "pulumi-nodejs:dynamic/riverbed:SystemUpdate";

test("budgets within the default bounds pass; advisory by default", async () => {
    expect(await violations(waitBudgets, type, { waitTimeoutSeconds: 5400, pollIntervalSeconds: 15, rebootTimeoutSeconds: 1200 })).toEqual([]);
    expect(await violations(waitBudgets, type, {})).toEqual([]);
    expect(waitBudgets.enforcementLevel).toBe("advisory");
});

test("out-of-bounds budgets are reported with the bound", async () => {
    expect(await violations(waitBudgets, type, { waitTimeoutSeconds: 10, pollIntervalSeconds: 0.1, rebootTimeoutSeconds: 7200 })).toEqual([
        "'r1': waitTimeoutSeconds 10 is outside [60, 14400].",
        "'r1': pollIntervalSeconds 0.1 is below 1.",
        "'r1': rebootTimeoutSeconds 7200 is above 3600.",
    ]);
});

test("bounds come from policy config", async () => {
    expect(await violations(waitBudgets, type, { waitTimeoutSeconds: 10 }, { minWaitTimeoutSeconds: 5 })).toEqual([]);
    expect(await violations(waitBudgets, type, { waitTimeoutSeconds: 3600 }, { maxWaitTimeoutSeconds: 1800 })).toEqual(["'r1': waitTimeoutSeconds 3600 is outside [60, 1800]."]);
});
