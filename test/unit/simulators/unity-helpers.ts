/**
 * Test helpers for the Unity simulator: a raw Unisphere caller that keeps the login cookie and the
 * CSRF token the way a client must, and a multipart body builder that streams a generated candidate.
 */
import { Readable } from "node:stream";
import { unityCandidateStream, type UnityCandidateSpec, type UnitySimulator } from "../../../simulators/unity";
import { http, type HttpResult } from "./helpers";

/** A minimal Unisphere client for simulator tests. */
export class RawUnity {
    cookie: string | undefined;
    csrf: string | undefined;

    constructor(
        readonly sim: UnitySimulator,
        readonly password = sim.password,
    ) {}

    get basic(): string {
        return `Basic ${Buffer.from(`${this.sim.username}:${this.password}`).toString("base64")}`;
    }

    /** One request with the mandatory header, Basic, the cookie and (for POST/DELETE) the CSRF token. */
    async call(
        method: string,
        path: string,
        options: { json?: unknown; body?: Buffer | Readable; headers?: Record<string, string>; csrf?: boolean } = {},
    ): Promise<HttpResult> {
        const headers: Record<string, string> = { "X-EMC-REST-CLIENT": "true", Authorization: this.basic, ...(options.headers ?? {}) };
        if (this.cookie) headers["Cookie"] = this.cookie;
        if (method !== "GET" && (options.csrf ?? true) && this.csrf) headers["EMC-CSRF-TOKEN"] = this.csrf;
        const result = await http(`${this.sim.url}${path}`, { method, headers, json: options.json, body: options.body });
        const setCookie = result.headers["set-cookie"];
        if (setCookie) this.cookie = setCookie.map((line) => line.split(";", 1)[0]).join("; ");
        const token = result.headers["emc-csrf-token"];
        if (typeof token === "string") this.csrf = token;
        return result;
    }

    /** Log in with a GET (cookie + CSRF token). */
    async login(): Promise<void> {
        const reply = await this.call("GET", "/api/types/loginSessionInfo/instances?fields=id,idleTimeout");
        if (reply.status !== 200) throw new Error(`login failed: ${reply.status} ${reply.text}`);
    }

    /** Upload a generated candidate as multipart/form-data. */
    upload(spec: UnityCandidateSpec, path = "/upload/files/types/candidateSoftwareVersion", fieldName = "filename"): Promise<HttpResult> {
        const { body, contentType, length } = multipartCandidate(spec, fieldName);
        return this.call("POST", path, { body, headers: { "Content-Type": contentType, "Content-Length": String(length) } });
    }
}

/** A multipart body (streamed) carrying a generated candidate, optionally in tiny chunks. */
export function multipartCandidate(
    spec: UnityCandidateSpec,
    fieldName = "filename",
    chunkBytes?: number,
): { body: Readable; contentType: string; length: number } {
    const boundary = "----unity-test-boundary-7f3a";
    const head = Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="note"\r\n\r\nhello\r\n` +
            `--${boundary}\r\nContent-Disposition: form-data; name="${fieldName}"; filename="Unity-${spec.version}.gpg"\r\nContent-Type: application/octet-stream\r\n\r\n`,
    );
    const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
    const { stream, sizeBytes } = unityCandidateStream(spec);
    async function* chunks(): AsyncGenerator<Buffer> {
        const all = async function* () {
            yield head;
            for await (const chunk of stream) yield chunk as Buffer;
            yield tail;
        };
        for await (const chunk of all()) {
            if (chunkBytes === undefined) yield chunk;
            else for (let at = 0; at < chunk.length; at += chunkBytes) yield chunk.subarray(at, at + chunkBytes);
        }
    }
    return {
        body: Readable.from(chunks(), { objectMode: false }),
        contentType: `multipart/form-data; boundary=${boundary}`,
        length: head.length + sizeBytes + tail.length,
    };
}

/** Fast task durations (ms) for tests. */
export const FAST_UNITY_TIMINGS = {
    prepareMs: 5,
    healthCheckMs: 5,
    preinstallMs: 5,
    primaryRebootMs: 150,
    peerRebootMs: 5,
    postMs: 5,
} as const;
