import * as pulumi from "@pulumi/pulumi";
import { secretConnection } from "../core/connection-args";
import type { LoopbackConnectionArgs } from "./connection-args";
import { loopbackKinds } from "./kinds";

/** Inputs of {@link Setting}. */
export interface SettingArgs {
    /** The server; see {@link LoopbackConnectionArgs} for the config/env fallbacks. Changing the endpoint replaces the setting. */
    connection?: LoopbackConnectionArgs;
    /** The setting's key (1–64 letters, digits, `.`, `_`, `-`); changing it replaces the resource. */
    key: pulumi.Input<string>;
    /** The value to apply; changing it updates in place. */
    value: pulumi.Input<string>;
    /**
     * One deadline for the whole create or update, in seconds: the apply request, the wait for
     * `APPLIED` and any outage of the server come out of it. Default 60.
     */
    waitTimeoutSeconds?: pulumi.Input<number>;
    /** Floor of the poll interval, in seconds (backs off up to 4×). Default 0.2. */
    pollIntervalSeconds?: pulumi.Input<number>;
    /** Longest tolerated stretch of the server not answering, within `waitTimeoutSeconds`, in seconds. Default 60. */
    rebootTimeoutSeconds?: pulumi.Input<number>;
}

/**
 * A setting on a loopback settings server — the package's self-test resource, used to prove the
 * engine setup (`npm test`) and the smallest model of a vendor resource.
 *
 * - Create/update: `PUT` the value, then wait until the server reports it `APPLIED`. A value already
 *   applied is left alone; one already being applied is waited for, never applied twice.
 * - `FAILED` fails with the server's message and keeps the setting in state; the next `up` retries.
 * - Refresh reads the value back (drift shows as a diff of `value`).
 * - Destroy removes the setting (already gone is fine).
 *
 * @example
 * ```ts
 * import { loopback } from "pulumi-upgrades";
 *
 * const greeting = new loopback.Setting("greeting", { key: "greeting", value: "hello" });
 * export const state = greeting.state; // "APPLIED"
 * ```
 */
export class Setting extends pulumi.dynamic.Resource {
    /** Type token, for policies (`validateResourceOfType`). */
    static readonly __pulumiType = loopbackKinds.Setting.typeToken;

    declare readonly key: pulumi.Output<string>;
    declare readonly value: pulumi.Output<string>;
    /** Last state reported by the server (`APPLIED` after a successful create/update). */
    declare readonly state: pulumi.Output<string>;
    /** The value the server reports as applied ("" until it is). */
    declare readonly appliedValue: pulumi.Output<string>;

    constructor(name: string, args: SettingArgs, opts?: pulumi.CustomResourceOptions) {
        const kind = loopbackKinds.Setting;
        const props = {
            __logName: name,
            ...args,
            ...(args.connection && { connection: secretConnection(args.connection) }),
            state: undefined,
            appliedValue: undefined,
        };
        super(kind.provider, name, props, opts, kind.vendor, kind.kind);
    }
}
