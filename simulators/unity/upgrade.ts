/**
 * The array's upgrade model: the single candidate slot, the installed version and the upgrade
 * sessions with their task list.
 *
 * Session tasks, in order (durations from `UnityTimings`, options.ts; defined in session-record.ts):
 * "Preparing system" → "Performing health checks" → "Preinstall" → [Upgrade_Paused when
 * `pauseBeforeReboot`] → "Rebooting the primary SP" (management failover; afterwards the array
 * reports the new version) → "Rebooting the peer SP" → "Post-upgrade tasks" → Upgrade_Completed.
 *
 * The transition graph is [unknown]; the simulator takes the inferred one (0 → 1 → (6 | 8) → 1 → 2,
 * and 3/4 → resume → 1, resuming the task that failed). A degraded component fails the health check
 * task (Upgrade_Failed with the component in the messages). Injected failures stop the session at
 * the end of a chosen task with Upgrade_Failed, Upgrade_Failed_Lock or Upgrade_Waiting_For_User.
 * Wrong-state actions answer 409 with the error body ([unknown] code).
 */
import type { Clock, TimerGroup } from "../core/clock";
import type { UnityCandidateHeader } from "./candidate-format";
import { Severity, UnityErrorCodes, UpgradeStatus, type UpgradeStatusValue } from "./constants";
import type { UnityRuntimeSettings } from "./options";
import { unityError, type UnityObject } from "./rest";
import { renderSession, UNITY_TASKS, upgradeMessage, type UnityCandidate, type UnitySessionRecord } from "./session-record";

/** Index of the task after which `pauseBeforeReboot` pauses, and of the failover task. */
const PREINSTALL = 2;
const PRIMARY_REBOOT = 3;
const HEALTH_CHECK = 1;

/** Where an injected failure stops a session. */
export type UnityFailureTask = "prepare" | "healthCheck" | "preinstall" | "primaryReboot" | "peerReboot" | "post";
const TASK_KEYS: readonly UnityFailureTask[] = ["prepare", "healthCheck", "preinstall", "primaryReboot", "peerReboot", "post"];
/** The outcome of an injected failure. */
export type UnityFailureOutcome = "Failed" | "Failed_Lock" | "Waiting_For_User";

/** What the upgrade model needs from the simulator. */
export interface UnityUpgradeDeps {
    readonly clock: Clock;
    readonly timers: TimerGroup;
    readonly settings: () => UnityRuntimeSettings;
    readonly initialVersion: string;
    /** Start the management failover for `ms`; call `done` once management is back. */
    readonly failover: (ms: number, done: () => void) => void;
    readonly log: (line: string) => void;
}

/** The candidate slot, the installed version and the sessions. */
export class UnityUpgrades {
    private installed: { version: string; releaseDate: string };
    private slot: UnityCandidate | undefined;
    private readonly sessions = new Map<string, UnitySessionRecord>();
    private candidateCounter = 0;
    private sessionCounter = 0;
    private readonly injected = new Map<UnityFailureTask, UnityFailureOutcome>();
    /** Sessions created (for tests: "exactly one session per upgrade"). */
    sessionsCreated = 0;

    constructor(private readonly deps: UnityUpgradeDeps) {
        this.installed = { version: deps.initialVersion, releaseDate: "2023-01-12T00:00:00.000Z" };
    }

    get installedVersion(): string {
        return this.installed.version;
    }

    get candidate(): UnityCandidate | undefined {
        return this.slot;
    }

    /** True while a session is not in a terminal state (an upload or a new session is refused). */
    get busy(): boolean {
        return [...this.sessions.values()].some((s) => !isTerminal(s.status));
    }

    /** Store an uploaded candidate, replacing the previous one. @throws 409 while a session runs. */
    storeCandidate(header: UnityCandidateHeader, received: { sha256: string; fileName: string; bytes: number }): UnityCandidate {
        if (this.busy)
            throw unityError(
                409,
                UnityErrorCodes.sessionInProgress,
                "An upgrade session is in progress; the upgrade candidate cannot be replaced.",
            );
        const reuse = !this.deps.settings().newCandidateIdPerUpload && this.slot !== undefined;
        const id = reuse ? this.slot!.id : `candidate_${++this.candidateCounter}`;
        const revision = Number(header.version.split(".").at(-1)) || 0;
        this.slot = {
            id,
            version: header.version,
            fullVersion: `Unity ${header.version.split(".").slice(0, 4).join(".")} (Release, Build ${revision}, ${header.version})`,
            revision,
            releaseDate: "2024-03-18T19:02:00.000Z",
            type: header.type,
            rebootRequired: header.rebootRequired,
            canPauseBeforeReboot: header.canPauseBeforeReboot,
            ...received,
        };
        this.deps.log(`candidate ${id} stored: version ${header.version}`);
        return this.slot;
    }

    /** `candidateSoftwareVersion` instances. */
    candidateObjects(): UnityObject[] {
        if (!this.slot) return [];
        const { sha256: _s, fileName: _f, bytes: _b, ...api } = this.slot;
        return [api];
    }

