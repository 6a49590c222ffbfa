import { CliUsageError, runCli, usage } from "../../../simulators/cli";
import { http } from "./helpers";

function collectingIo() {
    const stdout: string[] = [];
    const stderr: string[] = [];
    return { io: { stdout: (line: string) => stdout.push(line), stderr: (line: string) => stderr.push(line) }, stdout, stderr };
}

describe("pulumi-upgrades-sim CLI", () => {
    it("starts the requested devices and prints one URL line each", async () => {
        const { io, stdout } = collectingIo();
        const session = await runCli(
            [
                "riverbed",
                "--devices",
                "2",
                "--port",
                "0",
                "--username",
                "u",
                "--password",
                "p",
                "--token-ttl",
                "3",
                "--reboot-ms",
                "250",
                "--speed",
                "50",
                "--quiet",
            ],
            io,
        );
        try {
            expect(session?.devices).toHaveLength(2);
            expect(stdout).toHaveLength(2);
            expect(stdout[0]).toMatch(/^riverbed device-1 http:\/\/127\.0\.0\.1:\d+$/);
            expect(stdout[1]).toMatch(/^riverbed device-2 http:\/\/127\.0\.0\.1:\d+$/);
            const url = stdout[0]!.split(" ")[2]!;
            const token = await http(`${url}/api/mgmt.aaa/1.0/token`, {
                method: "POST",
                json: { user_credentials: { username: "u", password: "p" } },
            });
            expect(token.status).toBe(201);
            expect(token.body.expires_at - Math.floor(Date.now() / 1000)).toBeLessThanOrEqual(3);
            const state = await http(`${url}/__sim/state`);
            expect(state.body.settings).toMatchObject({ accessTokenTtlMs: 3000, timings: { rebootMs: 250, initMs: 600 } });
        } finally {
            await session?.stop();
        }
    });

    it("prints JSON lines with --json and passes vendor options", async () => {
        const { io, stdout } = collectingIo();
        const session = await runCli(["riverbed", "--json", "--quiet", "--version", "11.5.0 #100", "--init-ms", "7"], io);
        try {
            const line = JSON.parse(stdout[0]!);
            expect(line).toEqual({ vendor: "riverbed", name: "device-1", url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/) });
            const state = await http(`${line.url}/__sim/state`);
            expect(state.body).toMatchObject({ version: "11.5.0 #100", settings: { timings: { initMs: 7 } } });
        } finally {
            await session?.stop();
        }
    });

    it("passes the knobs for facts the reference leaves open to both vendors", async () => {
        const { io, stdout } = collectingIo();
        const riverbed = await runCli(
            ["riverbed", "--json", "--quiet", "--upload-reply", "id-only", "--tokens-survive-reboot", "true"],
            io,
        );
        const appgate = await runCli(
            [
                "appgate",
                "--json",
                "--quiet",
                "--idle-after-prepare-reads",
                "3",
                "--rebooting-appliance-replies",
                "plain-502-every-call",
                "--busy-prepare-status",
                "409",
            ],
            io,
        );
        try {
            const [r, a] = stdout.map((line) => JSON.parse(line).url as string);
            expect((await http(`${r}/__sim/state`)).body.settings).toMatchObject({ uploadReply: "id-only", tokensSurviveReboot: true });
            expect((await http(`${a}/__sim/state`)).body.settings).toMatchObject({
                idleAfterPrepareReads: 3,
                rebootingApplianceReplies: "plain-502-every-call",
                busyPrepareStatus: 409,
            });
        } finally {
            await riverbed?.stop();
            await appgate?.stop();
        }
        await expect(runCli(["riverbed", "--quiet", "--upload-reply", "partial"], io)).rejects.toThrow("[uploadReply]");
    });

    it("prints usage for --help and rejects bad command lines", async () => {
        const { io, stdout } = collectingIo();
        expect(await runCli(["--help"], io)).toBeUndefined();
        expect(stdout[0]).toContain("riverbed");
        expect(usage()).toContain("--reboot-ms");
        await expect(runCli(["nokia"], io)).rejects.toThrow(CliUsageError);
        await expect(runCli(["riverbed", "--port", "x"], io)).rejects.toThrow("--port");
        await expect(runCli(["riverbed", "--bogus", "1"], io)).rejects.toThrow(CliUsageError);
        await expect(runCli(["riverbed", "--username", "a"], io)).rejects.toThrow("--password");
        await expect(runCli(["riverbed", "--expires-at", "later"], io)).rejects.toThrow("--expires-at");
    });
});
