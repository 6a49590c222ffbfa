/**
 * The `UpgradeStatusEnum` classes the Unity session resource acts on, and the words it uses for them
 * (error messages that say how to go on, one progress line per task).
 */

import { VendorFailureError } from "../core/errors";
import { formatDuration, type WaitEvent } from "../core/waiter";
import type { UnityMessage, UnitySession } from "./wire";

export const DONE = ["Upgrade_Completed", "Upgrade_Acknowledged"];
export const RUNNING = ["Upgrade_Not_Started", "Upgrade_In_Progress"];
export const PAUSED = ["Upgrade_Paused", "Upgrade_Paused_Lock"];
export const STOPPED = ["Upgrade_Failed", "Upgrade_Failed_Lock", "Upgrade_Waiting_For_User"];
export const CANCELLED = ["Upgrade_Cancelled"];
/** Sessions in these states still hold the array: adopt (same candidate) or refuse (another). */
export const UNFINISHED = [...RUNNING, ...PAUSED, ...STOPPED];

export function describeMessages(messages: readonly UnityMessage[]): string {
    return messages.map((m) => m.text).join(" ") || "the array gave no message";
}

export function stoppedError(subject: string, session: UnitySession): Error {
    const messages = describeMessages(session.messages);
    const at = session.currentTask ? ` at "${session.currentTask}"` : "";
    if (PAUSED.includes(session.status)) {
        return new VendorFailureError(
            `${subject} session ${session.id}`,
            "the upgrade",
            session.status,
            `${messages}. It paused before the storage processor reboot as requested; to continue, set resumeAfterPause: true and run pulumi up (or resume it in Unisphere)`,
        );
    }
    if (CANCELLED.includes(session.status)) {
        return new VendorFailureError(
            `${subject} session ${session.id}`,
            "the upgrade",
            session.status,
            `${messages}; upload the candidate again and replace this resource`,
        );
    }
    return new VendorFailureError(
        `${subject} session ${session.id}`,
        `the upgrade${at}`,
        session.status,
        `${messages}. Fix the cause on the array, then run pulumi up again: it resumes this session`,
    );
}

/** The line printed when the task (or status) changes: the status alone stays `Upgrade_In_Progress` for an hour. */
export function progressLine(event: WaitEvent<UnitySession>): string | undefined {
    if (event.kind !== "state" && event.kind !== "poll") return undefined;
    const s = event.observation.object;
    if (!s) return undefined;
    const eta = s.estRemainingMs !== undefined ? `, about ${formatDuration(s.estRemainingMs)} left` : "";
    return `${s.status}${s.currentTask ? `: ${s.currentTask}` : ""}${s.percentComplete !== undefined ? ` (${s.percentComplete}%${eta})` : ""}`;
}
