/**
 * The runtime side of the Appgate vendor: each kind of `kinds.ts` bound to its handler
 * (registered in `provider/runtime.ts`).
 */
import { vendorRuntime } from "../core/dynamic";
import { applianceUpgradeHandler } from "./appliance-upgrade-handler";
import { appgateKinds } from "./kinds";

/** Handlers of the Appgate vendor. */
export const appgateRuntime = vendorRuntime(appgateKinds, { ApplianceUpgrade: applianceUpgradeHandler });
