import type * as pulumi from "@pulumi/pulumi";
import type { ConnectionArgs } from "../core/connection-args";

/**
 * How to reach an Avi controller cluster. Every field falls back to stack config `avi:<field>`, then
 * to env `AVI_<FIELD>` (read in the provider process at call time).
 */
export interface AviConnectionArgs extends ConnectionArgs {
    /** Controller (cluster) URL, e.g. `https://avi.example.com`. Config `avi:endpoint`, env `AVI_ENDPOINT`. Changing it replaces the resource. */
    endpoint?: pulumi.Input<string>;
    /** Config `avi:username`, env `AVI_USERNAME`. */
    username?: pulumi.Input<string>;
    /** Always stored as a secret. Config `avi:password` (`--secret`), env `AVI_PASSWORD`. */
    password?: pulumi.Input<string>;
    /** `X-Avi-Version` to speak, e.g. `22.1.6`. Default: the controller's own version from the login answer. Config `avi:apiVersion`, env `AVI_API_VERSION`. */
    apiVersion?: pulumi.Input<string>;
    /** `X-Avi-Tenant`. Default: the user's default tenant. Config `avi:tenant`, env `AVI_TENANT`. */
    tenant?: pulumi.Input<string>;
    /** PEM bundle of CAs to trust. Config `avi:caBundle`, env `AVI_CA_BUNDLE`. */
    caBundle?: pulumi.Input<string>;
    /** Skip TLS verification. Off unless set explicitly (config `avi:insecure`, env `AVI_INSECURE`); the policy pack flags it. */
    insecure?: pulumi.Input<boolean>;
}

export { secretConnection } from "../core/connection-args";
