/**
 * What a resource class registers with the SDK. Every registered property costs the SDK an Output of
 * four promises per resource (issue 14), so a property the program does not give is not registered
 * unless it is a declared output.
 */
import * as pulumi from "@pulumi/pulumi";
import { appgate, avi, avisi, riverbed, unity } from "../../../provider";

const registered: Record<string, Record<string, unknown>> = {};

beforeAll(async () => {
    await pulumi.runtime.setMocks(
        {
            newResource: (args) => {
                registered[args.name] = args.inputs;
                return { id: `${args.name}-id`, state: args.inputs };
            },
            call: () => ({}),
        },
        "project",
        "stack",
        false,
    );
});

const value = <T>(o: pulumi.Output<T>) => new Promise<T>((resolve) => o.apply(resolve));

test("a resource given no connection registers no connection property", async () => {
    const upgrade = new appgate.ApplianceUpgrade("gw-1", {
        applianceId: "acfa98e0-b58d-5159-82b5-f078170996eb",
        imageUrl: "https://files.example.com/appgate-6.4.1-40123-release.img.zip",
    });
    const cluster = new avisi.ScheduledClusterUpgrade("c-1", { environment: "prod", cluster: "c-1", version: "1.31" });
    await value(upgrade.urn);
    await value(cluster.urn);
    expect(Object.prototype.hasOwnProperty.call(upgrade, "connection")).toBe(false);
    expect(Object.prototype.hasOwnProperty.call(cluster, "connection")).toBe(false);
    expect(await value(upgrade.targetVersion)).toBe("6.4.1+40123");
});

test("a given connection is registered, its password a secret", async () => {
    const image = new riverbed.UpgradeImage("ar-1", {
        connection: { endpoint: "https://10.0.0.5", password: "hunter2" },
        file: "/images/ar11.img",
    });
    await value(image.urn);
    const connection = (image as unknown as { connection: pulumi.Output<{ endpoint: string; password: string }> }).connection;
    expect(pulumi.Output.isInstance(connection)).toBe(true);
    expect(await value(connection)).toMatchObject({ endpoint: "https://10.0.0.5" });
    expect(await connection.isSecret).toBe(true);
});

test("Appgate derives the target version of an image URL given as an Output", async () => {
    const upgrade = new appgate.ApplianceUpgrade("gw-2", {
        applianceId: "acfa98e0-b58d-5159-82b5-f078170996ec",
        imageUrl: pulumi.output("https://files.example.com/appgate-6.3.2-36260-release.img.zip"),
    });
    expect(await value(upgrade.targetVersion)).toBe("6.3.2+36260");
});

test("an optional input declared as an output is an Output even when the program omits it", async () => {
    const image = new riverbed.UpgradeImage("ar-2", { file: "/images/ar11.img" });
    const upgrade = new appgate.ApplianceUpgrade("gw-3", {
        applianceId: "acfa98e0-b58d-5159-82b5-f078170996ed",
        imageUrl: "https://files.example.com/appgate-6.4.1-40123-release.img.zip",
    });
    const aviImage = new avi.ControllerImage("ctl-1", { file: "/images/controller.pkg" });
    const cluster = new avisi.ScheduledClusterUpgrade("c-2", { environment: "prod", cluster: "c-2", version: "1.31" });
    const candidate = new unity.UpgradeCandidate("array-1", { file: "/images/unity.gpg.bin" });
    // Let registration finish (the SDK serializes the provider asynchronously) before the test ends.
    await Promise.all([image, upgrade, aviImage, cluster, candidate].map((r) => value(r.urn)));
    const omitted: pulumi.Output<unknown>[] = [
        image.url,
        image.expectedSha256,
        upgrade.stage,
        upgrade.site,
        aviImage.version,
        cluster.ignoreMaintenanceSchedule,
        cluster.outsideWindowReason,
        cluster.scheduleRequestDate,
        candidate.expectedVersion,
    ];
    for (const output of omitted) {
        expect(pulumi.Output.isInstance(output)).toBe(true);
        expect(await value(output)).toBeUndefined();
    }
    expect(await value(image.file)).toBe("/images/ar11.img");
});
