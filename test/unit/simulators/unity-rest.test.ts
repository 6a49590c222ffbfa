import { createHash } from "node:crypto";
import { startUnitySimulator, unityCandidateStream, type UnitySimulator } from "../../../simulators/unity";
import { http } from "./helpers";
import { multipartCandidate, RawUnity } from "./unity-helpers";

describe("Unity simulator: REST conventions, auth and candidate upload", () => {
    let sim: UnitySimulator;
    let api: RawUnity;
    beforeEach(async () => {
        sim = await startUnitySimulator({ version: "5.2.1.0.5.011" });
        api = new RawUnity(sim);
    });
    afterEach(() => sim.stop());

    it("answers 302 without X-EMC-REST-CLIENT, even with good credentials", async () => {
        const reply = await http(`${sim.url}/api/types/loginSessionInfo/instances`, { headers: { Authorization: api.basic } });
        expect(reply.status).toBe(302);
        expect(reply.headers.location).toBeDefined();
    });

    it("serves basicSystemInfo without a login, only id without fields, dot-free projection with fields", async () => {
        const bare = await http(`${sim.url}/api/types/basicSystemInfo/instances`, { headers: { "X-EMC-REST-CLIENT": "true" } });
        expect(bare.status).toBe(200);
        expect(bare.headers["content-type"]).toBe("application/json; version=1.0;charset=UTF-8");
        expect(bare.body.entries).toEqual([expect.objectContaining({ content: { id: "0" } })]);
        const withFields = await http(`${sim.url}/api/types/basicSystemInfo/instances?fields=softwareVersion,model&compact=true`, {
            headers: { "X-EMC-REST-CLIENT": "true" },
        });
        expect(withFields.body.entries).toEqual([{ content: { id: "0", softwareVersion: "5.2.1.0", model: "Unity 480F" } }]);
    });

    it("answers an unknown field with 422 and the documented error body", async () => {
        await api.login();
        const reply = await api.call("GET", "/api/types/candidateSoftwareVersion/instances?fields=nope");
        expect(reply.status).toBe(422);
        expect(reply.body).toEqual({
            error: {
                errorCode: expect.any(Number),
                httpStatusCode: 422,
                messages: [{ "en-US": expect.stringContaining("nope") }],
                created: expect.any(String),
            },
        });
    });

    it("rejects a wrong password with 401 and the error body", async () => {
        const wrong = new RawUnity(sim, "wrong-password");
        const reply = await wrong.call("GET", "/api/types/loginSessionInfo/instances");
        expect(reply.status).toBe(401);
        expect(reply.body.error.httpStatusCode).toBe(401);
    });

    it("logs in on the first GET (cookie + EMC-CSRF-TOKEN) and requires the token on POST", async () => {
        const basicOnlyPost = await api.call("POST", "/api/types/softwareUpgradeSession/action/verifyUpgradeEligibility", { json: {} });
        expect(basicOnlyPost.status).toBe(401);
        await api.login();
        expect(api.cookie).toMatch(/mod_sec_emc=/);
        expect(api.csrf).toEqual(expect.any(String));
        const withoutToken = await api.call("POST", "/api/types/softwareUpgradeSession/action/verifyUpgradeEligibility", {
            json: {},
            csrf: false,
        });
        expect(withoutToken.status).toBe(401);
        const withToken = await api.call("POST", "/api/types/softwareUpgradeSession/action/verifyUpgradeEligibility", { json: {} });
        expect(withToken.status).toBe(200);
        expect(sim.loginsStarted).toBe(1);
    });

    it("sends the CSRF token only on the login GET by default, on every GET with csrfOnEveryGet", async () => {
        await api.login();
        const later = await api.call("GET", "/api/types/loginSessionInfo/instances");
        expect(later.headers["emc-csrf-token"]).toBeUndefined();
        sim.configure({ csrfOnEveryGet: true });
        const again = await api.call("GET", "/api/types/loginSessionInfo/instances");
        expect(again.headers["emc-csrf-token"]).toBe(api.csrf);
    });

    it("forgets logins when told to (as after a failover): the old token gets 401, a new GET logs in again", async () => {
        await api.login();
        const oldToken = api.csrf;
        sim.expireLogins();
        expect((await api.call("POST", "/api/types/softwareUpgradeSession/action/verifyUpgradeEligibility", { json: {} })).status).toBe(
            401,
        );
        await api.login();
        expect(api.csrf).not.toBe(oldToken);
        expect(sim.loginsStarted).toBe(2);
    });

    it.each([
        ["/upload/files/types/candidateSoftwareVersion", "filename"],
        ["/upload/file/types/candidateSoftwareVersion", "filename>"],
    ])("accepts a multipart upload on %s (field %s): 200, empty body, one candidate", async (path, field) => {
        await api.login();
        const reply = await api.upload({ version: "5.3.0.0.5.120" }, path, field);
        expect(reply.status).toBe(200);
        expect(reply.text).toBe("");
        const list = await api.call(
            "GET",
            "/api/types/candidateSoftwareVersion/instances?fields=version,type,rebootRequired,canPauseBeforeReboot",
        );
        expect(list.body.entries.map((e: { content: unknown }) => e.content)).toEqual([
            { id: expect.any(String), version: "5.3.0.0.5.120", type: 0, rebootRequired: true, canPauseBeforeReboot: true },
        ]);
    });

    it("hashes the file part exactly, even when the body arrives in 7-byte chunks", async () => {
        await api.login();
        const { stream } = unityCandidateStream({ version: "5.3.0.0.5.120", sizeBytes: 20_000 });
        const hash = createHash("sha256");
        for await (const chunk of stream) hash.update(chunk as Buffer);
        const { body, contentType, length } = multipartCandidate({ version: "5.3.0.0.5.120", sizeBytes: 20_000 }, "file", 7);
        const reply = await api.call("POST", "/upload/files/types/candidateSoftwareVersion", {
            body,
            headers: { "Content-Type": contentType, "Content-Length": String(length) },
        });
        expect(reply.status).toBe(200);
        expect(sim.candidate).toMatchObject({ sha256: hash.digest("hex"), bytes: 20_000 });
    });

    it("replaces the single candidate on re-upload", async () => {
        await api.login();
        await api.upload({ version: "5.3.0.0.5.120" });
        const first = sim.candidate!.id;
        await api.upload({ version: "5.4.0.0.5.094" });
        const list = await api.call("GET", "/api/types/candidateSoftwareVersion/instances?fields=version");
        expect(list.body.entries).toHaveLength(1);
        expect(list.body.entries[0].content.version).toBe("5.4.0.0.5.094");
        expect(sim.candidate!.id).not.toBe(first);
    });

    it("rejects a corrupt candidate with 422 and a non-multipart body with 400", async () => {
        await api.login();
        expect((await api.upload({ version: "5.3.0.0.5.120", valid: false })).status).toBe(422);
        const raw = await api.call("POST", "/upload/files/types/candidateSoftwareVersion", {
            body: Buffer.from("abc"),
            headers: { "Content-Type": "application/octet-stream" },
        });
        expect(raw.status).toBe(400);
        expect(sim.candidate).toBeUndefined();
    });

    it("pages collections with a next link and filters with eq", async () => {
        await api.login();
        const page = await api.call("GET", "/api/types/installedSoftwareVersion/instances?fields=version&per_page=1&with_entrycount=true");
        expect(page.body.entryCount).toBe(1);
        expect(page.body.links.some((l: { rel: string }) => l.rel === "next")).toBe(false);
        const filtered = await api.call(
            "GET",
            `/api/types/installedSoftwareVersion/instances?fields=version&filter=${encodeURIComponent('version eq "9.9.9"')}`,
        );
        expect(filtered.body.entries).toEqual([]);
    });
});
