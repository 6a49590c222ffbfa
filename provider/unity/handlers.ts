/**
 * Runtime handlers of the Unity resources, by kind (registered in `provider/runtime.ts`).
 */
import type { ResourceHandler } from "../core/dynamic";
import { upgradeCandidateHandler } from "./candidate-handler";
import { upgradeSessionHandler } from "./session-handler";

/** Handlers of the unity vendor, by kind. */
export const unityHandlers: Record<string, ResourceHandler> = {
    "unity:UpgradeCandidate": upgradeCandidateHandler,
    "unity:UpgradeSession": upgradeSessionHandler,
};
