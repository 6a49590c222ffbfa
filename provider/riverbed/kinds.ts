/**
 * The resource kinds of the Riverbed vendor — the one place a kind is registered (see
 * provider/README.md, "Adding a vendor").
 */

import { defineKind } from "../core/kind";

/** Kinds of the Riverbed vendor, by kind name. */
export const riverbedKinds = {
    UpgradeImage: defineKind("riverbed", "UpgradeImage", { image: true }),
    SystemUpdate: defineKind("riverbed", "SystemUpdate"),
};
