/**
 * One fetch of a list shared by every `read` that needs it, instead of one fetch per resource.
 *
 * A refresh reads every resource of a stack at once; when each read needs one entry of a list the
 * vendor only serves whole (Appgate's `GET /appliances/status`), fetching the list per resource makes
 * a refresh quadratic in the fleet size (300 appliances × a 300-entry list). A {@link SharedRead}
 * lives on the shared client of one device (core/clients.ts: one per endpoint and connection
 * settings), so:
 *
 * - **single-flight**: reads that ask while a fetch is in flight join it;
 * - **short-lived**: an answer is reused for `ttlMs` of the handler clock (default 5 s), long enough
 *   for one refresh of a fleet, never across runs of `pulumi refresh` (each run is a new provider process);
 * - **errors are not cached**: every joiner gets the error; the next ask fetches again;
 * - **for reads only**: waits and actions never use it (they fetch the list themselves), and the
 *   client calls {@link SharedRead.invalidate} after every action it sends, so a read that follows an
 *   action in the same process sees the device's new answer.
 */

import type { Clock } from "./clock";

/** Default reuse window of a fetched answer. */
export const SHARED_READ_TTL_MS = 5_000;

export class SharedRead<T> {
    private inFlight?: Promise<T>;
    private cached?: { value: T; at: number };
    /** Fetches made (for tests and benchmarks). */
    fetches = 0;
    /** Generation: bumped by invalidate(), so a fetch that started before an action is not kept. */
    private generation = 0;

    constructor(
        private readonly fetch: () => Promise<T>,
        private readonly clock: Clock,
        private readonly ttlMs: number = SHARED_READ_TTL_MS,
    ) {}

    /** The shared answer: cached when younger than `ttlMs`, the fetch in flight, or a new fetch. */
    get(): Promise<T> {
        if (this.cached && this.clock.now() - this.cached.at < this.ttlMs) {
            return Promise.resolve(this.cached.value);
        }
        if (this.inFlight) {
            return this.inFlight;
        }
        const generation = this.generation;
        const startedAt = this.clock.now();
        this.fetches++;
        const flight = this.fetch().then(
            (value) => {
                if (generation === this.generation) {
                    // Aged from when the request was sent: the device answered at some point after that.
                    this.cached = { value, at: startedAt };
                    this.inFlight = undefined;
                }
                return value;
            },
            (err: unknown) => {
                if (generation === this.generation) this.inFlight = undefined;
                throw err;
            },
        );
        this.inFlight = flight;
        return flight;
    }

    /** Forgets the cached answer and detaches a fetch in flight: the next get() fetches anew. */
    invalidate(): void {
        this.generation++;
        this.cached = undefined;
        this.inFlight = undefined;
    }
}
