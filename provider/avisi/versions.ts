/**
 * Kubernetes versions of Avisi Cloud clusters, compared numerically part by part (1.31.10 is newer
 * than 1.31.4), and the documented upgrade rules: upgrades go one minor version at a time;
 * downgrades only between patch versions of one minor.
 */

/** A parsed `major.minor.patch`. */
export interface ClusterVersion {
    readonly major: number;
    readonly minor: number;
    readonly patch: number;
}

const VERSION = /^v?(\d+)\.(\d+)\.(\d+)$/;

/** True when `text` looks like `1.31.4` (a leading `v` is tolerated). */
export function isClusterVersion(text: string): boolean {
    return VERSION.test(text.trim());
}

/** Parses `1.31.4` or `v1.31.4`. @throws Error for anything else. */
export function parseClusterVersion(text: string): ClusterVersion {
    const match = VERSION.exec(text.trim());
    if (!match) throw new Error(`"${text}" is not a Kubernetes version such as 1.31.4`);
    return { major: Number(match[1]), minor: Number(match[2]), patch: Number(match[3]) };
}

/** Negative when a < b, 0 when equal, positive when a > b (numeric per part). */
export function compareClusterVersions(a: string, b: string): number {
    const x = parseClusterVersion(a);
    const y = parseClusterVersion(b);
    return x.major - y.major || x.minor - y.minor || x.patch - y.patch;
}

/** True when both name the same version (`v1.31.4` = `1.31.4`). */
export function sameClusterVersion(a: string, b: string): boolean {
    return isClusterVersion(a) && isClusterVersion(b) && compareClusterVersions(a, b) === 0;
}

/**
 * Why a cluster running `from` cannot be moved to `to` under the vendor's documented rules, or
 * undefined when it can (equal versions are fine: nothing to do).
 */
export function versionStepProblem(from: string, to: string): string | undefined {
    const a = parseClusterVersion(from);
    const b = parseClusterVersion(to);
    const cmp = compareClusterVersions(to, from);
    if (cmp === 0) return undefined;
    if (a.major !== b.major) return `${from} → ${to} changes the major version, which Avisi Cloud does not upgrade`;
    if (cmp > 0 && b.minor - a.minor > 1) {
        return `${from} → ${to} skips ${b.minor - a.minor - 1} minor version(s); Avisi Cloud upgrades one minor version at a time: schedule ${a.major}.${a.minor + 1}.x first`;
    }
    if (cmp < 0 && a.minor !== b.minor)
        return `${from} → ${to} is a downgrade across minor versions; only patch downgrades within one minor are possible`;
    return undefined;
}
