/**
 * The vendors the simulator CLI knows. A new vendor adds one `register(...)` line here.
 */
import { VendorRegistry } from "./core/vendor-registry";
import { riverbedVendor } from "./riverbed/vendor";
import { appgateVendor } from "./appgate/vendor";
import { unityVendor } from "./unity/vendor";
import { avisiVendor } from "./avisi/vendor";
import { aviVendor } from "./avi/vendor";

/** Registry of every built-in simulator vendor. */
export const simulatorVendors = new VendorRegistry()
    .register(riverbedVendor)
    .register(appgateVendor)
    .register(unityVendor)
    .register(avisiVendor)
    .register(aviVendor);
