/**
 * `avi.getUpgradeStatusInfo()`: the UpgradeStatusInfo records of a controller, typed, for programs
 * and reports. A plain async function (dynamic providers have no invokes): it runs in the program's
 * process, so its connection comes from its argument, then from env `AVI_*` (stack config is not
 * visible there unless the program passes it).
 *
 * @example
 * ```ts
 * const records = await avi.getUpgradeStatusInfo({ connection: { endpoint: "https://alb.example.com", username: "admin", password } });
 * for (const r of records) console.log(r.name, r.state.state, r.version);
 * ```
 */

/* eslint-disable @typescript-eslint/no-require-imports -- the client is loaded on first call, see below */

import type { ConnectionInput } from "./connection";
import type { UpgradeStatusInfo } from "./upgrade-status-schema";

export type { UpgradeStatusInfo } from "./upgrade-status-schema";

/** Arguments of {@link getUpgradeStatusInfo}. */
export interface GetUpgradeStatusInfoArgs {
    connection?: ConnectionInput;
    /** Only records of this name (the cluster name or an SE group name). */
    name?: string;
    /** Only `NODE_CONTROLLER_CLUSTER` or `NODE_SE_GROUP` records. */
    nodeType?: "NODE_CONTROLLER_CLUSTER" | "NODE_SE_GROUP" | "NODE_SE_TYPE";
}

/** Reads the records (every page). Throws a `VendorApiError` (credentials redacted) when the controller refuses. */
export async function getUpgradeStatusInfo(args: GetUpgradeStatusInfoArgs = {}): Promise<UpgradeStatusInfo[]> {
    // Required here, not imported: `import "pulumi-upgrades"` (every program) then loads no HTTP code.
    const { AviClient } = require("./client") as typeof import("./client");
    const { resolveConnection } = require("./connection") as typeof import("./connection");
    const { processEnv } = require("../core/env") as typeof import("../core/env");
    const client = AviClient.for(resolveConnection(args.connection), processEnv);
    const records = await client.listUpgradeStatus();
    return records.filter(
        (r) => (args.name === undefined || r.name === args.name) && (args.nodeType === undefined || r.node_type === args.nodeType),
    );
}
