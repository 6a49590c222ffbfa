/**
 * Regressions of issue 10 for `appgate.ApplianceUpgrade`, through the real CLI against a simulator
 * that takes the other side of what the reference leaves open:
 * 1. the idle race after prepare: every appliance keeps reading `idle` for several status reads
 *    while the prepare's change record already reads completed. A fleet of six (a controller and
 *    five gateways) converges in ONE `up`, with exactly one prepare per appliance.
 * 2. resume during a reboot: `pulumi up` is killed (kill -9, with its providers) while a gateway
 *    reboots into the new version, and every request about the rebooting gateway is answered with a
 *    plain-text 502. The next `up` looks the gateway up through the reboot, adopts the finished
 *    upgrade and reports the old version as previousVersion; nothing is prepared or completed twice.
 */
import { join } from "node:path";
import { startAppgateSimulator, type AppgateSimulator } from "../../simulators/appgate";
import { TestStack } from "./harness";
import { killPulumiTree } from "./process-tree";

const PASSWORD = "pw-Appgate-regress-5e2a";
const FROM = "6.3.2+36260";
const TARGET = "6.4.1+40123";
const GATEWAYS = ["gateway-1", "gateway-2", "gateway-3", "gateway-4", "gateway-5"];

describe("the idle race after prepare", () => {
    let sim: AppgateSimulator;
    let stack: TestStack;

    beforeAll(async () => {
        sim = await startAppgateSimulator({
            password: PASSWORD,
            appliances: [
                { name: "controller-1", role: "controller", site: "Site A" },
                ...GATEWAYS.map((name, i) => ({ name, site: i % 2 ? "Site B" : "Site A" })),
            ],
            idleAfterPrepareReads: 4, // idle for the first status reads after each prepare ...
            prepareChangeCompletes: "accepted", // ... while the change record already reads completed
            timings: { idleAfterPrepareMs: 0, startMs: 50, downloadMs: 300, verifyMs: 100, installMs: 400, rebootMs: 1_500, cancelMs: 100 },
        });
        const appliances = [
            { name: "controller-1", id: sim.appliance("controller-1").id, stage: "complete" },
            ...GATEWAYS.map((name) => ({ name, id: sim.appliance(name).id, stage: "complete", after: "controller-1" })),
        ];
        stack = await TestStack.create(join(__dirname, "programs/appgate"), {
            config: {
                "appgate:endpoint": sim.url,
                "appgate:username": "admin",
                imageUrl: sim.imageUrl(TARGET),
                appliances: JSON.stringify(appliances),
            },
            secrets: { appgatePassword: PASSWORD },
        });
    });

    afterAll(async () => {
        await stack?.dispose();
        await sim?.stop();
    });

    test("the fleet of six converges in one up, each appliance prepared and completed exactly once", async () => {
        const r = await stack.up();
        expect(r.output).not.toContain("failed in state dropped");
        expect(r.code).toBe(0);
        for (const name of ["controller-1", ...GATEWAYS]) {
            expect(sim.appliance(name)).toMatchObject({ version: TARGET, volumeNumber: 2, upgrade: { status: "idle" } });
            expect(sim.appliance(name).raceReads).toBeGreaterThanOrEqual(4); // the provider really read idle after its prepare
            expect(sim.applianceCalls(name)).toEqual({ prepare: 1, complete: 1, switchPartition: 0, cancel: 0, upgrade: 0 });
        }
        expect(sim.calls.snapshot()["upgrade.prepare"]!.byStatus).toEqual({ "202": 6 }); // no second prepare, not even a refused one
        const phases = (await stack.resources()).filter((x) => x.type.endsWith("appgate:ApplianceUpgrade")).map((x) => x.outputs!.phase);
        expect(phases).toEqual(Array(6).fill("completed"));
    });
});

describe("resume during a reboot", () => {
    let sim: AppgateSimulator;
    let stack: TestStack;
    const config = (stage: "prepare" | "complete") => JSON.stringify([{ name: "gateway-1", id: sim.appliance("gateway-1").id, stage }]);

    beforeAll(async () => {
        sim = await startAppgateSimulator({
            password: PASSWORD,
            rebootingApplianceReplies: "plain-502-every-call",
            // The reboot outlasts the killed run and the start of the next one (program: rebootTimeoutSeconds 60).
            timings: {
                idleAfterPrepareMs: 200,
                startMs: 50,
                downloadMs: 300,
                verifyMs: 100,
                installMs: 300,
                rebootMs: 15_000,
                cancelMs: 100,
            },
        });
        stack = await TestStack.create(join(__dirname, "programs/appgate"), {
            config: {
                "appgate:endpoint": sim.url,
                "appgate:username": "admin",
                imageUrl: sim.imageUrl(TARGET),
                appliances: config("prepare"),
            },
            secrets: { appgatePassword: PASSWORD },
        });
    });

    afterAll(async () => {
        await stack?.dispose();
        await sim?.stop();
    });

    test("a run killed while the gateway reboots is resumed by the next up, which adopts the finished upgrade", async () => {
        expect((await stack.up()).code).toBe(0);
        expect(sim.appliance("gateway-1").upgrade.status).toBe("ready");
        await stack.setConfig("appliances", config("complete"));

        const offline = new Promise<void>((resolve) => {
            const listener = (a: { name: string; online: boolean }) => {
                if (a.name === "gateway-1" && !a.online) {
                    sim.off("upgrade-state", listener);
                    resolve();
                }
            };
            sim.on("upgrade-state", listener);
        });
        const killed = stack.up();
        await offline;
        expect(killPulumiTree()).toBeGreaterThan(0);
        expect((await killed).code).not.toBe(0);
        expect(sim.appliance("gateway-1").online).toBe(false); // still rebooting when the next run starts
        // What an operator does after a crash: release the stack's lock (the file backend keeps it).
        await stack.must(["cancel", "--yes"]);

        const r = await stack.up();
        expect(r.code).toBe(0);
        expect(sim.calls.snapshot()["appliances.get"]!.byStatus["502"]).toBeGreaterThan(0); // the lookup met the plain-text 502s
        expect(r.output).toMatch(/\[gateway-1\] lookup: unreachable \(appgate GET \/appliances\/[0-9a-f-]+ .*502/);
        expect(sim.appliance("gateway-1")).toMatchObject({ version: TARGET, volumeNumber: 2, online: true });
        expect(sim.applianceCalls("gateway-1")).toEqual({ prepare: 1, complete: 1, switchPartition: 0, cancel: 0, upgrade: 0 });
        const [gateway] = (await stack.resources()).filter((x) => x.type.endsWith("appgate:ApplianceUpgrade"));
        expect(gateway!.outputs).toMatchObject({
            phase: "completed",
            runningVersion: TARGET,
            volumeNumber: 2,
            previousVersion: FROM,
            previousVolumeNumber: 1,
        });
    });
});
