/** Every vendor the demo starts, in the order of the summary. A new vendor adds one line here (and one in ../program/index.ts). */
import { appgateDemo } from "./appgate.ts";
import { aviDemo } from "./avi.ts";
import { avisiDemo } from "./avisi.ts";
import { riverbedDemo } from "./riverbed.ts";
import type { DemoVendor } from "./types";
import { unityDemo } from "./unity.ts";

export const demoVendors: DemoVendor[] = [riverbedDemo, appgateDemo, unityDemo, avisiDemo, aviDemo];
