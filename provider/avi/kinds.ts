/**
 * The resource kinds of the avi vendor — the one place a kind is registered (type tokens, shims,
 * the policy pack's type lists).
 */

import { defineKind } from "../core/kind";

/** Kinds of the avi vendor, by kind name. */
export const aviKinds = {
    /** `image`: the policy pack requires `expectedSha256`. */
    ControllerImage: defineKind("avi", "ControllerImage", { image: true }),
    ControllerUpgrade: defineKind("avi", "ControllerUpgrade"),
};
