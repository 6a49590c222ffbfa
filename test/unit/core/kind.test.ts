import { defineKind, typeToken } from "../../../provider/core/kind";
import { allKinds } from "../../../provider/kinds";

test("defineKind derives the registry name, the type token and the traits from vendor and kind", () => {
    const kind = defineKind("acme", "Firmware", { image: true });
    expect(kind.name).toBe("acme:Firmware");
    expect(kind.typeToken).toBe("pulumi-nodejs:dynamic/acme:Firmware");
    expect(kind.typeToken).toBe(typeToken("acme", "Firmware"));
    expect(kind.traits).toEqual({ image: true });
    expect(Object.isFrozen(kind)).toBe(true);
});

test("the shim is made once per kind: every resource of the kind hands the SDK the same provider object", () => {
    const kind = defineKind("acme", "Firmware");
    expect(kind.provider).toBe(kind.provider);
    expect(Object.keys(kind.provider).sort()).toEqual(["check", "configure", "create", "delete", "diff", "read", "update"]);
});

test("malformed vendor or kind names are refused", () => {
    expect(() => defineKind("Acme", "Firmware")).toThrow("vendor must be lower-case and kind PascalCase, got Acme:Firmware");
    expect(() => defineKind("acme", "firmware")).toThrow("got acme:firmware");
});

test("every kind of the package is defined once", () => {
    const names = allKinds.map((k) => k.name);
    expect(new Set(names).size).toBe(names.length);
    expect(names).toEqual(
        expect.arrayContaining(["loopback:Setting", "riverbed:UpgradeImage", "riverbed:SystemUpdate", "appgate:ApplianceUpgrade"]),
    );
});
