/**
 * Marks the requests made by a waiter's refresh, so the HTTP session can leave outage retries to the
 * waiter.
 *
 * Why: a status read inside a wait is retried twice over otherwise, once by {@link HttpSession}
 * (up to 4 retries with backoff) and once by the waiter's next poll. Through a 10-minute management
 * failover answered with 503s that made every waiter poll five requests. Inside a wait the waiter
 * already tolerates transient errors within its outage budget and paces the next poll (from the
 * vendor's estimate when there is one), so inside a wait poll the session retries
 * {@link WAIT_POLL_RETRIES}: a connection error once (a keep-alive socket the device closed while
 * the waiter slept is the usual cause, and one quick retry saves a whole poll delay), an error
 * status (408/429/5xx: the device answered, and is busy or failing over) never — the waiter's next
 * poll is the retry, so an outage costs about one request per waiter poll. One-shot calls
 * (starting an operation, a read outside a wait) keep the session's full retries.
 *
 * The mark travels with the async context (node:async_hooks), so every vendor client gets it
 * without a parameter on each of its methods.
 */

import { AsyncLocalStorage } from "node:async_hooks";

/** Retries the HTTP session makes for one request inside a waiter's refresh (after the first attempt). */
export const WAIT_POLL_RETRIES = { afterConnectionError: 1, afterErrorStatus: 0 } as const;

const insideWaitPoll = new AsyncLocalStorage<true>();

/** Runs `refresh` so that the requests it makes count as one waiter poll. */
export function asWaitPoll<R>(refresh: () => Promise<R>): Promise<R> {
    return insideWaitPoll.run(true, refresh);
}

/** True while the caller runs inside {@link asWaitPoll}. */
export function inWaitPoll(): boolean {
    return insideWaitPoll.getStore() === true;
}
