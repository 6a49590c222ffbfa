/**
 * How the Avisi resources reach the API: endpoint (default the public API), personal access token
 * (a secret) and organisation slug. Each setting: the resource's `connection` input → stack config
 * `avisi:<key>` → env `AVISI_<KEY>` → the env names users of the vendor's Terraform provider already
 * have (`ACLOUD_API_ENDPOINT`, `ACLOUD_PERSONAL_ACCESS_TOKEN`, `ACLOUD_ORGANISATION`).
 */
import { z } from "zod";
import { InputError } from "../core/errors";
import { resolveSetting } from "../core/settings";

/** The public API (`DefaultPublicAPIUrl` of the vendor's go-client). */
export const AVISI_PUBLIC_API = "https://api.avisi.cloud";

/** Zod schema of the `connection` input. */
export const avisiConnectionSchema = z
    .object({
        endpoint: z.string().url("must be a URL such as https://api.avisi.cloud").optional(),
        token: z.string().min(1, "must not be empty").optional(),
        organisation: z
            .string()
            .regex(/^[a-z0-9][a-z0-9-]*$/, "must be the organisation slug, e.g. acme")
            .optional(),
        caBundle: z.string().optional(),
        insecure: z.boolean().optional(),
    })
    .strict();

/** The `connection` input as a handler receives it. */
export type AvisiConnectionInput = z.infer<typeof avisiConnectionSchema>;

/** Resolved settings. */
export interface AvisiConnection {
    /** Base URL without a trailing slash. */
    endpoint: string;
    token: string;
    organisation: string;
    caBundle?: string;
    insecure?: boolean;
}

function setting(explicit: string | undefined, key: string, terraformEnv: string): string | undefined {
    return resolveSetting(explicit, "avisi", key) ?? (process.env[terraformEnv] || undefined);
}

/** Resolves the connection. @throws InputError naming the missing setting and every place it can come from. */
export function resolveAvisiConnection(input: AvisiConnectionInput | undefined): AvisiConnection {
    const c = input ?? {};
    const endpoint = setting(c.endpoint, "endpoint", "ACLOUD_API_ENDPOINT") ?? AVISI_PUBLIC_API;
    if (!/^https?:\/\/[^/\s]+/.test(endpoint))
        throw new InputError("connection.endpoint", `must be an http(s) URL such as ${AVISI_PUBLIC_API}, got ${endpoint}`);
    const token = setting(c.token, "token", "ACLOUD_PERSONAL_ACCESS_TOKEN");
    if (!token) {
        throw new InputError(
            "connection.token",
            "not set: give connection.token, stack config avisi:token (--secret), env AVISI_TOKEN or ACLOUD_PERSONAL_ACCESS_TOKEN (a personal access token)",
        );
    }
    const organisation = setting(c.organisation, "organisation", "ACLOUD_ORGANISATION");
    if (!organisation) {
        throw new InputError(
            "connection.organisation",
            "not set: give connection.organisation, stack config avisi:organisation, env AVISI_ORGANISATION or ACLOUD_ORGANISATION",
        );
    }
    const insecureText = c.insecure === undefined ? resolveSetting(undefined, "avisi", "insecure") : undefined;
    if (insecureText !== undefined && !/^(true|false|1|0|yes|no)$/i.test(insecureText.trim())) {
        throw new InputError("connection.insecure", `avisi:insecure / AVISI_INSECURE must be true or false, got ${insecureText}`);
    }
    const insecure = c.insecure ?? (insecureText === undefined ? undefined : /^(true|1|yes)$/i.test(insecureText.trim()));
    return {
        endpoint: endpoint.replace(/\/+$/, ""),
        token,
        organisation,
        caBundle: resolveSetting(c.caBundle, "avisi", "caBundle"),
        insecure: insecure === true ? true : undefined,
    };
}
