/**
 * The simulated `controller.pkg`: a POSIX tar whose first entry is `bootstrap/VERSION`, followed by
 * a payload entry of any size. Automation finds the image on the controller by matching
 * `controller_info.build.tag` against that file (avi.md §4); its exact content is [inferred]:
 *
 * ```text
 * Version: 22.1.5
 * build: 9093
 * Tag: 22.1.5-9093-20231004.120000
 * Type: IMAGE_TYPE_SYSTEM
 * ```
 */
import { once } from "node:events";
import { createWriteStream } from "node:fs";

/** What a package says about itself. */
export interface AviPackageInfo {
    readonly version: string;
    readonly buildNo: number;
    readonly tag: string;
    readonly type: "IMAGE_TYPE_SYSTEM" | "IMAGE_TYPE_PATCH";
}

/** Bytes of the package the controller needs to read its `bootstrap/VERSION` (two tar blocks). */
export const AVI_PACKAGE_PREFIX_BYTES = 1024;
const BLOCK = 512;

/** `22.1.5-9093-20231004.120000`: the build tag of a version and build number. */
export function aviBuildTag(version: string, buildNo: number, date = "20231004.120000"): string {
    return `${version}-${buildNo}-${date}`;
}

/** The `bootstrap/VERSION` text of a package. */
export function versionFileText(info: AviPackageInfo): string {
    return `Version: ${info.version}\nbuild: ${info.buildNo}\nTag: ${info.tag}\nType: ${info.type}\n`;
}

/** Read the package info from its first bytes; undefined when they are not such a package. */
export function parseAviPackagePrefix(prefix: Buffer): AviPackageInfo | undefined {
    if (prefix.length < BLOCK) return undefined;
    const name = cString(prefix.subarray(0, 100));
    if (name !== "bootstrap/VERSION" && name !== "./bootstrap/VERSION") return undefined;
    if (!cString(prefix.subarray(257, 263)).startsWith("ustar")) return undefined;
    const size = Number.parseInt(cString(prefix.subarray(124, 136)).trim() || "0", 8);
    if (!Number.isFinite(size) || size <= 0 || size > BLOCK || prefix.length < BLOCK + size) return undefined;
    const text = prefix.subarray(BLOCK, BLOCK + size).toString("utf8");
    const field = (key: string) => new RegExp(`^${key}:\\s*(\\S+)`, "im").exec(text)?.[1];
    const version = field("Version");
    const tag = field("Tag");
    const buildNo = Number(field("build"));
    const type = field("Type") === "IMAGE_TYPE_PATCH" ? "IMAGE_TYPE_PATCH" : "IMAGE_TYPE_SYSTEM";
    if (version === undefined || tag === undefined || !Number.isInteger(buildNo)) return undefined;
    return { version, buildNo, tag, type };
}

/** Specification of a test package. */
export interface AviPackageSpec {
    readonly version: string;
    readonly buildNo?: number;
    readonly tag?: string;
    readonly type?: AviPackageInfo["type"];
    /** Payload size in bytes (default 1 MiB). */
    readonly payloadBytes?: number;
}

/** Write a simulated package to `path` (streamed: any payload size). Returns its info. */
export async function makeAviPackage(path: string, spec: AviPackageSpec): Promise<AviPackageInfo> {
    const buildNo = spec.buildNo ?? 9093;
    const info: AviPackageInfo = {
        version: spec.version,
        buildNo,
        tag: spec.tag ?? aviBuildTag(spec.version, buildNo),
        type: spec.type ?? "IMAGE_TYPE_SYSTEM",
    };
    const versionFile = Buffer.from(versionFileText(info));
    const payloadBytes = spec.payloadBytes ?? 1 << 20;
    const out = createWriteStream(path);
    const write = async (chunk: Buffer) => {
        if (!out.write(chunk)) await once(out, "drain");
    };
    await write(tarHeader("bootstrap/VERSION", versionFile.length));
    await write(padToBlock(versionFile));
    await write(tarHeader("payload.bin", payloadBytes));
    const chunk = Buffer.alloc(1 << 20, 0x5a);
    for (let left = payloadBytes; left > 0; left -= chunk.length) await write(chunk.subarray(0, Math.min(chunk.length, left)));
    await write(Buffer.alloc((BLOCK - (payloadBytes % BLOCK)) % BLOCK));
    await write(Buffer.alloc(2 * BLOCK)); // end-of-archive marker
    out.end();
    await once(out, "finish");
    return info;
}

function tarHeader(name: string, size: number): Buffer {
    const header = Buffer.alloc(BLOCK);
    header.write(name, 0, 100, "utf8");
    header.write("0000644\0", 100, "latin1");
    header.write("0000000\0", 108, "latin1");
    header.write("0000000\0", 116, "latin1");
    header.write(`${size.toString(8).padStart(11, "0")}\0`, 124, "latin1");
    header.write(
        `${Math.floor(Date.UTC(2023, 9, 4) / 1000)
            .toString(8)
            .padStart(11, "0")}\0`,
        136,
        "latin1",
    );
    header.write("        ", 148, "latin1"); // checksum placeholder: spaces while summing
    header.write("0", 156, "latin1");
    header.write("ustar\0", 257, "latin1");
    header.write("00", 263, "latin1");
    let sum = 0;
    for (const byte of header) sum += byte;
    header.write(`${sum.toString(8).padStart(6, "0")}\0 `, 148, "latin1");
    return header;
}

function padToBlock(data: Buffer): Buffer {
    return Buffer.concat([data, Buffer.alloc((BLOCK - (data.length % BLOCK)) % BLOCK)]);
}

function cString(bytes: Buffer): string {
    const end = bytes.indexOf(0);
    return bytes.subarray(0, end < 0 ? bytes.length : end).toString("utf8");
}
