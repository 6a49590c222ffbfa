import type { ConnectionArgs } from "../core/connection-args";

/**
 * How to reach a loopback settings server. Every field falls back to stack config `loopback:<field>`,
 * then to env `LOOPBACK_<FIELD>` (read in the provider process at call time), so a single-server
 * stack needs no `connection` at all. The password is always stored as a secret.
 */
export type LoopbackConnectionArgs = ConnectionArgs;
