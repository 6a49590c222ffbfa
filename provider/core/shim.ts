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
 * The method bodies must stay self-contained: no imports, nothing captured but `kind` and the one
 * `call` helper (itself capturing only `kind`).
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

/**
 * @internal Builds the serialized provider for resource kind `vendor:Kind`; use `defineKind`.
 *
 * Every byte here is stored twice per resource. The serializer wraps each function in ~170 bytes of
 * scaffolding, so the methods are one-line arrows forwarding to one captured helper `call` (serialized
 * once) instead of seven copies of the `require(...).dispatch(...)` line: 2.3 KB instead of 2.8 KB. They
 * take rest arguments (the host passes exactly the SDK's arguments), which also keeps the serializer
 * from writing out a parameter list per function: 2.2 KB.
 */
export function providerShim(kind: string): ResourceProvider {
    const call = (method: string, args: unknown[]) => require("pulumi-upgrades/runtime").dispatch(1, kind, method, args);
    return {
        configure: async (req) => require("pulumi-upgrades/runtime").configure(1, req.config),
        check: async (...args) => call("check", args),
        diff: async (...args) => call("diff", args),
        create: async (...args) => call("create", args),
        read: async (...args) => call("read", args),
        update: async (...args) => call("update", args),
        delete: async (...args) => call("delete", args),
    };
}