    /** `installedSoftwareVersion` instances. */
    installedObjects(): UnityObject[] {
        return [
            {
                id: "0",
                version: this.installed.version,
                revision: Number(this.installed.version.split(".").at(-1)) || 0,
                releaseDate: this.installed.releaseDate,
                fullVersion: `Unity ${this.installed.version}`,
                languages: [],
                hotFixes: [],
                packageVersions: [],
                driveFirmware: [],
            },
        ];
    }

    /** The messages of `verifyUpgradeEligibility`; `eligible` is false when any is an error. */
    eligibility(): { eligible: boolean; messages: UnityObject[] } {
        const degraded = this.deps.settings().degradedComponent;
        if (degraded !== "") {
            return {
                eligible: false,
                messages: [
                    upgradeMessage(
                        Severity.error,
                        422,
                        0x6000a01,
                        `The system is not healthy: ${degraded} is degraded. Resolve the issue before upgrading.`,
                    ),
                ],
            };
        }
        return {
            eligible: true,
            messages: [upgradeMessage(Severity.ok, 200, 0x6000a00, "The system is healthy and ready to be upgraded.")],
        };
    }

    /** Create and start a session. @throws 409/422 with the error body. */
    create(apiType: string, body: UnityObject): { readonly id: string } {
        const wanted = (body["candidate"] as UnityObject | undefined)?.["id"];
        if (this.busy) throw unityError(409, UnityErrorCodes.sessionInProgress, "An upgrade session is already in progress.");
        if (!this.slot) throw unityError(422, UnityErrorCodes.noCandidate, "No upgrade candidate is available; upload one first.");
        if (wanted !== undefined && wanted !== this.slot.id)
            throw unityError(404, UnityErrorCodes.notFound, `The upgrade candidate ${String(wanted)} does not exist.`);
        if (this.slot.version === this.installed.version) {
            throw unityError(409, UnityErrorCodes.wrongState, `Version ${this.slot.version} is already installed.`);
        }
        const pause = body["pauseBeforeReboot"] === true || body["pauseBeforeReboot"] === "true";
        const now = this.deps.clock.now();
        const session: UnitySessionRecord = {
            id: `Upgrade_${++this.sessionCounter}`,
            apiType,
            candidate: this.slot,
            pauseBeforeReboot: pause,
            creationTimeMs: now,
            status: UpgradeStatus.inProgress,
            taskIndex: 0,
            taskStartedMs: now,
            messages: [],
            timer: undefined,
            resumeAt: undefined,
        };
        this.sessions.set(session.id, session);
        this.sessionsCreated++;
        this.deps.log(
            `session ${session.id} created for candidate ${this.slot.id} (${this.slot.version})${pause ? ", pause before reboot" : ""}`,
        );
        this.runTask(session, 0);
        return session;
    }

    /** Resume a paused, failed or waiting session. @throws 404/409. */
    resume(id: string): void {
        const session = this.require(id);
        const resumable: number[] = [
            UpgradeStatus.paused,
            UpgradeStatus.failed,
            UpgradeStatus.failedLock,
            UpgradeStatus.waitingForUser,
            UpgradeStatus.pausedLock,
        ];
        if (!resumable.includes(session.status)) throw wrongState(session, "resumed");
        session.status = UpgradeStatus.inProgress;
        session.messages = [];
        const next = session.resumeAt ?? session.taskIndex;
        session.resumeAt = undefined;
        this.deps.log(`session ${id} resumed at "${UNITY_TASKS[next]?.caption ?? "completion"}"`);
        this.runTask(session, next);
    }

    /** `upgradeSession` cancel: only paused or failed sessions; the candidate goes away. */
    cancel(id: string): void {
        const session = this.require(id);
        if (session.status !== UpgradeStatus.paused && session.status !== UpgradeStatus.failed) throw wrongState(session, "cancelled");
        session.status = UpgradeStatus.cancelled;
        if (this.slot?.id === session.candidate.id) this.slot = undefined;
    }

    /** `upgradeSession` acknowledge: after success or cancel. */
    acknowledge(id: string): void {
        const session = this.require(id);
        if (session.status !== UpgradeStatus.completed && session.status !== UpgradeStatus.cancelled)
            throw wrongState(session, "acknowledged");
        session.status = UpgradeStatus.acknowledged;
    }

    /** One session as the API shows it. @throws 404. */
    sessionObject(id: string, apiType: string): UnityObject {
        const session = this.sessions.get(id);
        if (!session || session.apiType !== apiType)
            throw unityError(404, UnityErrorCodes.notFound, `The ${apiType} instance ${id} does not exist.`);
        return renderSession(session, this.deps.clock.now(), this.deps.settings().timings);
    }

    /** Sessions of one API type. */
    sessionObjects(apiType: string): UnityObject[] {
        return [...this.sessions.values()]
            .filter((s) => s.apiType === apiType)
            .map((s) => renderSession(s, this.deps.clock.now(), this.deps.settings().timings));
    }

