import { IMAGE_TYPES, isUpgradeResourceType, UPGRADE_VENDORS } from "../../../policies/rules/resource-types";
import { unityKinds } from "../../../provider/unity/kinds";

describe("policy pack resource lists include Dell Unity", () => {
    it("treats both Unity kinds as upgrade resources (wait-budgets, tls-verification, blast-radius apply)", () => {
        expect(isUpgradeResourceType("pulumi-nodejs:dynamic/unity:UpgradeCandidate")).toBe(true);
        expect(isUpgradeResourceType("pulumi-nodejs:dynamic/unity:UpgradeSession")).toBe(true);
        expect(UPGRADE_VENDORS).toContain("unity");
    });

    it("does not require expectedSha256 of a Unity candidate: the array checks the signed package itself", () => {
        expect(IMAGE_TYPES.has(unityKinds.UpgradeCandidate.typeToken)).toBe(false);
    });
});
