import { IMAGE_TYPES, UPGRADE_TYPES, UPGRADE_VENDORS } from "../../../policies/rules/resource-types";

test("the policy pack's lists include the Avi kinds; ControllerImage is an image (expectedSha256 required)", () => {
    expect(UPGRADE_VENDORS).toContain("avi");
    expect(UPGRADE_TYPES.has("pulumi-nodejs:dynamic/avi:ControllerUpgrade")).toBe(true);
    expect(IMAGE_TYPES.has("pulumi-nodejs:dynamic/avi:ControllerImage")).toBe(true);
    expect(IMAGE_TYPES.has("pulumi-nodejs:dynamic/avi:ControllerUpgrade")).toBe(false);
});
