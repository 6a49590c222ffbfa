/**
 * The package runtime: the code the serialized provider shims load by name in the provider process
 * (`require("pulumi-upgrades/runtime")`). It walks the vendor list below, builds every kind's
 * handler once with the process environment (one clock, one shared-client cache, one lock), and keeps
 * the stack configuration. A new vendor adds one line to `vendors`.
 *
 * Entry-point versions are frozen once released: shims stored in old stack states call version 1.
 */

import { appgateRuntime } from "./appgate/handlers";
import { avisiRuntime } from "./avisi/handlers";
import { aviRuntime } from "./avi/handlers";
import type { ResourceHandler, VendorRuntime } from "./core/dynamic";
import { processEnv } from "./core/env";
import { setStackConfig } from "./core/settings";
import type { RuntimeEntry } from "./core/shim";
import { loopbackRuntime } from "./loopback/handlers";
import { riverbedRuntime } from "./riverbed/handlers";
import { unityRuntime } from "./unity/handlers";

/** Every vendor this runtime serves. */
const vendors: readonly VendorRuntime[] = [loopbackRuntime, riverbedRuntime, appgateRuntime, unityRuntime, avisiRuntime, aviRuntime];

const handlers = new Map<string, ResourceHandler>(vendors.flatMap((v) => [...v.handlers(processEnv)]));

/** Kinds this runtime serves, e.g. `loopback:Setting`. */
export function kinds(): string[] {
    return [...handlers.keys()];
}

const METHODS = new Set(["check", "diff", "create", "read", "update", "delete"]);

/** Forwards one provider call to the handler of `kind`. */
export async function dispatch(api: number, kind: string, method: string, args: unknown[]): Promise<unknown> {
    if (api !== 1) {
        throw new Error(
            `pulumi-upgrades runtime: entry-point version ${api} is not supported by the installed package; ` +
                `this stack was written by a newer pulumi-upgrades: install it to manage this resource`,
        );
    }
    const handler = handlers.get(kind);
    if (!handler) {
        throw new Error(`pulumi-upgrades runtime: unknown resource kind ${kind}; known: ${kinds().join(", ")}`);
    }
    if (!METHODS.has(method)) {
        throw new Error(`pulumi-upgrades runtime: unknown method ${method}`);
    }
    const fn = (handler as unknown as Record<string, ((...a: unknown[]) => Promise<unknown>) | undefined>)[method];
    if (!fn) {
        return defaultBehaviour(method, args);
    }
    return fn.apply(handler, args);
}

/** What the SDK itself would do when a provider lacks the method. */
function defaultBehaviour(method: string, args: unknown[]): unknown {
    switch (method) {
        case "check":
            return { inputs: args[1] };
        case "diff":
            return {};
        case "read":
            return { id: args[0], props: args[1] };
        case "delete":
            return undefined;
        default:
            throw new Error(`pulumi-upgrades runtime: method ${method} is required`);
    }
}

/** Receives the stack configuration once per provider process. */
export function configure(api: number, config: { get(key: string): string | undefined }): void {
    if (api !== 1) {
        throw new Error(`pulumi-upgrades runtime: entry-point version ${api} is not supported`);
    }
    setStackConfig(config);
}

/** Type check: this module satisfies the frozen entry point. */
const _entry: RuntimeEntry = { dispatch, configure };
void _entry;
