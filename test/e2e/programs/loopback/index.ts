import * as pulumi from "@pulumi/pulumi";
import { loopback } from "pulumi-upgrades";

const config = new pulumi.Config();

// The endpoint and user come from `loopback:*` stack config; the password is passed per resource
// from a secret config value, as a fleet program would.
const setting = new loopback.Setting("greeting", {
    key: config.get("key") ?? "greeting",
    value: config.require("value"),
    connection: {
        password: config.requireSecret("devicePassword"),
        insecure: config.getBoolean("insecure"),
    },
    waitTimeoutSeconds: config.getNumber("waitTimeoutSeconds") ?? 60,
});

export const state = setting.state;
export const appliedValue = setting.appliedValue;

// Extra settings on the same server (the "one runtime per provider process" test).
for (let i = 0; i < (config.getNumber("extraSettings") ?? 0); i++) {
    new loopback.Setting(`extra-${i}`, { key: `extra-${i}`, value: "x", connection: { password: config.requireSecret("devicePassword") } });
}
