/**
 * The resource types the rules act on, derived from the package's kind definitions
 * (`provider/kinds.ts`, each made by `defineKind`), so a new kind is covered without editing the pack.
 * The kind list is Pulumi-free and handler-free: the pack does not load the provider code.
 */
import { allKinds } from "../../provider/kinds";

/** Type tokens (`pulumi-nodejs:dynamic/<vendor>:<Kind>`) of every pulumi-upgrades resource. */
export const UPGRADE_TYPES: ReadonlySet<string> = new Set(allKinds.map((k) => k.typeToken));

/** Type tokens of the kinds that put an image on a device (trait `image`). */
export const IMAGE_TYPES: ReadonlySet<string> = new Set(allKinds.filter((k) => k.traits.image).map((k) => k.typeToken));

/** Vendor namespaces of the pulumi-upgrades resources. */
export const UPGRADE_VENDORS: readonly string[] = [...new Set(allKinds.map((k) => k.vendor))];

/** True for resource types of this package. Rules read type strings, not classes. */
export function isUpgradeResourceType(type: string): boolean {
    return UPGRADE_TYPES.has(type);
}

/** True for the image kinds (their `expectedSha256` input pins the bits). */
export function isImageResourceType(type: string): boolean {
    return IMAGE_TYPES.has(type);
}
