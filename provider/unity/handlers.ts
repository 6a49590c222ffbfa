/**
 * The runtime side of the Unity vendor: each kind of `kinds.ts` bound to its handler
 * (registered in `provider/runtime.ts`).
 */
import { vendorRuntime } from "../core/dynamic";
import { upgradeCandidateHandler } from "./upgrade-candidate-handler";
import { unityKinds } from "./kinds";
import { upgradeSessionHandler } from "./upgrade-session-handler";

/** Handlers of the unity vendor. */
export const unityRuntime = vendorRuntime(unityKinds, { UpgradeCandidate: upgradeCandidateHandler, UpgradeSession: upgradeSessionHandler });
