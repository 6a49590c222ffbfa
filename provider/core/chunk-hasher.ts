/**
 * SHA-256 of an upload's chunks, computed as they stream. Hashing costs about as much CPU as reading
 * and sending the bytes together (≈ 0.6 s per GiB with SHA extensions), so for large files it runs on
 * a worker thread: the event loop keeps the socket fed while the previous chunk is hashed, and the
 * upload runs at the speed of a sender that does not hash (measured in bench/upload.mts). The chunks
 * live in buffers over shared memory, so the thread reads the same bytes that are sent: no copy, and
 * the file is still read once.
 */

import { createHash } from "node:crypto";
import { Worker } from "node:worker_threads";

/** A reusable chunk buffer of the upload's pool. */
export interface PoolBuffer {
    readonly buf: Buffer;
    /** The buffer's index in the hasher (the thread maps each one once). */
    readonly slot: number;
    /** Settles once the hasher no longer reads `buf` (the buffer may be refilled after it). */
    hashed: Promise<void>;
}

/** Hashes chunks in order; {@link digest} once every chunk was given. */
export interface ChunkHasher {
    /** A new pool buffer of `bytes` the hasher can read. */
    allocate(bytes: number): PoolBuffer;
    /** Hashes `buf.subarray(0, length)` after every chunk given before; sets `hashed`. */
    update(entry: PoolBuffer, length: number): void;
    /** Hex SHA-256 of every chunk given. Rejects if hashing failed. */
    digest(): Promise<string>;
    /** Why hashing stopped (the thread died), if it did: the upload should stop too. */
    readonly failure: Error | undefined;
    /** Releases the thread, if any (idempotent). */
    close(): void;
}

/** Hashes on the calling thread: no start-up cost, for small files. */
export class InlineHasher implements ChunkHasher {
    private readonly hash = createHash("sha256");
    readonly failure = undefined;

    allocate(bytes: number): PoolBuffer {
        return { buf: Buffer.allocUnsafeSlow(bytes), slot: -1, hashed: Promise.resolve() };
    }

    update(entry: PoolBuffer, length: number): void {
        this.hash.update(entry.buf.subarray(0, length));
    }

    digest(): Promise<string> {
        return Promise.resolve(this.hash.digest("hex"));
    }

    close(): void {}
}

// Plain CommonJS run by the worker: it maps each pool slot once, then hashes slices of it on request.
const WORKER_SOURCE = `
const { parentPort } = require("node:worker_threads");
const hash = require("node:crypto").createHash("sha256");
const slots = [];
parentPort.on("message", (m) => {
    if (m.slot !== undefined && m.memory) slots[m.slot] = Buffer.from(m.memory);
    else if (m.slot !== undefined) {
        hash.update(slots[m.slot].subarray(0, m.length));
        parentPort.postMessage({ hashed: m.slot });
    } else if (m.digest) parentPort.postMessage({ hex: hash.digest("hex") });
});
`;

/** Hashes on a worker thread, over buffers in shared memory. */
export class ThreadHasher implements ChunkHasher {
    private readonly worker = new Worker(WORKER_SOURCE, { eval: true });
    private readonly pending = new Map<number, () => void>();
    private slots = 0;
    failure: Error | undefined;
    private onDigest: ((hex: string) => void) | undefined;
    private onFailure: ((err: Error) => void) | undefined;
    private closed = false;

    constructor() {
        this.worker.unref();
        this.worker.on("message", (m: { hashed?: number; hex?: string }) => {
            if (m.hashed !== undefined) {
                this.pending.get(m.hashed)?.();
                this.pending.delete(m.hashed);
            } else if (m.hex !== undefined) {
                this.onDigest?.(m.hex);
            }
        });
        this.worker.on("error", (err) => this.fail(err));
        this.worker.on("exit", (code) => this.fail(new Error(`the hashing thread exited (code ${code})`)));
    }

    allocate(bytes: number): PoolBuffer {
        const memory = new SharedArrayBuffer(bytes);
        const slot = this.slots++;
        this.worker.postMessage({ slot, memory });
        return { buf: Buffer.from(memory), slot, hashed: Promise.resolve() };
    }

    update(entry: PoolBuffer, length: number): void {
        if (this.failure) {
            return;
        }
        entry.hashed = new Promise((resolve) => this.pending.set(entry.slot, resolve));
        this.worker.postMessage({ slot: entry.slot, length });
    }

    digest(): Promise<string> {
        if (this.failure) {
            return Promise.reject(this.failure);
        }
        return new Promise((resolve, reject) => {
            this.onDigest = resolve;
            this.onFailure = reject;
            this.worker.postMessage({ digest: true });
        });
    }

    close(): void {
        if (!this.closed) {
            this.closed = true;
            void this.worker.terminate();
        }
    }

    /** A dead thread hashes nothing more: release every waiter (the digest then rejects). */
    private fail(err: Error): void {
        if (this.closed || this.failure) {
            return;
        }
        this.failure = err;
        for (const release of this.pending.values()) {
            release();
        }
        this.pending.clear();
        this.onFailure?.(err);
    }
}
