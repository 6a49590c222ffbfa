import { Transform } from "node:stream";
import { riverbedImageStream, startRiverbedSimulator, type RiverbedSimulator } from "../../../simulators/riverbed";
import { http, imageSettled, login } from "./helpers";

const MiB = 1024 * 1024;

describe("Riverbed simulator: memory during a large upload", () => {
    let sim: RiverbedSimulator;
    beforeEach(async () => {
        sim = await startRiverbedSimulator({ timings: { validateMs: 1 } });
    });
    afterEach(() => sim.stop());

    it("keeps RSS flat while streaming a 512 MiB image generated on the fly", async () => {
        const token = (await login(sim)).access_token;
        const { stream, sizeBytes } = riverbedImageStream({ version: "11.7.0 #24010", sizeBytes: 512 * MiB });
        const baselineRss = process.memoryUsage().rss;
        let peakRss = baselineRss;
        let sinceLastSample = 0;
        // Sample RSS as data flows (every 8 MiB): coarse, but a buffered upload would add ≥ 512 MiB.
        const sampler = new Transform({
            transform(chunk: Buffer, _encoding, callback) {
                sinceLastSample += chunk.length;
                if (sinceLastSample >= 8 * MiB) {
                    sinceLastSample = 0;
                    peakRss = Math.max(peakRss, process.memoryUsage().rss);
                }
                callback(null, chunk);
            },
        });
        const reply = await http(`${sim.systemUpdateUrl}/images/upload`, {
            method: "POST",
            token,
            body: stream.pipe(sampler),
            headers: { "Content-Type": "application/octet-stream", "Content-Length": String(sizeBytes) },
        });
        peakRss = Math.max(peakRss, process.memoryUsage().rss);
        expect(reply.status).toBe(202);
        expect((await imageSettled(sim, reply.body.id)).state).toBe("VALID");
        const growthMiB = (peakRss - baselineRss) / MiB;
        console.log(`simulator upload of 512 MiB: peak RSS growth ${growthMiB.toFixed(1)} MiB`);
        expect(growthMiB).toBeLessThan(200);
    }, 120_000);
});
