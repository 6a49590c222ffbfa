import * as pulumi from "@pulumi/pulumi";

/**
 * How to reach Avisi Cloud. Every field falls back to stack config `avisi:<field>`, then to env
 * `AVISI_<FIELD>`, then to the Terraform provider's env names (`ACLOUD_API_ENDPOINT`,
 * `ACLOUD_PERSONAL_ACCESS_TOKEN`, `ACLOUD_ORGANISATION`), read in the provider process at call time.
 */
export interface AvisiConnectionArgs {
    /** API base URL. Default `https://api.avisi.cloud`. Changing it replaces the resource. */
    endpoint?: pulumi.Input<string>;
    /** Personal access token (sent as `Authorization: Token <pat>`). Always stored as a secret. */
    token?: pulumi.Input<string>;
    /** Organisation slug, e.g. `acme`. Changing it replaces the resource. */
    organisation?: pulumi.Input<string>;
    /** PEM bundle of CAs to trust for the endpoint's certificate. */
    caBundle?: pulumi.Input<string>;
    /** Skip TLS verification. Off unless set explicitly; the policy pack flags it. */
    insecure?: pulumi.Input<boolean>;
}

/** @internal The connection argument with the token wrapped as a secret. */
export function secretAvisiConnection(connection: AvisiConnectionArgs | undefined): AvisiConnectionArgs | undefined {
    return connection && { ...connection, token: connection.token === undefined ? undefined : pulumi.secret(connection.token) };
}
