import { compareVersions, parseVersion, sameVersion } from "../../../provider/riverbed/versions";

test("parses numbers and an optional build", () => {
    expect(parseVersion("11.7.0 #24010")).toEqual({ numbers: [11, 7, 0], build: 24010 });
    expect(parseVersion("11.7")).toEqual({ numbers: [11, 7], build: undefined });
    expect(parseVersion("N/A")).toBeUndefined();
});

test.each([
    ["11.7.0 #24010", "11.7.0", true],
    ["11.7.0", "11.7.0 #24010", true],
    ["11.7", "11.7.3", true],
    ["11.7.0 #24010", "11.7.0 #24011", false],
    ["11.7.0", "11.8.0", false],
    ["11.7.0", "11.70.0", false],
    ["N/A", "N/A", true],
    ["N/A", "11.7.0", false],
])("sameVersion(%s, %s) = %s", (a, b, same) => {
    expect(sameVersion(a, b)).toBe(same);
});

test.each([
    ["11.6.0 #23947", "11.7.0", -1],
    ["11.7.0", "11.6.0 #23947", 1],
    ["11.10.0", "11.9.9", 1],
    ["11.7.0 #24010", "11.7.0", 0],
    ["11.7.0 #24011", "11.7.0 #24010", 1],
    ["12", "11.9.9", 1],
])("compareVersions(%s, %s) = %s", (a, b, order) => {
    expect(compareVersions(a, b)).toBe(order);
});

test("unparseable versions cannot be ordered", () => {
    expect(compareVersions("N/A", "11.7.0")).toBeUndefined();
});
