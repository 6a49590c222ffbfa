// Test-only policy pack (policy.test.ts): a policy that depends on which stack it runs for and on that stack's
// config, as a real pack would to hold a production stack to stricter rules. The language host gives a pack the
// stack's project, name and config; this pack reports what it saw so the test can compare it with the stack.
import * as pulumi from "@pulumi/pulumi";
import { PolicyPack } from "@pulumi/policy";

new PolicyPack("stack-context", {
    policies: [
        {
            name: "stack-context",
            description: "Reports the stack and config the policy sees.",
            enforcementLevel: "advisory",
            validateStack: (_args, reportViolation) => {
                const stack = pulumi.getStack();
                const value = new pulumi.Config(pulumi.getProject()).get("value") ?? "<unset>";
                const endpoint = new pulumi.Config("loopback").get("endpoint") ?? "<unset>";
                reportViolation(`project ${pulumi.getProject()}, stack ${stack}, config value '${value}', loopback:endpoint ${endpoint}`);
            },
        },
    ],
});
