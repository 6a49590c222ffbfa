/**
 * The Riverbed wire client against the simulator: token login/refresh/re-login, image calls
 * (upload streamed and hashed, fetch, get, delete), update actions and the vendor's error bodies.
 */
import { createReadStream } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { VendorApiError } from "../../../provider/core/errors";
import { grantFrom, newestEntry, parseRiverbedError, RiverbedClient } from "../../../provider/riverbed/client";
import type { RiverbedSimulator } from "../../../simulators/riverbed";
import { eventually } from "../simulators/helpers";
import { closeSessions, connectionFor, imageDir, PASSWORD, rejection, startSim, USERNAME } from "./helpers";

let sim: RiverbedSimulator;
let images: Awaited<ReturnType<typeof imageDir>>;

beforeAll(async () => {
    images = await imageDir();
});
afterAll(() => images.cleanup());
beforeEach(async () => {
    sim = await startSim();
});
afterEach(async () => {
    closeSessions();
    await sim.stop();
});

const client = () => RiverbedClient.for(connectionFor(sim));

describe("tokens", () => {
    it("logs in once and shares the session between clients of the same device", async () => {
        await client().listImages();
        await client().getUpdate();
        await client().listImages();
        expect(sim.calls.succeeded("auth.token")).toBe(1);
        expect(client().session).toBe(client().session);
        expect(client().auth.logins).toBe(1);
    });

    it("refreshes an expired access token with the refresh token, without a new login", async () => {
        const c = client();
        await c.getUpdate();
        sim.expireAccessTokens();
        expect((await c.getUpdate()).state).toBe("IDLE");
        expect(c.auth.logins).toBe(1);
        expect(c.auth.refreshes).toBe(1);
        expect(sim.calls.snapshot()["update.get"]!.byStatus["401"]).toBe(1);
    });

    it("logs in again after a reboot dropped every token", async () => {
        const c = client();
        await c.getUpdate();
        await sim.reboot(100);
        await sim.whenOnline();
        expect((await c.getUpdate()).state).toBe("IDLE");
        expect(c.auth.logins).toBe(2);
    });

    it("renews a short-lived token before it expires instead of waiting for a 401", async () => {
        const now = 1_800_000_000_000;
        const g = grantFrom({ access_token: "a", refresh_token: "r", expires_at: now / 1000 + 3 }, now);
        expect(g.expiresAt).toBe(now + 3_000 - 600); // a fifth of the lifetime early
        expect(grantFrom({ access_token: "a", expires_at: now / 1000 + 900 }, now).expiresAt).toBe(now + 900_000 - 30_000);
    });

    it("accepts expires_at as a lifetime (the vendor's example), expires_in, or nothing", () => {
        const now = 1_800_000_000_000;
        expect(grantFrom({ access_token: "a", expires_at: 900 }, now).expiresAt).toBe(now + 870_000);
        expect(grantFrom({ access_token: "a", expires_in: 60 }, now).expiresAt).toBe(now + 48_000);
        expect(grantFrom({ access_token: "a" }, now).expiresAt).toBe(now + 870_000);
        // A device clock far behind ours: the token would look expired; the 15-minute default applies.
        expect(grantFrom({ access_token: "a", expires_at: now / 1000 - 3600 }, now).expiresAt).toBe(now + 870_000);
    });

    it("a wrong password fails with the device's words and never shows the password", async () => {
        const bad = RiverbedClient.for({ endpoint: sim.url, username: USERNAME, password: "Wrong-pw-123" });
        const err = await rejection(bad.listImages());
        expect(err).toBeInstanceOf(VendorApiError);
        expect((err as Error).message).toContain(`on ${sim.url}: 401 (AUTH_INVALID_CREDENTIALS) Invalid username or password.`);
        expect((err as Error).message).not.toContain("Wrong-pw-123");
        expect((err as Error).message).not.toContain(PASSWORD);
    });
});

