/**
 * The resource kinds of the Appgate vendor — the one place a kind is registered (see
 * provider/README.md, "Adding a vendor").
 */

import { defineKind } from "../core/kind";

/** Kinds of the Appgate vendor, by kind name. */
export const appgateKinds = {
    ApplianceUpgrade: defineKind("appgate", "ApplianceUpgrade"),
};
