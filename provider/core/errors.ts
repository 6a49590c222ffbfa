/**
 * Error types shared by every vendor client and resource.
 *
 * Two rules hold for every message built here:
 * 1. it names *what* failed (vendor, device, operation) and *why* (status, the vendor's own words);
 * 2. it never contains a credential: every message passes through {@link redact} with the secrets the
 *    session knows about before it is stored.
 */

/** Replaces every occurrence of each secret (and its URL-encoded and base64 forms) with `[redacted]`. */
export function redact(text: string, secrets: readonly (string | undefined)[]): string {
    let out = text;
    for (const secret of secrets) {
        if (!secret || secret.length < 3) {
            continue;
        }
        for (const form of new Set([secret, encodeURIComponent(secret), Buffer.from(secret).toString("base64")])) {
            out = out.split(form).join("[redacted]");
        }
    }
    return out;
}

/** Fields describing one failed HTTP call to a vendor API. */
export interface VendorApiErrorFields {
    /** Vendor name, e.g. `riverbed`. */
    vendor: string;
    /** HTTP method. */
    method: string;
    /** Path relative to the base URL (never includes the query string, which may carry tokens). */
    path: string;
    /** The device or controller base URL the call went to. */
    endpoint?: string;
    /** HTTP status; undefined when no response arrived (connection refused, reset, timeout). */
    status?: number;
    /** The vendor's error code (e.g. `error_id`), or the network error code (`ECONNREFUSED`). */
    code?: string;
    /** The vendor's error message, verbatim (after redaction). */
    vendorMessage?: string;
    /** Whether retrying later may succeed (5xx, 429, 408, network errors). */
    transient: boolean;
    /** Seconds the vendor asked us to wait (Retry-After), if any. */
    retryAfterMs?: number;
    /** How many attempts were made before giving up. */
    attempts?: number;
}

/**
 * The one error type for every failed call to a vendor API.
 *
 * @example
 * ```
 * riverbed POST /api/npm.system_update/2.0/update/start on https://10.0.0.5: 400 (WRONG_STATE) Update is not initialized
 * ```
 */
export class VendorApiError extends Error implements VendorApiErrorFields {
    readonly vendor: string;
    readonly method: string;
    readonly path: string;
    readonly endpoint?: string;
    readonly status?: number;
    readonly code?: string;
    readonly vendorMessage?: string;
    readonly transient: boolean;
    readonly retryAfterMs?: number;
    readonly attempts?: number;

    constructor(fields: VendorApiErrorFields, secrets: readonly (string | undefined)[] = []) {
        const clean = (s: string | undefined) => (s === undefined ? undefined : redact(s, secrets));
        const vendorMessage = clean(fields.vendorMessage);
        const where = fields.endpoint ? ` on ${clean(fields.endpoint)}` : "";
        const status = fields.status !== undefined ? `${fields.status}` : "no response";
        const code = fields.code ? ` (${clean(fields.code)})` : "";
        const tries = fields.attempts && fields.attempts > 1 ? ` after ${fields.attempts} attempts` : "";
        const message = `${fields.vendor} ${fields.method} ${clean(fields.path)}${where}: ${status}${code}${
            vendorMessage ? ` ${vendorMessage}` : ""
        }${tries}`;
        super(message);
        this.name = "VendorApiError";
        this.vendor = fields.vendor;
        this.method = fields.method;
        this.path = clean(fields.path)!;
        this.endpoint = clean(fields.endpoint);
        this.status = fields.status;
        this.code = clean(fields.code);
        this.vendorMessage = vendorMessage;
        this.transient = fields.transient;
        this.retryAfterMs = fields.retryAfterMs;
        this.attempts = fields.attempts;
    }
}

/** True for errors worth waiting out: network failures, 5xx, 429, 408 (typically a device rebooting). */
export function isTransientError(err: unknown): boolean {
    return err instanceof VendorApiError && err.transient;
}

/** Invalid configuration or inputs found before any call is made; names the offending field. */
export class InputError extends Error {
    constructor(
        readonly property: string,
        readonly reason: string,
    ) {
        super(`[${property}] ${reason}`);
        this.name = "InputError";
    }
}

/** A vendor object reached a failure state (image INVALID, upgrade failed, ...). */
export class VendorFailureError extends Error {
    constructor(
        /** What failed, e.g. `riverbed device https://10.0.0.5 system update`. */
        readonly subject: string,
        /** The phase the failure happened in, e.g. `validating image`. */
        readonly phase: string,
        /** The vendor state that signals the failure. */
        readonly state: string,
        /** The vendor's own description of the failure. */
        readonly vendorMessage: string | undefined,
    ) {
        super(`${subject}: ${phase} failed in state ${state}${vendorMessage ? `: ${vendorMessage}` : ""}`);
        this.name = "VendorFailureError";
    }
}
