/**
 * Fault injection shared by every simulated vendor.
 *
 * A fault rule applies to the next `count` requests (optionally only those of one operation, or a
 * family such as `images.*`). Four kinds exist:
 *
 * - `error`: answer a 5xx (default 503) with the vendor's error body, without running the handler.
 * - `throttle`: answer 429 with a `Retry-After` header, without running the handler.
 * - `reset`: destroy the connection with a TCP RST before answering (clients see ECONNRESET).
 * - `delay`: wait `delayMs` before handling the request normally (a slow device).
 *
 * A request consumes at most one `delay` rule and at most one of the other kinds, so "slow and then
 * 503" can be composed. Rules are used first-added, first-consumed.
 */
import { SimulatorHttpError } from "./http-error";
import { isJsonObject } from "./http-io";

/** Applies until cleared, instead of to a fixed number of requests. */
export const UNLIMITED = "unlimited";

/** How many requests a rule applies to: a positive integer, or {@link UNLIMITED}. */
export type FaultCount = number | typeof UNLIMITED;

interface FaultSpecBase {
    /** Requests the rule applies to (default 1). */
    readonly count?: FaultCount;
    /**
     * Operation name this rule is limited to, e.g. `update.start`; a trailing `*` matches a prefix
     * (`images.*`). Omit to match every operation.
     */
    readonly operation?: string;
}

/** Answer a server error instead of handling the request. */
export interface ErrorFaultSpec extends FaultSpecBase {
    readonly kind: "error";
    /** Status to answer (500–599; default 503). */
    readonly status?: number;
}

/** Answer 429 Too Many Requests with `Retry-After`. */
export interface ThrottleFaultSpec extends FaultSpecBase {
    readonly kind: "throttle";
    /** Value of the `Retry-After` header, in seconds (default 1). */
    readonly retryAfterSeconds?: number;
}

/** Reset the connection (TCP RST) instead of answering. */
export interface ResetFaultSpec extends FaultSpecBase {
    readonly kind: "reset";
}

/** Delay the request before handling it normally. */
export interface DelayFaultSpec extends FaultSpecBase {
    readonly kind: "delay";
    /** Delay in milliseconds of the simulator's clock. */
    readonly delayMs: number;
}

/** A fault rule as given to {@link FaultInjector.add} or `POST /__sim/faults`. */
export type FaultSpec = ErrorFaultSpec | ThrottleFaultSpec | ResetFaultSpec | DelayFaultSpec;

/** A registered rule with its id and how many requests it still applies to. */
export type FaultRule = FaultSpec & { readonly id: number; remaining: FaultCount };

/** What the device server must do with one request. */
export interface FaultDecision {
    /** Wait this long first (0 = no delay). */
    readonly delayMs: number;
    /** Then, instead of handling the request: answer an error, throttle, or reset. */
    readonly action?:
        | { readonly kind: "error"; readonly status: number; readonly ruleId: number }
        | { readonly kind: "throttle"; readonly retryAfterSeconds: number; readonly ruleId: number }
        | { readonly kind: "reset"; readonly ruleId: number };
}

function operationMatches(pattern: string | undefined, operation: string): boolean {
    if (pattern === undefined) return true;
    if (pattern.endsWith("*")) return operation.startsWith(pattern.slice(0, -1));
    return pattern === operation;
}

/** Holds fault rules and decides, per request, which fault applies. */
export class FaultInjector {
    private readonly rules: FaultRule[] = [];
    private nextId = 1;

    /**
     * Register a rule; it applies to the next matching requests.
     * @throws Error when the spec is malformed (see {@link parseFaultSpec} for JSON input).
     */
    add(spec: FaultSpec): FaultRule {
        validateFaultSpec(spec);
        const rule: FaultRule = { ...spec, id: this.nextId++, remaining: spec.count ?? 1 };
        this.rules.push(rule);
        return rule;
    }

    /** The next `count` requests (optionally of `operation`) get `status` (default 503). */
    failNext(count = 1, status = 503, operation?: string): FaultRule {
        return this.add({ kind: "error", count, status, operation });
    }

    /** The next `count` requests get 429 with `Retry-After: retryAfterSeconds`. */
    throttleNext(count = 1, retryAfterSeconds = 1, operation?: string): FaultRule {
        return this.add({ kind: "throttle", count, retryAfterSeconds, operation });
    }

    /** The next `count` requests have their connection reset. */
    resetNext(count = 1, operation?: string): FaultRule {
        return this.add({ kind: "reset", count, operation });
    }

    /** Delay requests by `delayMs` (the next `count` of them, or all until cleared by default). */
    slowDown(delayMs: number, count: FaultCount = UNLIMITED, operation?: string): FaultRule {
        return this.add({ kind: "delay", delayMs, count, operation });
    }

