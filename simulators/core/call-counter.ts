/**
 * Per-operation call counters, so tests can assert on what the device actually saw
 * ("exactly one `update.start` succeeded", "the provider retried `images.list` after the 503s").
 */

/** What happened to the requests of one operation. */
export interface OperationCallStats {
    /** Requests routed to this operation, including those answered by an injected fault. */
    received: number;
    /** Requests answered by an injected fault (error, throttle or reset) instead of the handler. */
    faulted: number;
    /** Responses by status code; connections reset by the device count under `"reset"`. */
    byStatus: Record<string, number>;
}

/** Operation name used for requests that matched no route. */
export const UNMATCHED_OPERATION = "unmatched";

/** Counts requests and their outcomes per operation name. */
export class CallCounter {
    private readonly stats = new Map<string, OperationCallStats>();

    /** Record that a request for `operation` arrived. */
    recordReceived(operation: string): void {
        this.entry(operation).received += 1;
    }

    /** Record that a request for `operation` was answered by an injected fault. */
    recordFault(operation: string): void {
        this.entry(operation).faulted += 1;
    }

    /** Record the outcome of a request: an HTTP status, or `"reset"` for a destroyed connection. */
    recordOutcome(operation: string, outcome: number | "reset"): void {
        const byStatus = this.entry(operation).byStatus;
        const key = String(outcome);
        byStatus[key] = (byStatus[key] ?? 0) + 1;
    }

    /** Requests received for `operation` (all outcomes). */
    received(operation: string): number {
        return this.stats.get(operation)?.received ?? 0;
    }

    /** Requests for `operation` answered with a 2xx status: the ones that took effect. */
    succeeded(operation: string): number {
        const byStatus = this.stats.get(operation)?.byStatus ?? {};
        return Object.entries(byStatus)
            .filter(([status]) => /^2\d\d$/.test(status))
            .reduce((sum, [, count]) => sum + count, 0);
    }

    /** Requests for `operation` answered by an injected fault. */
    faulted(operation: string): number {
        return this.stats.get(operation)?.faulted ?? 0;
    }

    /** A deep copy of all counters, keyed by operation name. */
    snapshot(): Record<string, OperationCallStats> {
        const copy: Record<string, OperationCallStats> = {};
        for (const [operation, stats] of [...this.stats].sort(([a], [b]) => a.localeCompare(b))) {
            copy[operation] = { received: stats.received, faulted: stats.faulted, byStatus: { ...stats.byStatus } };
        }
        return copy;
    }

    /** Forget all counts. */
    reset(): void {
        this.stats.clear();
    }

    private entry(operation: string): OperationCallStats {
        let stats = this.stats.get(operation);
        if (stats === undefined) {
            stats = { received: 0, faulted: 0, byStatus: {} };
            this.stats.set(operation, stats);
        }
        return stats;
    }
}
