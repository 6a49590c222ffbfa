/**
 * The resource kinds of the loopback vendor — the one place a kind is registered. Class files take
 * their type token and serialized provider from here, `handlers.ts` binds each kind to its handler
 * (the compiler insists on one per kind), and the policy pack reads the list through `provider/kinds.ts`.
 */

import { defineKind } from "../core/kind";

/** Kinds of the loopback vendor, by kind name. */
export const loopbackKinds = {
    Setting: defineKind("loopback", "Setting"),
};
