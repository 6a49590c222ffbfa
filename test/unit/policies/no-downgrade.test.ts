import { noDowngrade } from "../../../policies/rules";
import { violations } from "./helpers";

const type = "pulumi-nodejs:dynamic/appgate:ApplianceUpgrade";

test("allowDowngrade: true violates; mandatory by default", async () => {
    expect(await violations(noDowngrade, type, { allowDowngrade: true })).toEqual(["'r1' allows a downgrade (allowDowngrade: true)."]);
    expect(noDowngrade.enforcementLevel).toBe("mandatory");
});

test("absent or false passes", async () => {
    expect(await violations(noDowngrade, type, {})).toEqual([]);
    expect(await violations(noDowngrade, type, { allowDowngrade: false })).toEqual([]);
});
