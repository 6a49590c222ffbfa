/**
 * What the runtime hands every handler: the clock, the shared-client cache, the per-object lock and
 * the durations learned in this process.
 * The runtime makes one {@link processEnv} per provider process; unit tests make their own with
 * {@link handlerEnv} and a {@link FakeClock}.
 */

import { ClientCache } from "./clients";
import { systemClock, type Clock } from "./clock";
import { LearnedDurations } from "./learned-durations";
import { KeyedLock } from "./lock";

/** The process-wide services a handler uses. */
export interface HandlerEnv {
    /** The one time source: deadlines, poll sleeps, HTTP retry backoff, token expiry. */
    readonly clock: Clock;
    /** Shared clients, one per device and connection settings. */
    readonly clients: ClientCache;
    /** Serialises actions on one device object (key: vendor, endpoint and object id). */
    readonly locks: KeyedLock;
    /** How long operations took in this process, by kind and target: the hint of waits without vendor hints. */
    readonly durations: LearnedDurations;
}

/** A fresh environment; `clock` defaults to the system clock. `durations` may be shared (a bench's fleet). */
export function handlerEnv(clock: Clock = systemClock, durations = new LearnedDurations()): HandlerEnv {
    return { clock, clients: new ClientCache(), locks: new KeyedLock(), durations };
}

/** The environment of this provider process (used by the runtime). */
export const processEnv: HandlerEnv = handlerEnv();