describe("images", () => {
    it("streams a file up, hashing it in the same pass; the device reports the same checksum", async () => {
        const file = await images.make("11.7.0 #24010", { sizeBytes: 3 * 1024 * 1024 + 17 });
        const progress: number[] = [];
        const up = await client().uploadImage(file.path, (p) => progress.push(p.percent));
        expect(up.sha256).toBe(file.sha256);
        expect(up.bytes).toBe(file.sizeBytes);
        expect(up.imageId).toEqual(expect.any(Number));
        expect((await client().getImage(up.imageId))!.checksum).toBe(file.sha256);
        expect(progress[progress.length - 1]).toBe(100);
        const valid = await eventually(async () => {
            const i = await client().getImage(up.imageId);
            return i?.state === "VALID" ? i : undefined;
        });
        expect(valid.version).toBe("11.7.0 #24010");
        expect((await client().listImages()).map((i) => i.id)).toEqual([up.imageId]);
    });

    it("an upload the device breaks off fails as a transient error naming the device", async () => {
        const file = await images.make("11.7.0 #24010", { sizeBytes: 8 * 1024 * 1024, name: "broken.img" });
        sim.injectImageFailure("UPLOAD_ERROR");
        const err = await rejection(client().uploadImage(file.path));
        expect(err).toBeInstanceOf(VendorApiError);
        expect(err).toMatchObject({ transient: true, endpoint: sim.url, path: "/api/npm.system_update/2.0/images/upload" });
        expect(sim.images()).toEqual([expect.objectContaining({ state: "UPLOAD_ERROR" })]);
    });

    it("reads N/A placeholders, 404 as absent, and deletes (a second delete reports already gone)", async () => {
        const file = await images.make("11.7.0 #24010");
        const { imageId } = await client().uploadImage(file.path);
        expect(await client().getImage(999)).toBeUndefined();
        expect(await client().deleteImage(imageId)).toBe(true);
        expect(await client().deleteImage(imageId)).toBe(false);
        expect(await client().listImages()).toEqual([]);
    });

    it("asks the device to fetch a URL; the image goes UPLOADING → VALID", async () => {
        const file = await images.make("11.8.0 #25000", { sizeBytes: 512 * 1024 });
        const origin: Server = createServer((req, res) => {
            res.writeHead(200, { "content-length": String(file.sizeBytes) });
            createReadStream(file.path).pipe(res);
        });
        await new Promise<void>((r) => origin.listen(0, "127.0.0.1", r));
        try {
            const url = `http://127.0.0.1:${(origin.address() as AddressInfo).port}/appresponse.img`;
            const imageId = await client().fetchImage(url);
            expect((await client().getImage(imageId))!.state).toMatch(/^(UPLOADING|VALIDATING|VALID)$/);
            const valid = await eventually(async () => {
                const i = await client().getImage(imageId);
                return i?.state === "VALID" ? i : undefined;
            });
            expect(valid).toMatchObject({ version: "11.8.0 #25000", checksum: file.sha256 });
        } finally {
            origin.closeAllConnections();
            await new Promise((r) => origin.close(r));
        }
    });
});

describe("update actions", () => {
    it("wrong-state calls fail with the device's error_id and error_text", async () => {
        const init = await rejection(client().initUpdate());
        expect(init).toBeInstanceOf(VendorApiError);
        expect(init).toMatchObject({ status: 400, code: "NO_VALID_IMAGE" });
        expect((init as Error).message).toContain("no VALID update image is present");
        const start = await rejection(client().startUpdate());
        expect(start).toMatchObject({ status: 400, code: "INVALID_STATE" });
    });

    it("start is never retried after the device answered (a 503 is reported, not repeated)", async () => {
        const file = await images.make("11.7.0 #24010");
        const { imageId } = await client().uploadImage(file.path);
        await eventually(async () => ((await client().getImage(imageId))?.state === "VALID" ? true : undefined));
        await client().initUpdate();
        await eventually(async () => ((await client().getUpdate()).state === "INITIALIZED" ? true : undefined));
        sim.faults.failNext(1, 503, "update.start");
        const err = await rejection(client().startUpdate());
        expect(err).toMatchObject({ status: 503 });
        expect(sim.calls.received("update.start")).toBe(1);
    });

    it("reads the installed version from the newest update_history entry", async () => {
        const update = await client().getUpdate();
        expect(newestEntry(update)?.version).toBe("11.6.0 #23947");
        expect(
            newestEntry({
                ...update,
                update_history: [
                    { time: 5, version: "b" },
                    { time: 9, version: "c" },
                    { time: 1, version: "a" },
                ],
            })?.version,
        ).toBe("c");
    });
});

test("error bodies: JSON and XML forms", () => {
    expect(parseRiverbedError({ error_id: "X", error_text: "why" }, "")).toEqual({ code: "X", message: "why" });
    expect(parseRiverbedError(undefined, '<error error_id="AUTH_REQUIRED" error_text="Login first"/>')).toEqual({
        code: "AUTH_REQUIRED",
        message: "Login first",
    });
});
