/**
 * Unity version comparison. The candidate reports the full dotted version (`5.3.0.0.5.120`);
 * `installedSoftwareVersion.version` reports the same form, but `basicSystemInfo.softwareVersion`
 * may carry only the first four parts ([unknown] form), so a dotted prefix counts as a match.
 */

/**
 * Does the array run `candidateVersion`? `installed` is `installedSoftwareVersion.version` when
 * known (exact), else `basicSystemInfo.softwareVersion`, which may carry only the first four parts
 * (`5.3.0.0` for `5.3.0.0.5.120`) — a prefix match is accepted then.
 */
export function runsVersion(installed: string | undefined, candidateVersion: string): boolean {
    if (!installed) return false;
    const a = installed.trim();
    return a === candidateVersion || candidateVersion.startsWith(`${a}.`) || a.startsWith(`${candidateVersion}.`);
}
