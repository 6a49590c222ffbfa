import { CookieJar } from "../../../provider/core/auth";

const response = (...setCookie: string[]) => ({ status: 200, headers: { "set-cookie": setCookie }, body: undefined, text: "" });

test("the jar keeps name=value pairs and sends them back in one Cookie header", () => {
    const jar = new CookieJar();
    jar.capture(response("sessionid=abc; Path=/; HttpOnly", "csrftoken=t1; Path=/"));
    expect(jar.get("csrftoken")).toBe("t1");
    expect(jar.header()).toBe("sessionid=abc; csrftoken=t1");
    jar.capture(response("csrftoken=t2; Path=/"));
    expect(jar.get("csrftoken")).toBe("t2");
});

test("a cookie the server expires is forgotten; Max-Age wins over Expires", () => {
    const now = Date.parse("2026-01-01T00:00:00Z");
    const jar = new CookieJar(() => now);
    jar.capture(response("a=1", "b=2", "c=3", "d=4"));
    jar.capture(
        response("a=; Max-Age=0", "b=; Expires=Thu, 01 Jan 1970 00:00:00 GMT", "c=5; Max-Age=3600; Expires=Thu, 01 Jan 1970 00:00:00 GMT"),
    );
    expect(jar.header()).toBe("c=5; d=4");
    jar.clear();
    expect(jar.header()).toBeUndefined();
});
