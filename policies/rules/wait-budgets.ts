import type { ResourceValidationPolicy } from "@pulumi/policy";
import { isUpgradeResourceType } from "./resource-types";

/** Policy configuration of {@link waitBudgets}. All values in seconds. */
export interface WaitBudgetsConfig {
    /** Smallest sensible deadline of a whole operation (default 60). */
    minWaitTimeoutSeconds?: number;
    /** Largest sensible deadline of a whole operation, reboot included (default 14400 = 4 h). */
    maxWaitTimeoutSeconds?: number;
    /** Smallest poll interval that does not hammer a device (default 1). */
    minPollIntervalSeconds?: number;
    /** Longest tolerated reboot outage (default 3600). */
    maxRebootTimeoutSeconds?: number;
}

export const WAIT_BUDGET_DEFAULTS: Required<WaitBudgetsConfig> = {
    minWaitTimeoutSeconds: 60,
    maxWaitTimeoutSeconds: 4 * 3600,
    minPollIntervalSeconds: 1,
    maxRebootTimeoutSeconds: 3600,
};

/**
 * `wait-budgets`: wait budgets and poll intervals stay within sane bounds — long enough for a real
 * appliance, short enough that a stuck upgrade is noticed, and polls that do not hammer the device.
 * Advisory by default; bounds come from policy config.
 *
 * The inputs mean the same for every resource (provider/core/budget.ts): `waitTimeoutSeconds` is ONE
 * deadline for the whole create or update operation, reboot allowance included; `rebootTimeoutSeconds`
 * is the longest outage tolerated inside that deadline (so a value above `waitTimeoutSeconds` can
 * never be used, and is reported); `pollIntervalSeconds` is the floor between two polls.
 */
export const waitBudgets: ResourceValidationPolicy = {
    name: "wait-budgets",
    description: "Wait budgets (waitTimeoutSeconds, pollIntervalSeconds, rebootTimeoutSeconds) stay within configured bounds.",
    enforcementLevel: "advisory",
    severity: "low",
    configSchema: {
        properties: {
            minWaitTimeoutSeconds: { type: "number", default: WAIT_BUDGET_DEFAULTS.minWaitTimeoutSeconds },
            maxWaitTimeoutSeconds: { type: "number", default: WAIT_BUDGET_DEFAULTS.maxWaitTimeoutSeconds },
            minPollIntervalSeconds: { type: "number", default: WAIT_BUDGET_DEFAULTS.minPollIntervalSeconds },
            maxRebootTimeoutSeconds: { type: "number", default: WAIT_BUDGET_DEFAULTS.maxRebootTimeoutSeconds },
        },
    },
    validateResource: (args, reportViolation) => {
        if (!isUpgradeResourceType(args.type)) {
            return;
        }
        const c = { ...WAIT_BUDGET_DEFAULTS, ...args.getConfig<WaitBudgetsConfig>() };
        const { waitTimeoutSeconds: wait, pollIntervalSeconds: poll, rebootTimeoutSeconds: reboot } = args.props;
        if (typeof wait === "number" && (wait < c.minWaitTimeoutSeconds || wait > c.maxWaitTimeoutSeconds)) {
            reportViolation(
                `'${args.name}': waitTimeoutSeconds ${wait} is outside [${c.minWaitTimeoutSeconds}, ${c.maxWaitTimeoutSeconds}].`,
            );
        }
        if (typeof poll === "number" && poll < c.minPollIntervalSeconds) {
            reportViolation(`'${args.name}': pollIntervalSeconds ${poll} is below ${c.minPollIntervalSeconds}.`);
        }
        if (typeof reboot === "number" && reboot > c.maxRebootTimeoutSeconds) {
            reportViolation(`'${args.name}': rebootTimeoutSeconds ${reboot} is above ${c.maxRebootTimeoutSeconds}.`);
        }
        if (typeof reboot === "number" && typeof wait === "number" && reboot > wait) {
            reportViolation(
                `'${args.name}': rebootTimeoutSeconds ${reboot} is above waitTimeoutSeconds ${wait}; the reboot allowance is part of the ` +
                    `one deadline of the whole operation, so only ${wait} s of it can ever be used.`,
            );
        }
    },
};
