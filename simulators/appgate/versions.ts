/**
 * Appliance versions as the simulator writes them (`6.2.1+30002`: release plus build number, the
 * form sdpctl parses from `applianceVersion`) and the peer API version each release speaks.
 */
import { PEER_VERSION_BY_RELEASE } from "./constants";

/** A parsed appliance version. */
export interface ApplianceVersion {
    readonly major: number;
    readonly minor: number;
    readonly patch: number;
    /** Build number, when known. */
    readonly build: number | undefined;
}

const VERSION_PATTERN = /^(\d+)\.(\d+)\.(\d+)(?:[+-](\d+))?$/;

/**
 * Parse `6.2.1`, `6.2.1+30002` or `6.2.1-30002`.
 * @throws Error naming the bad value.
 */
export function parseApplianceVersion(text: string): ApplianceVersion {
    const match = VERSION_PATTERN.exec(text.trim());
    if (match === null) throw new Error(`Appgate version must look like 6.2.1 or 6.2.1+30002, got ${JSON.stringify(text)}.`);
    return {
        major: Number(match[1]),
        minor: Number(match[2]),
        patch: Number(match[3]),
        build: match[4] === undefined ? undefined : Number(match[4]),
    };
}

/** `6.2.1+30002`, or `6.2.1` without a build number. */
export function formatApplianceVersion(version: ApplianceVersion): string {
    const release = `${version.major}.${version.minor}.${version.patch}`;
    return version.build === undefined ? release : `${release}+${version.build}`;
}

/** The peer API version an appliance of this release speaks (table of appgate.md §1, extrapolated past 6.6). */
export function peerVersionOf(version: ApplianceVersion): number {
    const release = `${version.major}.${version.minor}`;
    const known = PEER_VERSION_BY_RELEASE.find(([name]) => name === release);
    if (known !== undefined) return known[1];
    const [lastRelease, lastPeer] = PEER_VERSION_BY_RELEASE[PEER_VERSION_BY_RELEASE.length - 1]!;
    const [lastMajor, lastMinor] = lastRelease.split(".").map(Number) as [number, number];
    const [firstRelease, firstPeer] = PEER_VERSION_BY_RELEASE[0]!;
    const [firstMajor, firstMinor] = firstRelease.split(".").map(Number) as [number, number];
    if (version.major > lastMajor || (version.major === lastMajor && version.minor > lastMinor)) {
        // Later releases: one peer version per minor release, ten per major (monotonic; [unknown]).
        return lastPeer + (version.major - lastMajor) * 10 + (version.minor - lastMinor);
    }
    if (version.major < firstMajor || (version.major === firstMajor && version.minor < firstMinor)) return firstPeer;
    // A release missing inside the table (e.g. 5.6): the version of the closest older release.
    let best = firstPeer;
    for (const [name, peer] of PEER_VERSION_BY_RELEASE) {
        const [major, minor] = name.split(".").map(Number) as [number, number];
        if (major < version.major || (major === version.major && minor <= version.minor)) best = peer;
    }
    return best;
}
