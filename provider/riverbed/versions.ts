/**
 * AppResponse version strings: `11.7.0 #24010` (numbers, then an optional `#build`).
 *
 * The device reports full strings (`update_history[].version`, image `version`); users usually
 * write the short form (`11.7.0`). Versions therefore match **by prefix**: every component the
 * shorter form gives must equal the longer form's, and build numbers are compared only when both
 * sides have one. `11.7` matches `11.7.0 #24010` and `11.7.3`; `11.7.0 #24010` does not match
 * `11.7.0 #24011`.
 */

/** A parsed version. */
export interface ParsedVersion {
    /** Dotted numbers, e.g. `[11, 7, 0]`. */
    numbers: number[];
    /** The `#build` number, when given. */
    build?: number;
}

const VERSION = /^\s*(\d+(?:\.\d+)*)\s*(?:#\s*(\d+))?\s*$/;

/** Parses `11.7.0 #24010`; undefined when the string is not a version (e.g. the device's `"N/A"`). */
export function parseVersion(text: string | undefined): ParsedVersion | undefined {
    const m = text === undefined ? null : VERSION.exec(text);
    if (!m) {
        return undefined;
    }
    return { numbers: m[1].split(".").map(Number), build: m[2] === undefined ? undefined : Number(m[2]) };
}

/** True when `a` and `b` name the same version by prefix (see the module comment). */
export function sameVersion(a: string | undefined, b: string | undefined): boolean {
    const pa = parseVersion(a);
    const pb = parseVersion(b);
    if (!pa || !pb) {
        return a !== undefined && b !== undefined && a.trim() === b.trim();
    }
    const n = Math.min(pa.numbers.length, pb.numbers.length);
    for (let i = 0; i < n; i++) {
        if (pa.numbers[i] !== pb.numbers[i]) {
            return false;
        }
    }
    if (pa.numbers.length === pb.numbers.length && pa.build !== undefined && pb.build !== undefined) {
        return pa.build === pb.build;
    }
    return true;
}

/**
 * Orders two versions: negative when `a` is older than `b`, positive when newer, 0 when they match
 * by prefix (`11.7` and `11.7.1` match). Otherwise the first differing number decides, then the
 * build when both sides have one. Undefined when either string is not a version.
 */
export function compareVersions(a: string | undefined, b: string | undefined): number | undefined {
    const pa = parseVersion(a);
    const pb = parseVersion(b);
    if (!pa || !pb) {
        return undefined;
    }
    if (sameVersion(a, b)) {
        return 0;
    }
    const n = Math.max(pa.numbers.length, pb.numbers.length);
    for (let i = 0; i < n; i++) {
        const d = (pa.numbers[i] ?? 0) - (pb.numbers[i] ?? 0);
        if (d !== 0) {
            return Math.sign(d);
        }
    }
    if (pa.build !== undefined && pb.build !== undefined) {
        return Math.sign(pa.build - pb.build);
    }
    return 0;
}
