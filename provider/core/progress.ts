/**
 * Progress lines. Lines go to stdout, which the CLI shows as info diagnostics under the resource;
 * each starts with the resource's name (dynamic providers are not told the URN, so resources pass
 * their name as the hidden `__logName` input).
 *
 * {@link waitProgress} is the one mapping from waiter events to lines, so every vendor reports a
 * wait the same way:
 *
 * ```text
 * [gw-1] prepare: started → downloading (appgate-6.4.1-40123-release.img.zip)  ← a state change
 * [gw-1] prepare: still downloading 42.0% after 1m00s                    ← heartbeat, at most once a minute
 * [gw-1] complete: unreachable (… ECONNREFUSED); treating it as a reboot, waiting up to 15m00s
 * [gw-1] complete: reachable again after 4.6s
 * ```
 */

import { every, systemClock, type Clock } from "./clock";
import { messageOf } from "./phase";
import { formatDuration, type WaitEvent } from "./waiter";

/** A progress logger. */
export type Progress = (message: string) => void;

/**
 * Makes a progress logger whose lines start with `[resourceName] ` and pass through `redact`
 * (a session's {@link HttpSession.redact}), so no credential reaches the CLI output.
 */
export function progressLogger(resourceName: string | undefined, redact: (s: string) => string = (s) => s): Progress {
    const prefix = resourceName ? `[${resourceName}] ` : "";
    return (message: string) => {
        console.log(redact(`${prefix}${message}`));
    };
}

/** Options of {@link waitProgress}. */
export interface WaitProgressOptions {
    /** Clock of the heartbeat. Default the system clock. */
    clock?: Clock;
    /** Interval between "still …" lines while the state does not change. Default 60 s. */
    heartbeatMs?: number;
    /** Longest tolerated outage, quoted in the "unreachable" line. */
    outageBudgetMs?: number;
    /** Skip state-change lines (a wait that only rides out an outage, e.g. a read). */
    quietStates?: boolean;
}

/**
 * Turns {@link WaitEvent}s of one wait into progress lines prefixed with `label` (see the module
 * comment). Pass the result as `onProgress` to `waitFor`.
 */
export function waitProgress<T>(log: Progress, label: string, options: WaitProgressOptions = {}): (event: WaitEvent<T>) => void {
    const heartbeat = every(options.heartbeatMs ?? 60_000, options.clock ?? systemClock);
    const budget = options.outageBudgetMs !== undefined ? `, waiting up to ${formatDuration(options.outageBudgetMs)}` : "";
    return (e) => {
        if (e.kind === "state" && !options.quietStates) {
            log(`${label}: ${e.previous ?? "start"} → ${e.observation.state}${e.observation.detail ? ` (${e.observation.detail})` : ""}`);
        } else if (e.kind === "poll" && heartbeat() && e.elapsedMs > 0) {
            const pct = e.observation.progressPercent !== undefined ? ` ${e.observation.progressPercent.toFixed(1)}%` : "";
            log(`${label}: still ${e.observation.state}${pct} after ${formatDuration(e.elapsedMs)}`);
        } else if (e.kind === "transient" && e.consecutive === 1) {
            log(`${label}: unreachable (${firstLine(e.error)}); treating it as a reboot${budget}`);
        } else if (e.kind === "recovered") {
            log(`${label}: reachable again after ${formatDuration(e.outageMs)}`);
        }
    };
}

/** Bytes as MiB with one decimal, for transfer progress lines. */
export function mib(bytes: number): string {
    return (bytes / 2 ** 20).toFixed(1);
}

/** The first line of an error's message, at most 200 characters (for one-line progress output). */
export function firstLine(err: unknown): string {
    return messageOf(err).split("\n")[0]!.slice(0, 200);
}