    /** Make the end of `task` stop the next session that reaches it with `outcome`. */
    injectFailure(task: UnityFailureTask, outcome: UnityFailureOutcome): void {
        if (!TASK_KEYS.includes(task)) throw new Error(`[task] must be one of ${TASK_KEYS.join(", ")}, got ${JSON.stringify(task)}.`);
        if (!["Failed", "Failed_Lock", "Waiting_For_User"].includes(outcome)) {
            throw new Error(`[outcome] must be Failed, Failed_Lock or Waiting_For_User, got ${JSON.stringify(outcome)}.`);
        }
        this.injected.set(task, outcome);
    }

    clearInjectedFailures(): void {
        this.injected.clear();
    }

    pendingFailures(): Record<string, UnityFailureOutcome> {
        return Object.fromEntries(this.injected);
    }

    /** Cancel every task timer (simulator stop). */
    stopTimers(): void {
        for (const session of this.sessions.values()) session.timer?.cancel();
    }

    private require(id: string): UnitySessionRecord {
        const session = this.sessions.get(id);
        if (!session) throw unityError(404, UnityErrorCodes.notFound, `The upgrade session ${id} does not exist.`);
        return session;
    }

    private runTask(session: UnitySessionRecord, index: number): void {
        session.timer?.cancel();
        if (index >= UNITY_TASKS.length) {
            session.status = UpgradeStatus.completed;
            session.taskIndex = UNITY_TASKS.length;
            session.timer = undefined;
            if (!this.deps.settings().keepCandidateAfterUpgrade && this.slot?.id === session.candidate.id) this.slot = undefined;
            this.deps.log(`session ${session.id} completed: ${session.candidate.version} installed`);
            return;
        }
        session.taskIndex = index;
        session.taskStartedMs = this.deps.clock.now();
        const duration = this.deps.settings().timings[UNITY_TASKS[index]!.timing];
        const finish = () => this.finishTask(session, index);
        if (index === PRIMARY_REBOOT) {
            // Management fails over: the array decides when it is back; the version changes then.
            session.timer = undefined;
            this.deps.failover(duration, () => {
                this.installed = { version: session.candidate.version, releaseDate: session.candidate.releaseDate };
                finish();
            });
            return;
        }
        session.timer = this.deps.timers.after(duration, finish);
    }

    private finishTask(session: UnitySessionRecord, index: number): void {
        if (session.status !== UpgradeStatus.inProgress || session.taskIndex !== index) return;
        session.timer = undefined;
        if (index === HEALTH_CHECK) {
            const { eligible, messages } = this.eligibility();
            if (!eligible) {
                this.stop(session, index, UpgradeStatus.failed, messages);
                return;
            }
        }
        const injected = this.injected.get(TASK_KEYS[index]!);
        if (injected !== undefined) {
            this.injected.delete(TASK_KEYS[index]!);
            const caption = UNITY_TASKS[index]!.caption;
            if (injected === "Waiting_For_User") {
                session.status = UpgradeStatus.waitingForUser;
                session.resumeAt = index + 1;
                session.messages = [
                    upgradeMessage(
                        Severity.warning,
                        200,
                        0x6000b10,
                        `The upgrade is waiting for user action after "${caption}"; resume the session to continue.`,
                    ),
                ];
            } else {
                const status = injected === "Failed" ? UpgradeStatus.failed : UpgradeStatus.failedLock;
                const text =
                    injected === "Failed"
                        ? `The task "${caption}" failed: a storage processor did not respond in time.`
                        : `The task "${caption}" failed and the system is locked: the upgrade cannot continue until it is resumed.`;
                this.stop(session, index, status, [upgradeMessage(Severity.error, 500, 0x6000b11, text)]);
            }
            this.deps.log(`session ${session.id} stopped after "${caption}": ${injected}`);
            return;
        }
        if (index === PREINSTALL && session.pauseBeforeReboot) {
            session.status = UpgradeStatus.paused;
            session.resumeAt = index + 1;
            session.messages = [
                upgradeMessage(
                    Severity.info,
                    200,
                    0x6000b12,
                    "The upgrade is paused before the storage processor reboot, as requested; resume it to continue.",
                ),
            ];
            this.deps.log(`session ${session.id} paused before the first SP reboot`);
            return;
        }
        this.runTask(session, index + 1);
    }

    private stop(session: UnitySessionRecord, index: number, status: UpgradeStatusValue, messages: UnityObject[]): void {
        session.status = status;
        session.resumeAt = index;
        session.messages = messages;
    }
}

function isTerminal(status: number): boolean {
    return status === UpgradeStatus.completed || status === UpgradeStatus.cancelled || status === UpgradeStatus.acknowledged;
}

function wrongState(session: UnitySessionRecord, verb: string) {
    return unityError(
        409,
        UnityErrorCodes.wrongState,
        `The upgrade session ${session.id} cannot be ${verb} in its current state (status ${session.status}).`,
    );
}
