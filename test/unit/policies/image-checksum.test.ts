import { allKinds } from "../../../provider/kinds";
import { IMAGE_TYPES, imageChecksum, UPGRADE_TYPES } from "../../../policies/rules";
import { violations } from "./helpers";

const image = "pulumi-nodejs:dynamic/riverbed:UpgradeImage";
const sha = "a".repeat(64);

test("an image without expectedSha256 violates; mandatory by default", async () => {
    expect(await violations(imageChecksum, image, { file: "/img/a.img" })).toEqual(["Image 'r1' does not pin expectedSha256."]);
    expect(imageChecksum.enforcementLevel).toBe("mandatory");
});

test("a malformed checksum violates", async () => {
    expect(await violations(imageChecksum, image, { expectedSha256: "abc" })).toEqual([
        "Image 'r1' has an expectedSha256 that is not 64 hex digits.",
    ]);
});

test("a pinned checksum passes; non-image kinds are not judged", async () => {
    expect(await violations(imageChecksum, image, { expectedSha256: sha })).toEqual([]);
    expect(await violations(imageChecksum, "pulumi-nodejs:dynamic/riverbed:SystemUpdate", {})).toEqual([]);
    expect(await violations(imageChecksum, "pulumi-nodejs:dynamic/other:UpgradeImage", {})).toEqual([]);
});

test("the type lists are derived from the kind definitions (defineKind), image kinds by their trait", () => {
    expect([...UPGRADE_TYPES].sort()).toEqual(allKinds.map((k) => k.typeToken).sort());
    expect([...IMAGE_TYPES]).toContain(image);
    expect([...IMAGE_TYPES]).not.toContain("pulumi-nodejs:dynamic/riverbed:SystemUpdate");
});
