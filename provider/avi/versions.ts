/**
 * Avi controller versions: what a local controller package says about itself, read from its first two tar blocks without
 * reading the rest: automation matches the controller's `controller_info.build.tag` against the
 * package's `bootstrap/VERSION` (avi.md §4). The file's layout is [inferred]; a package that is not
 * such a tar simply yields `undefined` (the image is then found by diffing the image list).
 */

import { open } from "node:fs/promises";

/** Fields of `bootstrap/VERSION`. */
export interface PackageInfo {
    version?: string;
    buildNo?: number;
    tag?: string;
}

const BLOCK = 512;

/** Reads `bootstrap/VERSION` from the head of `filePath`; undefined when it is not there. */
export async function readPackageInfo(filePath: string): Promise<PackageInfo | undefined> {
    const file = await open(filePath, "r");
    try {
        const head = Buffer.alloc(2 * BLOCK);
        const { bytesRead } = await file.read(head, 0, head.length, 0);
        return parsePackageHead(head.subarray(0, bytesRead));
    } finally {
        await file.close();
    }
}

/** Parses the first tar entry when it is `bootstrap/VERSION`. */
export function parsePackageHead(head: Buffer): PackageInfo | undefined {
    if (head.length < BLOCK) return undefined;
    const name = cString(head.subarray(0, 100)).replace(/^\.\//, "");
    if (name !== "bootstrap/VERSION" || !cString(head.subarray(257, 263)).startsWith("ustar")) return undefined;
    const size = Number.parseInt(cString(head.subarray(124, 136)).trim() || "0", 8);
    if (!Number.isFinite(size) || size <= 0 || head.length < BLOCK + Math.min(size, BLOCK)) return undefined;
    const text = head.subarray(BLOCK, BLOCK + Math.min(size, BLOCK)).toString("utf8");
    const field = (key: string) => new RegExp(`^${key}\\s*[:=]\\s*(\\S+)`, "im").exec(text)?.[1];
    const tag = field("Tag") ?? /\b\d+\.\d+\.\d+-\d+-\d{8}\.\d{6}\b/.exec(text)?.[0];
    const buildNo = Number(field("build"));
    const info: PackageInfo = {
        version: field("Version") ?? tag?.split("-")[0],
        buildNo: Number.isInteger(buildNo) && buildNo > 0 ? buildNo : undefined,
        tag,
    };
    return info.version === undefined && info.tag === undefined ? undefined : info;
}

function cString(bytes: Buffer): string {
    const end = bytes.indexOf(0);
    return bytes.subarray(0, end < 0 ? bytes.length : end).toString("utf8");
}
