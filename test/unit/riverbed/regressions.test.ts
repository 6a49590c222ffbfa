/**
 * Riverbed resources against a simulator that takes the other side of what the reference leaves
 * open (issue 10): upload and fetch replies that carry only `{"id": N}`, and refreshes during a
 * burst of consecutive 5xx, ridden out within a bound.
 */
import { createReadStream } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { FakeClock } from "../../../provider/core/clock";
import type { ResourceHandler } from "../../../provider/core/dynamic";
import { handlerEnv, type HandlerEnv } from "../../../provider/core/env";
import { systemUpdateHandler, type UpdateInputs, type UpdateOutputs } from "../../../provider/riverbed/system-update-handler";
import { upgradeImageHandler, type ImageInputs, type ImageOutputs } from "../../../provider/riverbed/upgrade-image-handler";
import { ManualClock } from "../../../simulators/core";
import type { RiverbedSimulator, RiverbedSimulatorOptions } from "../../../simulators/riverbed";
import { captureLogs, connectionFor, imageDir, startSim } from "./helpers";

let env: HandlerEnv;
let image: ResourceHandler<ImageInputs, ImageOutputs>;
let update: ResourceHandler<UpdateInputs, UpdateOutputs>;

/** A simulator on a manual clock, driven by the handlers' fake clock (no wall-clock waits). */
async function startOnFakeClock(options: RiverbedSimulatorOptions = {}): Promise<RiverbedSimulator> {
    const simClock = new ManualClock();
    env = handlerEnv(new FakeClock(simClock.now(), (ms) => simClock.advance(ms)));
    image = upgradeImageHandler(env);
    update = systemUpdateHandler(env);
    return startSim({ ...options, clock: simClock });
}

let sim: RiverbedSimulator;
let images: Awaited<ReturnType<typeof imageDir>>;
let logs: ReturnType<typeof captureLogs>;

beforeAll(async () => {
    images = await imageDir();
});
afterAll(() => images.cleanup());
beforeEach(() => {
    logs = captureLogs();
});
afterEach(async () => {
    logs.restore();
    env?.clients.close();
    await sim?.stop();
});

const inputs = (extra: Partial<ImageInputs>): ImageInputs => ({
    __logName: "img",
    connection: connectionFor(sim),
    pollIntervalSeconds: 0.05,
    ...extra,
});

describe("upload and fetch replies with only the image id", () => {
    it("an upload answered with {id} reads the image by id and validates it", async () => {
        sim = await startOnFakeClock({ uploadReply: "id-only" });
        const file = await images.make("11.7.0 #24010");
        const { id, outs } = await image.create(inputs({ file: file.path, expectedSha256: file.sha256 }));
        expect(id).toBe("1");
        expect(outs).toMatchObject({ version: "11.7.0 #24010", checksum: file.sha256, state: "VALID", adopted: false });
        expect(sim.calls.snapshot()["images.get"]!.byStatus["200"]).toBeGreaterThan(0);
        expect(sim.images()).toEqual([expect.objectContaining({ id: 1, state: "VALID" })]);
    });

    it("a fetch answered with {id} is followed the same way", async () => {
        sim = await startOnFakeClock({ uploadReply: "id-only" });
        const file = await images.make("11.8.0 #25000", { sizeBytes: 256 * 1024 });
        const origin: Server = createServer((_req, res) => {
            res.writeHead(200, { "content-length": String(file.sizeBytes) });
            createReadStream(file.path).pipe(res);
        });
        await new Promise<void>((r) => origin.listen(0, "127.0.0.1", r));
        try {
            const url = `http://127.0.0.1:${(origin.address() as AddressInfo).port}/appresponse.img`;
            const { outs } = await image.create(inputs({ url, expectedSha256: file.sha256 }));
            expect(outs).toMatchObject({ version: "11.8.0 #25000", checksum: file.sha256, state: "VALID" });
        } finally {
            origin.closeAllConnections();
            await new Promise((r) => origin.close(r));
        }
    });
});

describe("refresh during a burst of consecutive 5xx", () => {
    it("UpgradeImage read rides out 8 consecutive 503s (more than the session's own retries)", async () => {
        sim = await startOnFakeClock();
        const file = await images.make("11.7.0 #24010");
        const { id, outs } = await image.create(inputs({ file: file.path }));
        sim.faults.failNext(8, 503, "images.get");
        const read = await image.read!(id, outs as ImageOutputs);
        expect(read).toMatchObject({ id, props: { state: "VALID", version: "11.7.0 #24010" } });
        expect(sim.calls.snapshot()["images.get"]!.byStatus["503"]).toBe(8);
    }, 60_000);

    it("the ride is bounded: a device that keeps answering 503 keeps the last known state, with a warning naming the device", async () => {
        sim = await startOnFakeClock();
        const file = await images.make("11.7.0 #24010");
        const { id, outs } = await image.create(inputs({ file: file.path, waitTimeoutSeconds: 1 }));
        sim.faults.add({ kind: "error", status: 503, count: "unlimited", operation: "images.get" });
        const logs = captureLogs();
        try {
            const read = await image.read!(id, outs as ImageOutputs);
            expect(read.props).toEqual(outs);
            expect(read.id).toBe(id);
            expect(logs.lines.at(-1)).toMatch(
                new RegExp(
                    `warning: riverbed device ${sim.url} image 1 stayed unreachable for 1\\.0s \\(.*503.*\\); keeping the last known state`,
                ),
            );
        } finally {
            logs.restore();
        }
    }, 60_000);

    it("SystemUpdate read rides out 8 consecutive 503s", async () => {
        sim = await startOnFakeClock({ version: "11.7.0 #24010" });
        const props = {
            connection: connectionFor(sim),
            imageId: "1",
            targetVersion: "11.7.0 #24010",
            pollIntervalSeconds: 0.05,
            installedVersion: "11.7.0 #24010",
            previousVersion: "11.6.0 #23947",
            state: "IDLE",
            stateDescription: "",
            installedAt: "",
        } as UpdateOutputs;
        sim.faults.failNext(8, 503, "update.get");
        const read = await update.read!(sim.url, props);
        expect(read.props).toMatchObject({ installedVersion: "11.7.0 #24010", previousVersion: "11.6.0 #23947", state: "IDLE" });
        expect(sim.calls.snapshot()["update.get"]!.byStatus["503"]).toBe(8);
    }, 60_000);
});
