/**
 * Appgate appliance versions and image names.
 *
 * Controllers report `applianceVersion` as `6.3.2+36260` (release + build; `unknown` while offline);
 * images are named `appgate-<release>-<build>-release.img.zip`, and sdpctl derives the version of an
 * image from that name. Two versions are the same release when major.minor.patch match and, if both
 * carry a build number, the builds match too.
 */

/** A parsed version. */
export interface AppgateVersion {
    readonly major: number;
    readonly minor: number;
    readonly patch: number;
    readonly build?: number;
}

const VERSION = /^(\d+)\.(\d+)\.(\d+)(?:[+-](\d+))?$/;
const IMAGE_NAME = /^appgate-(\d+)\.(\d+)\.(\d+)-(\d+)(?:-[a-z0-9]+)*\.img\.zip$/i;

/** `6.4.1`, `6.4.1+40123` or `6.4.1-40123`; undefined for anything else (`unknown`, empty). */
export function parseAppgateVersion(text: string | undefined): AppgateVersion | undefined {
    const m = VERSION.exec((text ?? "").trim());
    if (!m) {
        return undefined;
    }
    return { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3]), build: m[4] === undefined ? undefined : Number(m[4]) };
}

/** The version an image file name announces (`appgate-6.4.1-40123-release.img.zip` → 6.4.1+40123). */
export function versionFromImageName(fileName: string): AppgateVersion | undefined {
    const m = IMAGE_NAME.exec(fileName);
    if (!m) {
        return undefined;
    }
    return { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3]), build: Number(m[4]) };
}

/** The file name an image URL points at (last path segment, decoded); `controller://host/<file>` too. */
export function imageFileName(imageUrl: string): string {
    let path: string;
    try {
        path = new URL(imageUrl).pathname;
    } catch {
        path = imageUrl;
    }
    const last = path.split("/").filter(Boolean).pop() ?? "";
    try {
        return decodeURIComponent(last);
    } catch {
        return last;
    }
}

/** `6.4.1+40123`, or `6.4.1` without a build. */
export function formatAppgateVersion(v: AppgateVersion): string {
    return `${v.major}.${v.minor}.${v.patch}${v.build === undefined ? "" : `+${v.build}`}`;
}

/** Orders two versions; builds count only when both are known. */
export function compareAppgateVersions(a: AppgateVersion, b: AppgateVersion): number {
    const parts: Array<keyof AppgateVersion> = ["major", "minor", "patch"];
    for (const p of parts) {
        const d = (a[p] as number) - (b[p] as number);
        if (d !== 0) {
            return d;
        }
    }
    if (a.build !== undefined && b.build !== undefined) {
        return a.build - b.build;
    }
    return 0;
}

/** True when both are the same release (see the module comment). */
export function sameAppgateVersion(a: AppgateVersion | undefined, b: AppgateVersion | undefined): boolean {
    return a !== undefined && b !== undefined && compareAppgateVersions(a, b) === 0;
}
