/**
 * The idle grace after an accepted call (sdpctl#319): bounded by status reads AND time, ended at
 * once by any other status, on a fake clock.
 */
import { IdleGrace, idleGraceFor, IDLE_GRACE_MS, IDLE_GRACE_READS } from "../../../provider/appgate/idle-grace";

function clock(start = 1_000) {
    let now = start;
    return { now: () => now, advance: (ms: number) => (now += ms) };
}

it("idle stays pending until both the read count and the time are exceeded", () => {
    const c = clock();
    const grace = new IdleGrace({ reads: 3, ms: 10_000 }, c.now);
    // Many fast reads: the time bound keeps idle pending.
    for (let i = 0; i < 20; i++) expect(grace.idleIsPending()).toBe(true);
    c.advance(10_000);
    expect(grace.idleIsPending()).toBe(false);
    expect(grace.describe()).toBe("21 idle status reads over 10.0s");
});

it("slow reads: the read count keeps idle pending after the time has passed", () => {
    const c = clock();
    const grace = new IdleGrace({ reads: 3, ms: 1_000 }, c.now);
    const answers: boolean[] = [];
    for (let i = 0; i < 4; i++) {
        c.advance(5_000);
        answers.push(grace.idleIsPending());
    }
    expect(answers).toEqual([true, true, true, false]);
});

it("any other status ends the grace: a later idle is final", () => {
    const c = clock();
    const grace = new IdleGrace({ reads: 10, ms: 60_000 }, c.now);
    expect(grace.idleIsPending()).toBe(true);
    grace.sawProgress();
    expect(grace.idleIsPending()).toBe(false);
});

it("the grace of a wait is capped at half its budget", () => {
    expect(idleGraceFor(30 * 60_000)).toEqual({ reads: IDLE_GRACE_READS, ms: IDLE_GRACE_MS });
    expect(idleGraceFor(10_000)).toEqual({ reads: IDLE_GRACE_READS, ms: 5_000 });
});
