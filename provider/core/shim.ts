/**
 * The serialized provider: a thin shim.
 *
 * Pulumi serializes each dynamic resource's provider object into its state (twice) and runs `delete`
 * and `read` with the code stored at the last create/update. So the object we hand to Pulumi holds
 * no logic at all: each method `require`s this package's runtime **by its public name at call time**
 * (resolved from the program's node_modules in the provider process) and forwards the call through
 * a small, versioned entry point, {@link RuntimeEntry.dispatch}. Consequences:
 * - `__provider` stays small (a few KB) whatever the size of the vendor code;
 * - resources created by an older package version are refreshed and deleted by the installed
 *   version's code, which keeps accepting entry-point version 1;
 * - every resource in a provider process shares one runtime instance: one login and one connection
 *   pool per device per run.
 *
 * The method bodies must stay self-contained: no imports, no helpers, nothing captured but `kind`.
 * Build shims through `defineKind` (core/kind.ts), which makes one per kind.
 */

/* eslint-disable @typescript-eslint/no-require-imports -- the shim must resolve the runtime by name at call time, inside the provider process */

import type * as pulumi from "@pulumi/pulumi";

/** The dynamic-provider contract as the SDK sees it. */
export type ResourceProvider = pulumi.dynamic.ResourceProvider;

/** The entry point the shims call. Version 1 is frozen: add versions, never change this one. */
export interface RuntimeEntry {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the SDK's provider methods return any
    dispatch(api: 1, kind: string, method: string, args: unknown[]): Promise<any>;
    configure(api: 1, config: { get(key: string): string | undefined }): void;
}

/** @internal Builds the serialized provider for resource kind `vendor:Kind`; use `defineKind`. */
export function providerShim(kind: string): ResourceProvider {
    return {
        async configure(req) {
            require("pulumi-upgrades/runtime").configure(1, req.config);
        },
        async check(olds, news) {
            return require("pulumi-upgrades/runtime").dispatch(1, kind, "check", [olds, news]);
        },
        async diff(id, olds, news) {
            return require("pulumi-upgrades/runtime").dispatch(1, kind, "diff", [id, olds, news]);
        },
        async create(inputs) {
            return require("pulumi-upgrades/runtime").dispatch(1, kind, "create", [inputs]);
        },
        async read(id, props) {
            return require("pulumi-upgrades/runtime").dispatch(1, kind, "read", [id, props]);
        },
        async update(id, olds, news) {
            return require("pulumi-upgrades/runtime").dispatch(1, kind, "update", [id, olds, news]);
        },
        async delete(id, props) {
            return require("pulumi-upgrades/runtime").dispatch(1, kind, "delete", [id, props]);
        },
    };
}
