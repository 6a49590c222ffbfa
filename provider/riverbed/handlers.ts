/**
 * The runtime side of the Riverbed vendor: each kind of `kinds.ts` bound to its handler
 * (registered in `provider/runtime.ts`).
 */
import { vendorRuntime } from "../core/dynamic";
import { upgradeImageHandler } from "./upgrade-image-handler";
import { riverbedKinds } from "./kinds";
import { systemUpdateHandler } from "./system-update-handler";

/** Handlers of the Riverbed vendor. */
export const riverbedRuntime = vendorRuntime(riverbedKinds, { UpgradeImage: upgradeImageHandler, SystemUpdate: systemUpdateHandler });
