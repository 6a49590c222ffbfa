/**
 * Serialises actions on one device object within a provider process: the engine runs resources in
 * parallel, and two resources (or a replacement's create and delete) acting on one appliance at the
 * same time could start a second upgrade.
 */

/** Runs functions one at a time per key; different keys run concurrently. */
export class KeyedLock {
    private readonly tails = new Map<string, Promise<unknown>>();

    /** Runs `fn` after every earlier `run` with the same key has settled (failures do not block). */
    async run<T>(key: string, fn: () => Promise<T>): Promise<T> {
        const previous = this.tails.get(key) ?? Promise.resolve();
        const mine = previous.catch(() => undefined).then(fn);
        const tail = mine.catch(() => undefined);
        this.tails.set(key, tail);
        try {
            return await mine;
        } finally {
            if (this.tails.get(key) === tail) {
                this.tails.delete(key);
            }
        }
    }

    /** Number of keys with a queued or running function (for tests). */
    get size(): number {
        return this.tails.size;
    }
}
