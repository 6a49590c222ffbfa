/**
 * Every resource kind of the package, by vendor: what the policy pack's type lists are derived from.
 * Pulumi-free and handler-free, so the pack can load it. A new vendor adds one line (and one line in
 * `runtime.ts`; a unit test checks that both lists name the same kinds).
 */

import type { ResourceKind } from "./core/kind";
import { appgateKinds } from "./appgate/kinds";
import { avisiKinds } from "./avisi/kinds";
import { aviKinds } from "./avi/kinds";
import { loopbackKinds } from "./loopback/kinds";
import { riverbedKinds } from "./riverbed/kinds";
import { unityKinds } from "./unity/kinds";

/** Every kind of this package. */
export const allKinds: readonly ResourceKind[] = [loopbackKinds, riverbedKinds, appgateKinds, unityKinds, avisiKinds, aviKinds].flatMap(
    (kinds) => Object.values(kinds),
);
