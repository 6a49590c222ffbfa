/**
 * The upload paths `bench/upload.mts` measures, one per vendor that has one: how to start the vendor's
 * simulator, generate an image it accepts, log in and build the equivalent `curl` request, and read
 * back what the simulator received (bytes and SHA-256) to check both uploaders.
 *
 * Vendors without an upload path in the package are listed in {@link NO_UPLOAD_PATH}, with the reason.
 */
import { stat } from "node:fs/promises";
import { createRequire } from "node:module";
import type * as Simulators from "../bin/simulators/index.js";
import type * as Upload from "../bin/provider/core/upload.js";

const require = createRequire(import.meta.url);
const sims = require("../bin/simulators/index.js") as typeof Simulators;
const { sha256File } = require("../bin/provider/core/upload.js") as typeof Upload;

export const USERNAME = "bench";
export const PASSWORD = "bench-Upload-pw";

export type UploadVendor = "riverbed" | "unity" | "avi";
export const UPLOAD_VENDORS: readonly UploadVendor[] = ["riverbed", "unity", "avi"];

/** Vendors of the package that upload nothing, and why (printed under the table). */
export const NO_UPLOAD_PATH: Readonly<Record<string, string>> = {
    appgate: "no upload path: the appliance downloads the image itself from `imageUrl` (http(s) or controller://)",
    avisi: "no upload path: the cloud service holds the releases; the resource only schedules the upgrade",
};

/** A generated image on disk. */
export interface ImageFile {
    path: string;
    sizeBytes: number;
    sha256: string;
}

/** What the simulator recorded for the last upload. */
export interface Received {
    bytes: number;
    sha256: string;
}

/** One vendor's upload endpoint on a running simulator. */
export interface UploadTarget {
    vendor: UploadVendor;
    kind: "raw" | "multipart";
    /** The request, for the table's footnotes. */
    request: string;
    url: string;
    /** Writes an image of about `sizeBytes` the simulator accepts. */
    makeImage(path: string, sizeBytes: number, variant: number): Promise<ImageFile>;
    /** Logs in (not timed) and returns curl's arguments for the equivalent request (without `-sS -o -w`). */
    curlArgs(file: string): Promise<string[]>;
    /** HTTP status of a successful upload. */
    okStatus: number;
    /** The file as the simulator received it in the last upload. */
    received(): Received | undefined;
    stop(): Promise<void>;
}

/** Starts `vendor`'s simulator and describes its upload endpoint. */
export async function startTarget(vendor: UploadVendor): Promise<UploadTarget> {
    switch (vendor) {
        case "riverbed":
            return riverbed();
        case "unity":
            return unity();
        case "avi":
            return avi();
    }
}

async function riverbed(): Promise<UploadTarget> {
    const sim = await sims.startRiverbedSimulator({
        username: USERNAME,
        password: PASSWORD,
        transferIdleTimeoutMs: 600_000,
        timings: { validateMs: 10 },
    });
    const path = "/api/npm.system_update/2.0/images/upload";
    return {
        vendor: "riverbed",
        kind: "raw",
        request: `POST ${path}, raw body (curl -T, -X POST)`,
        url: sim.url,
        async makeImage(file, sizeBytes, variant) {
            const image = await sims.makeRiverbedImage({ version: `11.7.${variant} #2401${variant}`, sizeBytes, path: file });
            return { path: image.path, sizeBytes: image.sizeBytes, sha256: image.sha256 };
        },
        async curlArgs(file) {
            const res = await fetch(`${sim.url}/api/mgmt.aaa/1.0/token`, {
                method: "POST",
                headers: { "content-type": "application/json" },
                body: JSON.stringify({ user_credentials: { username: USERNAME, password: PASSWORD }, generate_refresh_token: false }),
            });
            if (res.status !== 201) throw new Error(`riverbed login failed: HTTP ${res.status} ${await res.text()}`);
            const { access_token } = (await res.json()) as { access_token: string };
            return [
                ...["-X", "POST", "-T", file],
                ...["-H", "Content-Type: application/octet-stream", "-H", `Authorization: Bearer ${access_token}`],
                `${sim.url}${path}`,
            ];
        },
        okStatus: 202,
        received() {
            const last = sim.images().reduce<{ id: number; checksum: string } | undefined>((a, b) => (a && a.id > b.id ? a : b), undefined);
            return last && /^[0-9a-f]{64}$/.test(last.checksum) ? { bytes: -1, sha256: last.checksum } : undefined;
        },
        stop: () => sim.stop(),
    };
}

