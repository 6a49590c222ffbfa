import type * as pulumi from "@pulumi/pulumi";
import type { ConnectionArgs } from "../core/connection-args";

/**
 * How to reach a Riverbed AppResponse appliance. Every field falls back to stack config
 * `riverbed:<field>`, then to env `RIVERBED_<FIELD>` (read in the provider process at call time), so
 * a single-device stack needs no `connection` at all and a fleet program sets `endpoint` per resource.
 */
export interface RiverbedConnectionArgs extends ConnectionArgs {
    /** Base URL, e.g. `https://10.0.0.5`. Config `riverbed:endpoint`, env `RIVERBED_ENDPOINT`. Changing it replaces the resource. */
    endpoint?: pulumi.Input<string>;
    /** Config `riverbed:username`, env `RIVERBED_USERNAME`. */
    username?: pulumi.Input<string>;
    /** Always stored as a secret. Config `riverbed:password` (set it with `--secret`), env `RIVERBED_PASSWORD`. */
    password?: pulumi.Input<string>;
    /** PEM bundle of CAs to trust for the device's certificate. Config `riverbed:caBundle`, env `RIVERBED_CA_BUNDLE`. */
    caBundle?: pulumi.Input<string>;
    /** Skip TLS verification. Off unless set explicitly (config `riverbed:insecure`, env `RIVERBED_INSECURE`); the policy pack flags it. */
    insecure?: pulumi.Input<boolean>;
}

export { secretConnection } from "../core/connection-args";
