/**
 * Helpers for the Avi simulator tests: a raw cookie/CSRF client over node:http (no pooling), a
 * multipart body builder, fast timings and bounded polling.
 */
import { readFile } from "node:fs/promises";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { AviSimulator, AviTimings } from "../../../simulators/avi";
import { makeAviPackage, type AviPackageSpec } from "../../../simulators/avi";
import { http, type HttpOptions, type HttpResult } from "../simulators/helpers";

export { eventually, http, httpOrErrorCode } from "../simulators/helpers";

/** Phase durations for unit tests (ms): every phase observable, the reboot long enough to see. */
export const FAST_AVI: AviTimings = {
    imageProcessMs: 10,
    precheckMs: 10,
    controllerTaskMs: 10,
    rebootMs: 200,
    warmupMs: 50,
    seGroupTaskMs: 10,
    rollbackMs: 20,
};

/** A logged-in raw client: keeps cookies, echoes the CSRF token, sends Referer and X-Avi-Version. */
export async function aviClient(sim: AviSimulator, apiVersion = "22.1.6") {
    const cookies = new Map<string, string>();
    const capture = (result: HttpResult) => {
        const raw = result.headers["set-cookie"] ?? [];
        for (const line of raw) {
            const [pair] = line.split(";");
            const eq = pair!.indexOf("=");
            cookies.set(pair!.slice(0, eq), pair!.slice(eq + 1));
        }
    };
    const login = async () => {
        const result = await http(`${sim.url}/login`, { method: "POST", json: { username: sim.username, password: sim.password } });
        if (result.status !== 200) throw new Error(`login failed: ${result.status} ${result.text}`);
        capture(result);
        return result;
    };
    const loginResult = await login();
    const headers = (extra: Record<string, string> = {}) => ({
        Cookie: [...cookies].map(([k, v]) => `${k}=${v}`).join("; "),
        "X-CSRFToken": cookies.get("csrftoken") ?? "",
        Referer: sim.url,
        "X-Avi-Version": apiVersion,
        ...extra,
    });
    const call = async (path: string, options: HttpOptions = {}): Promise<HttpResult> => {
        const result = await http(`${sim.url}${path}`, { ...options, headers: headers(options.headers as Record<string, string>) });
        capture(result);
        return result;
    };
    return { login, loginResult, call, cookies, headers };
}

/** A multipart body with the file in field `file`. */
export function multipartBody(file: Buffer, fileName = "controller.pkg", field = "file"): { body: Buffer; contentType: string } {
    const boundary = "----avi-test-boundary";
    const head = Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="${field}"; filename="${fileName}"\r\nContent-Type: application/octet-stream\r\n\r\n`,
    );
    const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
    return { body: Buffer.concat([head, file, tail]), contentType: `multipart/form-data; boundary=${boundary}` };
}

/** Write a package into a fresh temp dir and return its path and bytes. */
export async function packageFile(spec: AviPackageSpec): Promise<{ path: string; bytes: Buffer; tag: string }> {
    const dir = await mkdtemp(join(tmpdir(), "avi-pkg-"));
    const path = join(dir, "controller.pkg");
    const info = await makeAviPackage(path, { payloadBytes: 64 * 1024, ...spec });
    return { path, bytes: await readFile(path), tag: info.tag };
}
