import { parseApiVersion, unsupportedApiVersion } from "../../../provider/loopback/versions";

test("API versions: 1.x is spoken, another major or a malformed answer is refused, none stated means 1.x", () => {
    expect(parseApiVersion("1.3")).toEqual({ major: 1, minor: 3 });
    expect(parseApiVersion("v1")).toBeUndefined();
    expect(unsupportedApiVersion("1.7")).toBeUndefined();
    expect(unsupportedApiVersion(undefined)).toBeUndefined();
    expect(unsupportedApiVersion("2.0")).toBe("the server speaks API 2.0; this client speaks 1.x");
    expect(unsupportedApiVersion("latest")).toBe('the server reports API version "latest", which is not <major>.<minor>');
});