async function unity(): Promise<UploadTarget> {
    const sim = await sims.startUnitySimulator({ username: USERNAME, password: PASSWORD, version: "5.2.1.0.5.011" });
    const path = "/upload/files/types/candidateSoftwareVersion";
    return {
        vendor: "unity",
        kind: "multipart",
        request: `POST ${path}, multipart field \`filename\` (curl -F)`,
        url: sim.url,
        async makeImage(file, sizeBytes, variant) {
            const candidate = await sims.makeUnityCandidate({ version: `5.3.0.0.5.12${variant}`, sizeBytes, path: file });
            return { path: candidate.path, sizeBytes: candidate.sizeBytes, sha256: candidate.sha256 };
        },
        async curlArgs(file) {
            // A Basic-authenticated GET starts a login: the cookie and the CSRF token every POST needs.
            const res = await fetch(`${sim.url}/api/types/candidateSoftwareVersion/instances`, {
                headers: {
                    authorization: `Basic ${Buffer.from(`${USERNAME}:${PASSWORD}`).toString("base64")}`,
                    "x-emc-rest-client": "true",
                },
            });
            const csrf = res.headers.get("emc-csrf-token");
            await res.arrayBuffer();
            if (res.status !== 200 || !csrf) throw new Error(`unity login failed: HTTP ${res.status}`);
            return [
                ...["-F", `filename=@${file};type=application/octet-stream`],
                ...["-H", "X-EMC-REST-CLIENT: true", "-H", `EMC-CSRF-TOKEN: ${csrf}`, "-H", `Cookie: ${cookieHeader(res)}`],
                `${sim.url}${path}`,
            ];
        },
        okStatus: 200,
        received: () => sim.candidate && { bytes: sim.candidate.bytes, sha256: sim.candidate.sha256 },
        stop: () => sim.stop(),
    };
}

async function avi(): Promise<UploadTarget> {
    const sim = await sims.startAviSimulator({ username: USERNAME, password: PASSWORD });
    return {
        vendor: "avi",
        kind: "multipart",
        request: "POST /api/image, multipart field `file` (curl -F)",
        url: sim.url,
        async makeImage(file, sizeBytes, variant) {
            // The tar framing adds 3.5 KiB around the payload; close enough to the asked size.
            await sims.makeAviPackage(file, { version: "22.1.6", buildNo: 9000 + variant, payloadBytes: Math.max(1, sizeBytes - 3584) });
            return { path: file, sizeBytes: (await stat(file)).size, sha256: await sha256File(file) };
        },
        async curlArgs(file) {
            const res = await fetch(`${sim.url}/login`, {
                method: "POST",
                headers: { "content-type": "application/json" },
                body: JSON.stringify({ username: USERNAME, password: PASSWORD }),
            });
            const login = (await res.json()) as { version?: { Version?: string } };
            const csrf = /(?:^|;\s*)csrftoken=([^;]+)/.exec(cookieHeader(res))?.[1];
            if (res.status !== 200 || !csrf) throw new Error(`avi login failed: HTTP ${res.status}`);
            return [
                ...["-F", `file=@${file};type=application/octet-stream`],
                ...["-H", `Cookie: ${cookieHeader(res)}`, "-H", `X-CSRFToken: ${csrf}`, "-H", `Referer: ${sim.url}/`],
                ...["-H", `X-Avi-Version: ${login.version?.Version ?? "22.1.3"}`],
                `${sim.url}/api/image`,
            ];
        },
        okStatus: 201,
        received() {
            const images = (sim.state().images ?? []) as Array<{ bytes: number; sha256: string }>;
            const last = images.at(-1);
            return last && { bytes: last.bytes, sha256: last.sha256 };
        },
        stop: () => sim.stop(),
    };
}

/** `name=value; …` of every cookie a response set. */
function cookieHeader(res: Response): string {
    return res.headers
        .getSetCookie()
        .map((c) => c.split(";", 1)[0])
        .join("; ");
}
