/**
 * Kubernetes versions as the simulated Avisi Cloud compares them: numerically per part, so
 * 1.31.10 is newer than 1.31.4.
 */

/** A parsed `major.minor.patch` version. */
export interface KubeVersion {
    readonly major: number;
    readonly minor: number;
    readonly patch: number;
}

/** Parse `1.31.4` (a leading `v` is accepted). Returns undefined for anything else. */
export function parseKubeVersion(text: string): KubeVersion | undefined {
    const match = /^v?(\d+)\.(\d+)\.(\d+)$/.exec(text.trim());
    if (!match) return undefined;
    return { major: Number(match[1]), minor: Number(match[2]), patch: Number(match[3]) };
}

/** Negative when a < b, 0 when equal, positive when a > b. */
export function compareKubeVersions(a: KubeVersion, b: KubeVersion): number {
    return a.major - b.major || a.minor - b.minor || a.patch - b.patch;
}

/**
 * Why a cluster at `from` cannot be upgraded to `to`, or undefined when it can. The documented rules:
 * upgrades go one minor at a time; downgrades only between patches of one minor.
 */
export function upgradeRefusal(from: KubeVersion, to: KubeVersion): string | undefined {
    const cmp = compareKubeVersions(to, from);
    if (cmp === 0) return "The cluster already runs this version.";
    if (to.major !== from.major) return "Upgrades across major versions are not supported.";
    if (cmp > 0 && to.minor - from.minor > 1) return "Upgrades go one minor version at a time.";
    if (cmp < 0 && to.minor !== from.minor) return "Downgrades are only possible between patch versions of one minor version.";
    return undefined;
}

/** `1.31.4`. */
export function formatKubeVersion(version: KubeVersion): string {
    return `${version.major}.${version.minor}.${version.patch}`;
}
