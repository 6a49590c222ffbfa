/**
 * Provider side of the upload benchmark: a process that does nothing but the package's upload path
 * (`RiverbedClient.uploadImage`: the shared HTTP session, bearer login, `uploadFile` streaming the file
 * with SHA-256 in the same pass), so its peak RSS is what the provider process needs for an upload.
 *
 * Usage (started by `bench/upload.mts`): node bench/upload-worker.mts <endpoint> <file>
 * Credentials come from BENCH_USERNAME / BENCH_PASSWORD (kept off the command line).
 * Prints one JSON line: bytes, elapsedMs, sha256, imageId, deviceChecksum, rssBeforeKiB, maxRssKiB.
 */
import { createRequire } from "node:module";
import type { RiverbedClient as RiverbedClientType } from "../bin/provider/riverbed/client.js";

const require = createRequire(import.meta.url);
const { RiverbedClient } = require("../bin/provider/riverbed/client.js") as { RiverbedClient: typeof RiverbedClientType };

const [endpoint, file] = process.argv.slice(2);
if (!endpoint || !file) {
    console.error("usage: node bench/upload-worker.mts <endpoint> <file>");
    process.exit(2);
}
const client = RiverbedClient.for({
    endpoint,
    username: process.env.BENCH_USERNAME ?? "admin",
    password: process.env.BENCH_PASSWORD ?? "admin",
});
await client.listImages(); // log in first: the timed part is the upload alone
const rssBeforeKiB = Math.round(process.memoryUsage().rss / 1024);
const r = await client.uploadImage(file);
client.session.close();
process.stdout.write(
    JSON.stringify({
        bytes: r.bytes,
        elapsedMs: r.elapsedMs,
        sha256: r.sha256,
        imageId: r.image.id,
        deviceChecksum: r.image.checksum,
        rssBeforeKiB,
        maxRssKiB: process.resourceUsage().maxRSS,
    }) + "\n",
);
