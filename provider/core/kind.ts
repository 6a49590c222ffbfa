/**
 * One definition per resource kind. `defineKind("riverbed", "UpgradeImage")` derives everything the
 * rest of the package needs from those two words:
 *
 * - `name` (`riverbed:UpgradeImage`): the key of the runtime's handler registry and of the shim;
 * - `typeToken` (`pulumi-nodejs:dynamic/riverbed:UpgradeImage`): what the engine, `__pulumiType` and
 *   the policy pack see;
 * - `provider`: the serialized shim, created **once** and shared by every resource of the kind. The SDK
 *   caches a provider's serialized code per provider object, so one object per kind serializes once
 *   per run; a new object per resource made previews 2–3× slower;
 * - `traits`: what the policy pack needs to know about the kind (e.g. that it puts an image on a device).
 *
 * Nothing here loads `@pulumi/pulumi` or vendor code: class files, the runtime and the policy pack
 * all import kind definitions.
 */

import type { ResourceProvider } from "./shim";
import { providerShim } from "./shim";

/** Facts about a kind that policies act on. */
export interface KindTraits {
    /** The resource puts an image on a device; the `image-checksum` rule requires `expectedSha256`. */
    image?: boolean;
}

/** A resource kind of this package. */
export interface ResourceKind {
    /** Vendor namespace, e.g. `riverbed`. */
    readonly vendor: string;
    /** Kind name, e.g. `UpgradeImage`. */
    readonly kind: string;
    /** `vendor:Kind`, the runtime registry key. */
    readonly name: string;
    /** `pulumi-nodejs:dynamic/<vendor>:<Kind>`. */
    readonly typeToken: string;
    /** The serialized provider shim of this kind (one object, reused by every resource). */
    readonly provider: ResourceProvider;
    readonly traits: Readonly<KindTraits>;
}

/** `pulumi-nodejs:dynamic/<vendor>:<kind>`, the type token of every resource in this package. */
export function typeToken(vendor: string, kind: string): string {
    return `pulumi-nodejs:dynamic/${vendor}:${kind}`;
}

/**
 * Defines a resource kind once (see the module comment).
 *
 * @example
 * ```ts
 * // provider/riverbed/kinds.ts
 * export const riverbedKinds = {
 *     UpgradeImage: defineKind("riverbed", "UpgradeImage", { image: true }),
 *     SystemUpdate: defineKind("riverbed", "SystemUpdate"),
 * };
 * ```
 */
export function defineKind(vendor: string, kind: string, traits: KindTraits = {}): ResourceKind {
    if (!/^[a-z][a-z0-9-]*$/.test(vendor) || !/^[A-Z][A-Za-z0-9]*$/.test(kind)) {
        throw new Error(`defineKind: vendor must be lower-case and kind PascalCase, got ${vendor}:${kind}`);
    }
    const name = `${vendor}:${kind}`;
    return Object.freeze({
        vendor,
        kind,
        name,
        typeToken: typeToken(vendor, kind),
        provider: providerShim(name),
        traits: Object.freeze({ ...traits }),
    });
}
