import { KeyedLock } from "../../../provider/core/lock";

test("functions with one key run one at a time, in order; a failure does not block the next", async () => {
    const lock = new KeyedLock();
    const events: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const first = lock.run("gw-1", async () => {
        events.push("first start");
        await gate;
        events.push("first end");
        throw new Error("first failed");
    });
    const second = lock.run("gw-1", async () => {
        events.push("second");
        return 2;
    });
    const other = lock.run("gw-2", async () => {
        events.push("other key");
        return 3;
    });
    await expect(other).resolves.toBe(3);
    expect(events).toEqual(["first start", "other key"]);
    release();
    await expect(first).rejects.toThrow("first failed");
    await expect(second).resolves.toBe(2);
    expect(events).toEqual(["first start", "other key", "first end", "second"]);
    expect(lock.size).toBe(0);
});
