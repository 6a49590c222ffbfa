/**
 * Runtime handlers of the Riverbed resources, by kind (registered in `provider/runtime.ts`).
 */
import type { ResourceHandler } from "../core/dynamic";
import { upgradeImageHandler } from "./image-handler";
import { systemUpdateHandler } from "./update-handler";

/** Handlers of the riverbed vendor, by kind. */
export const riverbedHandlers: Record<string, ResourceHandler> = {
    "riverbed:UpgradeImage": upgradeImageHandler,
    "riverbed:SystemUpdate": systemUpdateHandler,
};
