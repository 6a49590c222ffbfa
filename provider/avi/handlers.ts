/**
 * Runtime handlers of the Avi resources, by kind (registered in `provider/runtime.ts`).
 */
import type { ResourceHandler } from "../core/dynamic";
import { controllerImageHandler } from "./image-handler";
import { controllerUpgradeHandler } from "./upgrade-handler";

/** Handlers of the avi vendor, by kind. */
export const aviHandlers: Record<string, ResourceHandler> = {
    "avi:ControllerImage": controllerImageHandler,
    "avi:ControllerUpgrade": controllerUpgradeHandler,
};
