/**
 * The Appgate simulator's knobs for facts the reference leaves open: idle for N status reads after
 * a prepare whatever the change record says, when the prepare's change completes, 409 or 412 for a
 * busy prepare, plain-text 502s for every request about a rebooting appliance, generic change
 * failure texts, and tokens across the controller's reboot.
 */
import { startAppgateSimulator, type AppgateSimulator } from "../../../simulators/appgate";
import { adminClient, eventually, FAST } from "./helpers";

const IMAGE = "6.4.1+40123";
let sim: AppgateSimulator;
afterEach(() => sim?.stop());

it("idleAfterPrepareReads answers idle for N reads although the appliance is ready and the change completed", async () => {
    sim = await startAppgateSimulator({ timings: FAST, idleAfterPrepareReads: 3, prepareChangeCompletes: "accepted" });
    const admin = await adminClient(sim);
    const id = sim.appliance("gateway-1").id;
    const accepted = await admin.prepare(id, sim.imageUrl(IMAGE));
    expect(accepted.status).toBe(202);
    expect(await admin.change(id, accepted.body.id)).toMatchObject({ status: "completed", result: "success" });
    await eventually(() => (sim.appliance("gateway-1").upgrade.status === "ready" ? true : undefined));
    const reads = [await admin.upgrade(id), await admin.upgrade(id), await admin.upgrade(id), await admin.upgrade(id)].map((u) => u.status);
    expect(reads).toEqual(["idle", "idle", "idle", "ready"]);
    expect(sim.appliance("gateway-1").raceReads).toBe(3);
    // The real status decides preconditions: a second prepare is refused while it reads idle.
    const again = await admin.prepare(id, sim.imageUrl(IMAGE));
    expect(again.status).toBe(412);
    expect(again.body.message).toContain("its upgrade status is 'ready'");
});

it("busyPrepareStatus 409 refuses a prepare on a busy appliance with 409 instead of 412", async () => {
    sim = await startAppgateSimulator({ timings: FAST, busyPrepareStatus: 409 });
    const admin = await adminClient(sim);
    const id = sim.appliance("gateway-1").id;
    await admin.prepare(id, sim.imageUrl(IMAGE));
    await eventually(() => (sim.appliance("gateway-1").upgrade.status === "ready" ? true : undefined));
    const busy = await admin.prepare(id, sim.imageUrl(IMAGE));
    expect(busy.status).toBe(409);
    expect(busy.body).toMatchObject({ id: "conflict" });
});

it("prepareChangeCompletes ready with generic change texts: the change fails with a generic text, the status holds the reason", async () => {
    sim = await startAppgateSimulator({ timings: FAST, prepareChangeCompletes: "ready", changeFailureDetails: "generic" });
    const admin = await adminClient(sim);
    const id = sim.appliance("gateway-1").id;
    const accepted = await admin.prepare(id, sim.imageUrl("appgate-6.4.1-40123-release-corrupt.img.zip"));
    expect(await admin.change(id, accepted.body.id)).toMatchObject({ status: "running" });
    await eventually(() => (sim.appliance("gateway-1").upgrade.status === "failed" ? true : undefined));
    expect(await admin.change(id, accepted.body.id)).toEqual({
        id: accepted.body.id,
        status: "completed",
        result: "failure",
        details: "The prepare job failed.",
    });
    expect((await admin.upgrade(id)).details).toContain("image signature verification failed");
});

it("rebootingApplianceReplies plain-502-every-call answers a plain-text Bad Gateway for every request about a rebooting appliance", async () => {
    sim = await startAppgateSimulator({ timings: { ...FAST, rebootMs: 1_000 }, rebootingApplianceReplies: "plain-502-every-call" });
    const admin = await adminClient(sim);
    const id = sim.appliance("gateway-1").id;
    await admin.prepare(id, sim.imageUrl(IMAGE));
    await eventually(() => (sim.appliance("gateway-1").upgrade.status === "ready" ? true : undefined));
    const completed = await admin.complete(id, true);
    await eventually(() => (sim.appliance("gateway-1").online ? undefined : true));
    for (const path of [`/appliances/${id}`, `/appliances/${id}/upgrade`, `/appliances/${id}/change/${completed.body.id}`]) {
        const answer = await admin.call(path);
        expect([answer.status, answer.headers["content-type"], answer.text]).toEqual([502, "text/plain", "Bad Gateway"]);
    }
    // The status list is not about one appliance: it still answers, with the appliance offline.
    const list = await admin.call("/appliances/status");
    expect(list.status).toBe(200);
    expect(list.body.data.find((e: { id: string }) => e.id === id)).toMatchObject({ online: false, status: "offline" });
    // Another appliance is unaffected.
    expect((await admin.call(`/appliances/${sim.appliance("gateway-2").id}`)).status).toBe(200);
});

it("the default answers a JSON 502 for upgrade calls about a rebooting appliance and still reads the appliance object", async () => {
    sim = await startAppgateSimulator({ timings: { ...FAST, rebootMs: 1_000 } });
    const admin = await adminClient(sim);
    const id = sim.appliance("gateway-1").id;
    await admin.prepare(id, sim.imageUrl(IMAGE));
    await eventually(() => (sim.appliance("gateway-1").upgrade.status === "ready" ? true : undefined));
    await admin.complete(id, true);
    await eventually(() => (sim.appliance("gateway-1").online ? undefined : true));
    expect((await admin.call(`/appliances/${id}`)).status).toBe(200);
    const upgrade = await admin.call(`/appliances/${id}/upgrade`);
    expect([upgrade.status, upgrade.body.id]).toEqual([502, "bad gateway"]);
});

it("validates the knobs by name", async () => {
    await expect(startAppgateSimulator({ idleAfterPrepareReads: -1 })).rejects.toThrow(
        "[idleAfterPrepareReads] must be a non-negative integer",
    );
    await expect(startAppgateSimulator({ busyPrepareStatus: 400 as never })).rejects.toThrow("[busyPrepareStatus] must be one of 409, 412");
    await expect(startAppgateSimulator({ rebootingApplianceReplies: "html" as never })).rejects.toThrow(
        "[rebootingApplianceReplies] must be one of",
    );
});
