/**
 * Provider side of the upload benchmark: a process that does nothing but one vendor client's upload
 * path (the shared HTTP session with its login, then `uploadFile` streaming the file with SHA-256 in
 * the same pass, raw or multipart), so its peak RSS is what the provider process needs for an upload.
 *
 * Usage (started by `bench/upload.mts`): node bench/upload-worker.mts <riverbed|unity|avi> <endpoint> <file>
 * Credentials come from BENCH_USERNAME / BENCH_PASSWORD (kept off the command line).
 * Prints one JSON line: bytes, elapsedMs (request start → the device's answer, as `uploadFile`
 * measures it; the login is done before and not timed), cpuMs (user + system CPU of the process
 * during the upload), sha256, rssBeforeKiB, maxRssKiB.
 */
import { createRequire } from "node:module";
import type * as Avi from "../bin/provider/avi/client.js";
import type * as Env from "../bin/provider/core/env.js";
import type * as Riverbed from "../bin/provider/riverbed/client.js";
import type * as Unity from "../bin/provider/unity/client.js";
import type * as UnityAuth from "../bin/provider/unity/auth.js";

const require = createRequire(import.meta.url);

const [vendor, endpoint, file] = process.argv.slice(2);
if (!vendor || !endpoint || !file) {
    console.error("usage: node bench/upload-worker.mts <riverbed|unity|avi> <endpoint> <file>");
    process.exit(2);
}
const connection = { endpoint, username: process.env.BENCH_USERNAME ?? "admin", password: process.env.BENCH_PASSWORD ?? "admin" };

/** Logs in (untimed), then returns the timed upload and a way to close the client. */
async function prepare(): Promise<{ upload: () => Promise<{ bytes: number; elapsedMs: number; sha256: string }>; close: () => void }> {
    switch (vendor) {
        case "riverbed": {
            const { RiverbedClient } = require("../bin/provider/riverbed/client.js") as typeof Riverbed;
            const client = RiverbedClient.for(connection);
            await client.listImages();
            return { upload: () => client.uploadImage(file!), close: () => client.close() };
        }
        case "unity": {
            const { UnityClient } = require("../bin/provider/unity/client.js") as typeof Unity;
            const { UnityAuth: Auth } = require("../bin/provider/unity/auth.js") as typeof UnityAuth;
            const auth = new Auth(connection.username, connection.password);
            const client = new UnityClient(UnityClient.makeSession(connection, auth), auth);
            await client.candidates();
            return { upload: () => client.uploadCandidate(file!), close: () => client.close() };
        }
        case "avi": {
            const { AviClient } = require("../bin/provider/avi/client.js") as typeof Avi;
            const { handlerEnv } = require("../bin/provider/core/env.js") as typeof Env;
            const client = AviClient.for(connection, handlerEnv());
            await client.listImages();
            return { upload: () => client.uploadImage(file!), close: () => client.close() };
        }
        default:
            throw new Error(`unknown vendor ${vendor}`);
    }
}

const { upload, close } = await prepare();
const rssBeforeKiB = Math.round(process.memoryUsage().rss / 1024);
const cpuBefore = process.cpuUsage();
const r = await upload();
const cpu = process.cpuUsage(cpuBefore);
close();
process.stdout.write(
    JSON.stringify({
        bytes: r.bytes,
        elapsedMs: r.elapsedMs,
        cpuMs: (cpu.user + cpu.system) / 1000,
        sha256: r.sha256,
        rssBeforeKiB,
        maxRssKiB: process.resourceUsage().maxRSS,
    }) + "\n",
);
