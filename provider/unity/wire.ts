/**
 * The Unisphere wire format as the Unity client reads it: zod schemas of the few fields each step
 * needs, and their tolerant reduction to plain objects (facts: /work/shared/reference/unity.md).
 *
 * Tolerance, where the reference says inferred or unknown: enums may arrive as integers (documented)
 * or as names in any casing; messages may be localized objects (`{"en-US": …}`) or strings; entries
 * may be full or `compact`.
 */

import { z } from "zod";

/** `UpgradeStatusEnum` names by value. */
export const UPGRADE_STATUS_NAMES = [
    "Upgrade_Not_Started",
    "Upgrade_In_Progress",
    "Upgrade_Completed",
    "Upgrade_Failed",
    "Upgrade_Failed_Lock",
    "Upgrade_Cancelled",
    "Upgrade_Paused",
    "Upgrade_Acknowledged",
    "Upgrade_Waiting_For_User",
    "Upgrade_Paused_Lock",
] as const;
export type UpgradeStatusName = (typeof UPGRADE_STATUS_NAMES)[number];

/** An enum value as an integer or as a name (any casing; the guide itself writes `Upgrade_in_Progress`). */
export function upgradeStatusName(value: number | string): string {
    if (typeof value === "number") {
        return UPGRADE_STATUS_NAMES[value] ?? `UpgradeStatus_${value}`;
    }
    const wanted = value
        .trim()
        .toLowerCase()
        .replace(/[\s-]+/g, "_");
    if (/^\d+$/.test(wanted)) {
        return upgradeStatusName(Number(wanted));
    }
    return UPGRADE_STATUS_NAMES.find((name) => name.toLowerCase() === wanted || name.toLowerCase() === `upgrade_${wanted}`) ?? value;
}

const enumValue = z.union([z.number().int(), z.string()]);
const localized = z.union([z.record(z.string(), z.unknown()), z.string()]);

export const messageSchema = z
    .object({
        errorCode: z.union([z.string(), z.number()]).optional(),
        messages: z.array(localized).optional(),
        message: z.string().optional(),
        severity: enumValue.optional(),
    })
    .passthrough();

/** A message from the array (`upgradeMessage`), reduced to what errors and logs need. */
export interface UnityMessage {
    /** `SeverityEnum` value (0 EMERGENCY … 3 ERROR, 4 WARNING, … 8 OK); undefined when not given. */
    severity?: number;
    text: string;
}

export function toMessage(raw: z.infer<typeof messageSchema>): UnityMessage {
    const texts = (raw.messages ?? []).map((m) => {
        if (typeof m === "string") return m;
        const english = m["en-US"] ?? m["message"] ?? Object.values(m).find((v) => typeof v === "string");
        return typeof english === "string" ? english : "";
    });
    const text =
        [...texts, raw.message ?? ""].filter(Boolean).join(" ") || (raw.errorCode !== undefined ? `error code ${raw.errorCode}` : "");
    return { severity: severityValue(raw.severity), text };
}

const SEVERITY_NAMES = ["EMERGENCY", "ALERT", "CRITICAL", "ERROR", "WARNING", "NOTICE", "INFO", "DEBUG", "OK"];
function severityValue(value: number | string | undefined): number | undefined {
    if (value === undefined) return undefined;
    if (typeof value === "number") return value;
    const index = SEVERITY_NAMES.indexOf(value.trim().toUpperCase());
    return index >= 0 ? index : /^\d+$/.test(value) ? Number(value) : undefined;
}

export const candidateSchema = z
    .object({
        id: z.union([z.string(), z.number()]).transform(String),
        version: z.string(),
        type: enumValue.optional(),
        rebootRequired: z.boolean().optional(),
        canPauseBeforeReboot: z.boolean().optional(),
    })
    .passthrough();

/** The candidate on the array. */
export interface UnityCandidate {
    id: string;
    version: string;
    /** `UpgradeTypeEnum` name: `Software`, `Firmware`, `LanguagePack` (or the raw value). */
    type: string;
    rebootRequired: boolean;
    canPauseBeforeReboot: boolean;
}

