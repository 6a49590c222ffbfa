import type * as pulumi from "@pulumi/pulumi";
import type { ConnectionArgs } from "../core/connection-args";

/**
 * How to reach the Appgate SDP Controller. Every field falls back to stack config `appgate:<key>`,
 * then to the environment variable `APPGATE_<KEY>` (e.g. `APPGATE_IDENTITY_PROVIDER`).
 */
export interface AppgateConnectionArgs extends ConnectionArgs {
    /**
     * Controller admin URL, e.g. `https://controller.example.com:8443/admin` (`/admin` is appended
     * when missing). Config `appgate:endpoint`, env `APPGATE_ENDPOINT`.
     */
    endpoint?: pulumi.Input<string>;
    /** Admin user (exempt from admin MFA: `/login` cannot do MFA). Config `appgate:username`, env `APPGATE_USERNAME`. */
    username?: pulumi.Input<string>;
    /** Always stored as a secret. Config `appgate:password` (set with `--secret`), env `APPGATE_PASSWORD`. */
    password?: pulumi.Input<string>;
    /** Identity provider of the admin user. Default `local`. Config `appgate:identityProvider`. */
    identityProvider?: pulumi.Input<string>;
    /**
     * Pin the peer API version (`Accept: application/vnd.appgate.peer-vNN+json`), at least 20
     * (Appgate SDP 6.3). Default: negotiate with the controller, and renegotiate when it is upgraded.
     * Config `appgate:apiVersion`.
     */
    apiVersion?: pulumi.Input<number>;
    /** PEM bundle of CAs to trust for the controller's certificate. Config `appgate:caBundle`. */
    caBundle?: pulumi.Input<string>;
    /** Skip TLS verification. Off unless set explicitly; the policy pack flags it. Config `appgate:insecure`. */
    insecure?: pulumi.Input<boolean>;
}
