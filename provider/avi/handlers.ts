/**
 * The runtime side of the avi vendor: each kind of `kinds.ts` bound to its handler (registered in
 * `provider/runtime.ts`).
 */
import { vendorRuntime } from "../core/dynamic";
import { controllerImageHandler } from "./controller-image-handler";
import { aviKinds } from "./kinds";
import { controllerUpgradeHandler } from "./controller-upgrade-handler";

/** Handlers of the avi vendor. */
export const aviRuntime = vendorRuntime(aviKinds, { ControllerImage: controllerImageHandler, ControllerUpgrade: controllerUpgradeHandler });
