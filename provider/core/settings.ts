/**
 * Where connection settings come from, in order of precedence:
 * 1. the resource's own `connection` input (fleets talk to many devices);
 * 2. stack configuration, e.g. `pulumi config set riverbed:endpoint …` (`--secret` for passwords),
 *    which the engine hands to the provider process through `configure`;
 * 3. environment variables of the provider process, e.g. `RIVERBED_ENDPOINT`.
 *
 * Settings are read at call time, never captured into serialized code, so a rotated password takes
 * effect on the next run (including `destroy`).
 */

let stackConfig: { get(key: string): string | undefined } | undefined;

/** Stores the stack configuration passed to `configure` (called once per provider process). */
export function setStackConfig(config: { get(key: string): string | undefined } | undefined): void {
    stackConfig = config;
}

/**
 * Resolves one setting: explicit value, then stack config `<namespace>:<key>`, then env var.
 *
 * @example
 * ```ts
 * resolveSetting(inputs.connection?.endpoint, "riverbed", "endpoint") // riverbed:endpoint, then RIVERBED_ENDPOINT
 * ```
 */
export function resolveSetting(explicit: string | undefined, namespace: string, key: string): string | undefined {
    if (explicit !== undefined && explicit !== "") {
        return explicit;
    }
    const fromConfig = stackConfig?.get(`${namespace}:${key}`);
    if (fromConfig !== undefined && fromConfig !== "") {
        return fromConfig;
    }
    return process.env[envName(namespace, key)] || undefined;
}

/** `riverbed` + `caBundle` → `RIVERBED_CA_BUNDLE`. */
export function envName(namespace: string, key: string): string {
    return `${namespace}_${key.replace(/([a-z0-9])([A-Z])/g, "$1_$2")}`.toUpperCase();
}
