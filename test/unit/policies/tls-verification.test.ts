import { isUpgradeResourceType, tlsVerification } from "../../../policies/rules";
import { violations } from "./helpers";

const type = "pulumi-nodejs:dynamic/riverbed:SystemUpdate";

test("flags a resource that disables TLS verification", async () => {
    const v = await violations(tlsVerification, type, { connection: { insecure: true } });
    expect(v).toEqual([
        "TLS certificate verification is disabled for 'r1' (connection.insecure = true); trust the device's CA with connection.caBundle instead.",
    ]);
});

test("passes resources that verify (default, explicit false, CA bundle)", async () => {
    expect(await violations(tlsVerification, type, {})).toEqual([]);
    expect(await violations(tlsVerification, type, { connection: { insecure: false } })).toEqual([]);
    expect(await violations(tlsVerification, type, { connection: { caBundle: "-----BEGIN CERTIFICATE-----" } })).toEqual([]);
});

test("ignores resources of other packages", async () => {
    expect(await violations(tlsVerification, "aws:s3/bucket:Bucket", { connection: { insecure: true } })).toEqual([]);
    expect(await violations(tlsVerification, "pulumi-nodejs:dynamic:Resource", { connection: { insecure: true } })).toEqual([]);
});

test("advisory by default", () => {
    expect(tlsVerification.enforcementLevel).toBe("advisory");
});

test("recognises this package's type tokens only", () => {
    expect(isUpgradeResourceType("pulumi-nodejs:dynamic/loopback:Setting")).toBe(true);
    expect(isUpgradeResourceType("pulumi-nodejs:dynamic/appgate:ApplianceUpgrade")).toBe(true);
    expect(isUpgradeResourceType("pulumi-nodejs:dynamic/other:Thing")).toBe(false);
});