    /** Remove one rule by id; returns whether it existed. */
    remove(id: number): boolean {
        const index = this.rules.findIndex((rule) => rule.id === id);
        if (index < 0) return false;
        this.rules.splice(index, 1);
        return true;
    }

    /** Remove every rule. */
    clear(): void {
        this.rules.length = 0;
    }

    /** Snapshot of the active rules. */
    list(): FaultRule[] {
        return this.rules.map((rule) => ({ ...rule }));
    }

    /** Decide what happens to one request of `operation`, consuming the matching rules. */
    take(operation: string): FaultDecision {
        const delayRule = this.rules.find((rule) => rule.kind === "delay" && operationMatches(rule.operation, operation));
        const blockingRule = this.rules.find((rule) => rule.kind !== "delay" && operationMatches(rule.operation, operation));
        const delayMs = delayRule !== undefined && delayRule.kind === "delay" ? delayRule.delayMs : 0;
        if (delayRule) this.consume(delayRule);
        if (!blockingRule) return { delayMs };
        this.consume(blockingRule);
        switch (blockingRule.kind) {
            case "error":
                return { delayMs, action: { kind: "error", status: blockingRule.status ?? 503, ruleId: blockingRule.id } };
            case "throttle":
                return {
                    delayMs,
                    action: { kind: "throttle", retryAfterSeconds: blockingRule.retryAfterSeconds ?? 1, ruleId: blockingRule.id },
                };
            case "reset":
                return { delayMs, action: { kind: "reset", ruleId: blockingRule.id } };
            default:
                return { delayMs };
        }
    }

    private consume(rule: FaultRule): void {
        if (rule.remaining === UNLIMITED) return;
        rule.remaining -= 1;
        if (rule.remaining <= 0) this.remove(rule.id);
    }
}

function validateFaultSpec(spec: FaultSpec): void {
    const count = spec.count ?? 1;
    if (count !== UNLIMITED && (!Number.isInteger(count) || count < 1)) {
        throw new Error(`Fault [count] must be a positive integer or "${UNLIMITED}", got ${JSON.stringify(spec.count)}.`);
    }
    if (spec.operation !== undefined && (typeof spec.operation !== "string" || spec.operation === "")) {
        throw new Error(`Fault [operation] must be a non-empty string, got ${JSON.stringify(spec.operation)}.`);
    }
    switch (spec.kind) {
        case "error":
            if (spec.status !== undefined && (!Number.isInteger(spec.status) || spec.status < 500 || spec.status > 599)) {
                throw new Error(`Fault [status] must be an integer from 500 to 599, got ${JSON.stringify(spec.status)}.`);
            }
            return;
        case "throttle":
            if (spec.retryAfterSeconds !== undefined && (!Number.isInteger(spec.retryAfterSeconds) || spec.retryAfterSeconds < 0)) {
                throw new Error(`Fault [retryAfterSeconds] must be a non-negative integer, got ${JSON.stringify(spec.retryAfterSeconds)}.`);
            }
            return;
        case "reset":
            return;
        case "delay":
            if (typeof spec.delayMs !== "number" || !Number.isFinite(spec.delayMs) || spec.delayMs < 0) {
                throw new Error(`Fault [delayMs] must be a non-negative number, got ${JSON.stringify(spec.delayMs)}.`);
            }
            return;
        default:
            throw new Error(
                `Fault [kind] must be one of error, throttle, reset, delay, got ${JSON.stringify((spec as { kind: unknown }).kind)}.`,
            );
    }
}

/**
 * Turn an untrusted JSON body (from `POST /__sim/faults`) into a {@link FaultSpec}.
 * @throws SimulatorHttpError 400 naming the offending field.
 */
export function parseFaultSpec(body: unknown): FaultSpec {
    if (!isJsonObject(body)) {
        throw new SimulatorHttpError(400, "INVALID_FAULT", "Fault body must be a JSON object with a [kind].");
    }
    const spec = body as unknown as FaultSpec;
    try {
        validateFaultSpec(spec);
    } catch (error) {
        throw new SimulatorHttpError(400, "INVALID_FAULT", (error as Error).message);
    }
    // Copy only known fields so stray properties never reach the rule table.
    const common = { count: spec.count, operation: spec.operation };
    switch (spec.kind) {
        case "error":
            return { kind: "error", status: spec.status, ...common };
        case "throttle":
            return { kind: "throttle", retryAfterSeconds: spec.retryAfterSeconds, ...common };
        case "reset":
            return { kind: "reset", ...common };
        case "delay":
            return { kind: "delay", delayMs: spec.delayMs, ...common };
    }
}
