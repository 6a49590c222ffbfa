/**
 * The Pulumi-facing side of {@link ConnectionInput}: the `connection` argument shared by every
 * resource, and the wrapping that keeps its password a secret in the state.
 */
import * as pulumi from "@pulumi/pulumi";

/**
 * How to reach a device. Every field falls back to stack config `<vendor>:<field>`, then to env
 * `<VENDOR>_<FIELD>` (read in the provider process at call time), so a single-device stack needs no
 * `connection` at all and a fleet program sets `endpoint` per resource.
 */
export interface ConnectionArgs {
    /** Base URL, e.g. `https://10.0.0.5`. Changing it replaces the resource. */
    endpoint?: pulumi.Input<string>;
    username?: pulumi.Input<string>;
    /** Always stored as a secret (set the config key with `--secret`). */
    password?: pulumi.Input<string>;
    /** PEM bundle of CAs to trust for the device's certificate. */
    caBundle?: pulumi.Input<string>;
    /** Skip TLS verification. Off unless set explicitly; the policy pack flags it. */
    insecure?: pulumi.Input<boolean>;
}

/**
 * @internal The connection argument with the password wrapped as a secret. Classes register it only when
 * given (`...(args.connection && { connection: secretConnection(args.connection) })`): a property
 * registered as `undefined` is not stored, but still costs the SDK an Output of four promises per resource.
 */
export function secretConnection<C extends { password?: pulumi.Input<string> }>(connection: C | undefined): C | undefined {
    return (
        connection && {
            ...connection,
            password: connection.password === undefined ? undefined : pulumi.secret(connection.password),
        }
    );
}
