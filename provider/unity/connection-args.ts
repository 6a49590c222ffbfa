import type { ConnectionArgs } from "../core/connection-args";

/**
 * How to reach a Unity array's Unisphere management API. Every field falls back to stack config
 * `unity:<key>`, then to env `UNITY_<KEY>` (`UNITY_ENDPOINT`, `UNITY_USERNAME`, `UNITY_PASSWORD`,
 * `UNITY_CA_BUNDLE`, `UNITY_INSECURE`), read in the provider process at call time.
 */
export type UnityConnectionArgs = ConnectionArgs;
