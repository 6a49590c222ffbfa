/**
 * The resource kinds of the Dell Unity vendor — the one place they are registered. Class files take
 * their type token and serialized provider from here, `handlers.ts` binds each kind to its handler,
 * and the policy pack reads the list through `provider/kinds.ts`.
 *
 * `UpgradeCandidate` has no `image` trait: the array verifies the signed candidate package itself
 * and reports no checksum, so the image-checksum rule (which needs `expectedSha256`) does not apply.
 */

import { defineKind } from "../core/kind";

/** Kinds of the unity vendor, by kind name. */
export const unityKinds = {
    UpgradeCandidate: defineKind("unity", "UpgradeCandidate"),
    UpgradeSession: defineKind("unity", "UpgradeSession"),
};
