import * as pulumi from "@pulumi/pulumi";
import { typeToken } from "../core/dynamic";
import { providerShim } from "../core/shim";

/** How to reach a loopback settings server; every field falls back to `loopback:*` config, then env. */
export interface LoopbackConnectionArgs {
    /** Base URL, e.g. `http://127.0.0.1:8080`. Config `loopback:endpoint`, env `LOOPBACK_ENDPOINT`. */
    endpoint?: pulumi.Input<string>;
    /** Config `loopback:username`, env `LOOPBACK_USERNAME`. */
    username?: pulumi.Input<string>;
    /** Always stored as a secret. Config `loopback:password` (set with `--secret`), env `LOOPBACK_PASSWORD`. */
    password?: pulumi.Input<string>;
    /** PEM bundle of CAs to trust for an https endpoint. */
    caBundle?: pulumi.Input<string>;
    /** Skip TLS verification. Off unless set explicitly; the policy pack flags it. */
    insecure?: pulumi.Input<boolean>;
}

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
        const connection = args.connection && {
            ...args.connection,
            password: args.connection.password === undefined ? undefined : pulumi.secret(args.connection.password),
        };
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
