import * as pulumi from "@pulumi/pulumi";
import { secretConnection, type ConnectionArgs } from "../core/connection-args";
import { typeToken } from "../core/dynamic";
import { providerShim } from "../core/shim";

/** How to reach a loopback settings server; fields fall back to `loopback:*` config, then `LOOPBACK_*` env. */
export type LoopbackConnectionArgs = ConnectionArgs;

/** Inputs of {@link Setting}. */
export interface SettingArgs {
    connection?: LoopbackConnectionArgs;
    /** The setting's key; changing it replaces the resource. */
    key: pulumi.Input<string>;
    /** The value to apply; changing it updates in place. */
    value: pulumi.Input<string>;
    /** Wait budget for the server to report `APPLIED`, in seconds. Default 60. */
    waitTimeoutSeconds?: pulumi.Input<number>;
    /** Floor of the poll interval, in seconds. Default 0.2. */
    pollIntervalSeconds?: pulumi.Input<number>;
}

/**
 * A setting on a loopback settings server — the package's self-test resource, used to prove the
 * engine setup (`npm test`) and as the smallest model of a vendor resource.
 *
 * @example
 * ```ts
 * const s = new loopback.Setting("greeting", { key: "greeting", value: "hello" });
 * export const state = s.state; // "APPLIED"
 * ```
 */
export class Setting extends pulumi.dynamic.Resource {
    /** Type token, for policies (`validateResourceOfType`). */
    static readonly __pulumiType = typeToken("loopback", "Setting");

    declare readonly key: pulumi.Output<string>;
    declare readonly value: pulumi.Output<string>;
    /** Last state reported by the server (`APPLIED` after a successful create/update). */
    declare readonly state: pulumi.Output<string>;
    /** The value the server reports as applied. */
    declare readonly appliedValue: pulumi.Output<string>;

    constructor(name: string, args: SettingArgs, opts?: pulumi.CustomResourceOptions) {
        const connection = secretConnection(args.connection);
        super(
            providerShim("loopback:Setting"),
            name,
            { __logName: name, ...args, connection, state: undefined, appliedValue: undefined },
            opts,
            "loopback",
            "Setting",
        );
    }
}
