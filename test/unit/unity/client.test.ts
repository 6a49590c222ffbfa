import { handlerEnv, type HandlerEnv } from "../../../provider/core/env";
import { UnityClient } from "../../../provider/unity/client";
import { resolveConnection } from "../../../provider/unity/connection";
import { runsVersion } from "../../../provider/unity/versions";
import { parseInterval, upgradeStatusName } from "../../../provider/unity/wire";
import type { UnitySimulator } from "../../../simulators/unity";
import { candidateDir, connectionFor, startSim } from "./helpers";

describe("unity client: pure parsing", () => {
    it("reads status enums as integers or names in any casing", () => {
        expect(upgradeStatusName(1)).toBe("Upgrade_In_Progress");
        expect(upgradeStatusName("Upgrade_in_Progress")).toBe("Upgrade_In_Progress");
        expect(upgradeStatusName("COMPLETED")).toBe("Upgrade_Completed");
        expect(upgradeStatusName("4")).toBe("Upgrade_Failed_Lock");
        expect(upgradeStatusName(42)).toBe("UpgradeStatus_42");
    });

    it("parses HH:MM:SS.mmm intervals, with an optional day count", () => {
        expect(parseInterval("00:01:30.500")).toBe(90_500);
        expect(parseInterval("1 02:00:00.000")).toBe(26 * 3_600_000);
        expect(parseInterval("soon")).toBeUndefined();
    });

    it("matches a 4-part softwareVersion against a full candidate version, both ways", () => {
        expect(runsVersion("5.3.0.0", "5.3.0.0.5.120")).toBe(true);
        expect(runsVersion("5.3.0.0.5.120", "5.3.0.0.5.120")).toBe(true);
        expect(runsVersion("5.2.1.0", "5.3.0.0.5.120")).toBe(false);
        expect(runsVersion(undefined, "5.3.0.0.5.120")).toBe(false);
    });
});

describe("unity connection", () => {
    const keys = ["UNITY_ENDPOINT", "UNITY_USERNAME", "UNITY_PASSWORD", "UNITY_INSECURE"];
    afterEach(() => keys.forEach((k) => delete process.env[k]));

    it("falls back to UNITY_* env, lets the resource override, and keeps TLS verification on unless set", () => {
        Object.assign(process.env, { UNITY_ENDPOINT: "https://10.0.0.5/", UNITY_USERNAME: "admin", UNITY_PASSWORD: "env-pw" });
        expect(resolveConnection(undefined)).toEqual({
            endpoint: "https://10.0.0.5",
            username: "admin",
            password: "env-pw",
            caBundle: undefined,
            insecure: undefined,
        });
        expect(resolveConnection({ endpoint: "https://unity-2", password: "own-pw" })).toMatchObject({
            endpoint: "https://unity-2",
            username: "admin",
            password: "own-pw",
        });
        process.env["UNITY_INSECURE"] = "true";
        expect(resolveConnection(undefined).insecure).toBe(true);
    });

    it("names the missing setting and where it can come from", () => {
        expect(() => resolveConnection(undefined)).toThrow(/connection\.endpoint.*unity:endpoint.*UNITY_ENDPOINT/);
    });
});

describe("unity client against the simulator", () => {
    let sim: UnitySimulator;
    let files: Awaited<ReturnType<typeof candidateDir>>;
    let env: HandlerEnv;
    beforeEach(async () => {
        files = await candidateDir();
        env = handlerEnv();
    });
    afterEach(async () => {
        env.clients.close();
        await sim?.stop();
        await files.cleanup();
    });

    it("logs in once for many calls, and again (new CSRF token) after the logins are forgotten", async () => {
        sim = await startSim();
        const client = UnityClient.for(connectionFor(sim), env);
        await client.sessions();
        await client.verifyEligibility();
        await client.candidates();
        expect(sim.loginsStarted).toBe(1);
        sim.expireLogins();
        expect((await client.verifyEligibility()).eligible).toBe(true); // 401 → login → retried once
        expect(sim.loginsStarted).toBe(2);
        expect(client.auth.logins).toBe(2);
    });

    it.each([false, true])(
        "works whether the CSRF token comes only with the login GET or with every GET (csrfOnEveryGet %s)",
        async (everyGet) => {
            sim = await startSim({ csrfOnEveryGet: everyGet });
            const client = UnityClient.for(connectionFor(sim), env);
            await client.installedVersion();
            expect((await client.verifyEligibility()).eligible).toBe(true);
        },
    );

    it("uploads a candidate (multipart, hashed in the same pass) and finds it by listing", async () => {
        sim = await startSim();
        const file = await files.make("5.3.0.0.5.120", { sizeBytes: 3 * 1024 * 1024 + 17 });
        const client = UnityClient.for(connectionFor(sim), env);
        const result = await client.uploadCandidate(file.path);
        expect(result.sha256).toBe(file.sha256);
        expect(sim.candidate?.sha256).toBe(file.sha256);
        expect(await client.candidates()).toEqual([
            { id: sim.candidate!.id, version: "5.3.0.0.5.120", type: "Software", rebootRequired: true, canPauseBeforeReboot: true },
        ]);
    });

    it("uploads again after a 401 on the streamed upload (the login died)", async () => {
        sim = await startSim();
        const file = await files.make("5.3.0.0.5.120");
        const client = UnityClient.for(connectionFor(sim), env);
        await client.verifyEligibility(); // logged in, token known
        sim.expireLogins();
        await client.uploadCandidate(file.path);
        expect(sim.calls.snapshot()["candidate.upload"]?.byStatus).toEqual({ "401": 1, "200": 1 });
    });

    it.each(["messages", "error"] as const)("reports a degraded component as not eligible (failure style %s)", async (style) => {
        sim = await startSim({ degradedComponent: "SP B power supply", eligibilityFailureStyle: style });
        const result = await UnityClient.for(connectionFor(sim), env).verifyEligibility();
        expect(result.eligible).toBe(false);
        expect(result.messages.map((m) => m.text).join(" ")).toContain("SP B power supply");
    });

    it("reads basicSystemInfo without logging in", async () => {
        sim = await startSim();
        const info = await UnityClient.for(connectionFor(sim), env).systemInfo();
        expect(info.softwareVersion).toBe("5.2.1.0");
        expect(sim.loginsStarted).toBe(0);
    });
});
