/**
 * pulumi-upgrades: appliance upgrades as Pulumi resources.
 *
 * Each vendor is a namespace of resources; the shared building blocks are exported for vendor
 * authors and tests.
 */
export * as loopback from "./loopback";
export * as riverbed from "./riverbed";
export * as appgate from "./appgate";
export * as unity from "./unity";
export * as avisi from "./avisi";
export * as avi from "./avi";
export { UNKNOWN } from "./core/dynamic";
export { typeToken, type KindTraits, type ResourceKind } from "./core/kind";
export type { ResourceProvider } from "./core/shim";
export type { ConnectionArgs } from "./core/connection-args";
export type { ConnectionInput } from "./core/connection";
export { allKinds } from "./kinds";
