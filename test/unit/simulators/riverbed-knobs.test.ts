/**
 * The Riverbed simulator's knobs for facts the reference leaves open: upload and fetch replies
 * with only the image id, tokens that survive a reboot, and their validation.
 */
import { startRiverbedSimulator, type RiverbedSimulator } from "../../../simulators/riverbed";
import { eventually, FAST_TIMINGS, http, login, uploadImage } from "./helpers";

let sim: RiverbedSimulator;
afterEach(() => sim?.stop());

it("uploadReply id-only answers the upload with {id} only; the image itself is complete behind it", async () => {
    sim = await startRiverbedSimulator({ timings: FAST_TIMINGS, uploadReply: "id-only" });
    const { access_token } = await login(sim);
    const reply = await uploadImage(sim, access_token, { version: "11.7.0 #24010", sizeBytes: 4096 });
    expect(reply.status).toBe(202);
    expect(reply.body).toEqual({ id: 1 });
    const image = await http(`${sim.systemUpdateUrl}/images/items/1`, { token: access_token });
    expect(image.body).toMatchObject({
        id: 1,
        state: expect.stringMatching(/^(VALIDATING|VALID)$/),
        checksum: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
});

it("the default upload reply is the whole image object, and the knob can be flipped at run time", async () => {
    sim = await startRiverbedSimulator({ timings: FAST_TIMINGS });
    const { access_token } = await login(sim);
    const full = await uploadImage(sim, access_token, { version: "11.7.0 #24010", sizeBytes: 4096 });
    expect(full.body).toMatchObject({ id: 1, state: "VALIDATING", progress: 100 });
    const patched = await http(`${sim.url}/__sim/settings`, { method: "PATCH", json: { uploadReply: "id-only" } });
    expect(patched.status).toBe(200);
    const idOnly = await uploadImage(sim, access_token, { version: "11.7.0 #24010", sizeBytes: 4096 });
    expect(idOnly.body).toEqual({ id: 2 });
    expect(() => sim.configure({ uploadReply: "nothing" as never })).toThrow('[uploadReply] must be "image" or "id-only"');
});

it("tokensSurviveReboot keeps access tokens valid across a reboot (default: dropped)", async () => {
    for (const survive of [false, true]) {
        sim = await startRiverbedSimulator({ timings: FAST_TIMINGS, tokensSurviveReboot: survive });
        const { access_token } = await login(sim);
        await sim.reboot(50);
        await sim.whenOnline();
        const after = await eventually(async () =>
            sim.online ? http(`${sim.systemUpdateUrl}/update`, { token: access_token }) : undefined,
        );
        expect(after.status).toBe(survive ? 200 : 401);
        await sim.stop();
    }
});
