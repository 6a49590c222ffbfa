/** Vendor namespaces of the pulumi-upgrades resources (type tokens `pulumi-nodejs:dynamic/<vendor>:<Kind>`). */
export const UPGRADE_VENDORS = ["loopback", "riverbed", "appgate", "unity", "avisi", "avi"] as const;

const TOKEN = /^pulumi-nodejs:dynamic\/([a-z0-9-]+):[A-Za-z0-9]+$/;

/** True for resource types of this package. Rules read type strings, not classes, so the pack does not load the provider package. */
export function isUpgradeResourceType(type: string): boolean {
    const m = TOKEN.exec(type);
    return !!m && (UPGRADE_VENDORS as readonly string[]).includes(m[1]);
}
