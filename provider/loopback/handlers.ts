/**
 * The runtime side of the loopback vendor: each kind of `kinds.ts` bound to its handler
 * (registered in `provider/runtime.ts`).
 */
import { vendorRuntime } from "../core/dynamic";
import { loopbackKinds } from "./kinds";
import { settingHandler } from "./setting-handler";

/** Handlers of the loopback vendor. */
export const loopbackRuntime = vendorRuntime(loopbackKinds, { Setting: settingHandler });