const UPGRADE_TYPES = ["Software", "Firmware", "LanguagePack"];
export function candidateOf(raw: z.infer<typeof candidateSchema>): UnityCandidate {
    const type =
        raw.type === undefined ? "Software" : typeof raw.type === "number" ? (UPGRADE_TYPES[raw.type] ?? String(raw.type)) : raw.type;
    return {
        id: raw.id,
        version: raw.version,
        type,
        rebootRequired: raw.rebootRequired ?? true,
        canPauseBeforeReboot: raw.canPauseBeforeReboot ?? false,
    };
}

const taskSchema = z
    .object({ caption: z.string().optional(), status: enumValue.optional(), estRemainTime: z.string().optional() })
    .passthrough();

export const sessionSchema = z
    .object({
        id: z.union([z.string(), z.number()]).transform(String),
        status: enumValue,
        percentComplete: z.number().optional(),
        candidate: z
            .object({ id: z.union([z.string(), z.number()]).transform(String) })
            .passthrough()
            .optional(),
        messages: z.array(messageSchema).optional(),
        tasks: z.array(taskSchema).optional(),
    })
    .passthrough();

/** An upgrade session, reduced to what the wait needs. */
export interface UnitySession {
    id: string;
    /** `UpgradeStatusEnum` name, e.g. `Upgrade_In_Progress`. */
    status: string;
    percentComplete?: number;
    candidateId?: string;
    messages: UnityMessage[];
    /** Caption of the task in progress (or the last one), for progress lines. */
    currentTask?: string;
    /** The device's estimate of the time left: the sum of the tasks' `estRemainTime`, in ms. */
    estRemainingMs?: number;
}

export function sessionOf(raw: z.infer<typeof sessionSchema>): UnitySession {
    const tasks = raw.tasks ?? [];
    const current = tasks.find(
        (t) =>
            t.status !== undefined &&
            upgradeStatusName(t.status) !== "Upgrade_Completed" &&
            upgradeStatusName(t.status) !== "Upgrade_Not_Started",
    );
    const remaining = tasks
        .map((t) => (t.estRemainTime === undefined ? undefined : parseInterval(t.estRemainTime)))
        .filter((ms): ms is number => ms !== undefined);
    return {
        id: raw.id,
        status: upgradeStatusName(raw.status),
        percentComplete: raw.percentComplete,
        candidateId: raw.candidate?.id,
        messages: (raw.messages ?? []).map(toMessage).filter((m) => m.text !== ""),
        currentTask: current?.caption,
        estRemainingMs: remaining.length > 0 ? remaining.reduce((a, b) => a + b, 0) : undefined,
    };
}

/** `HH:MM:SS.mmm` (optionally with a leading day count) → ms; undefined when unparseable. */
export function parseInterval(text: string): number | undefined {
    const match = /^\s*(?:(\d+)[ d:]\s*)?(\d+):(\d{1,2}):(\d{1,2}(?:\.\d+)?)\s*$/.exec(text);
    if (!match) return undefined;
    const [, days, h, m, s] = match;
    return Math.round(((Number(days ?? 0) * 24 + Number(h)) * 3600 + Number(m) * 60 + Number(s)) * 1000);
}

export const systemInfoSchema = z
    .object({
        softwareVersion: z.string().optional(),
        softwareFullVersion: z.string().optional(),
        name: z.string().optional(),
        model: z.string().optional(),
    })
    .passthrough();

/** `basicSystemInfo`. */
export type UnitySystemInfo = z.infer<typeof systemInfoSchema>;

export const entriesSchema = z.object({
    entries: z
        .array(z.object({ content: z.unknown() }).passthrough())
        .optional()
        .default([]),
    links: z
        .array(z.object({ rel: z.string(), href: z.string() }).passthrough())
        .optional()
        .default([]),
});

/** Parses the `{"error":{...}}` body for {@link VendorApiError}. */
export function parseUnityError(body: unknown): { code?: string; message?: string } {
    const error = (body as { error?: { errorCode?: unknown; messages?: unknown } } | undefined)?.error;
    if (!error) return {};
    const parsed = z.array(localized).safeParse(error.messages);
    const message = parsed.success ? toMessage({ messages: parsed.data }).text : undefined;
    return { code: error.errorCode === undefined ? undefined : String(error.errorCode), message: message || undefined };
}
