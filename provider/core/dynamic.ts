/**
 * Helpers shared by every dynamic resource: type tokens, input checking with zod, partial-failure
 * errors, progress lines, and the plain CRUD contract the runtime implements.
 *
 * Nothing here imports `@pulumi/pulumi` at run time: this code runs inside the dynamic-provider
 * process, which must not load a second copy of the SDK.
 */

import type { z } from "zod";
import type { HandlerEnv } from "./env";
import type { ResourceKind } from "./kind";

/** The string the engine sends for values not known during preview. */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** True when `value` is, or contains, the preview unknown sentinel. */
export function containsUnknown(value: unknown): boolean {
    if (value === UNKNOWN) {
        return true;
    }
    if (Array.isArray(value)) {
        return value.some(containsUnknown);
    }
    if (value && typeof value === "object") {
        return Object.values(value).some(containsUnknown);
    }
    return false;
}

export { typeToken } from "./kind";

/** A failed input check, as the engine displays it. */
export interface CheckFailure {
    property: string;
    reason: string;
}

/** Result of `check`. */
export interface CheckResult<T = Record<string, unknown>> {
    inputs?: T;
    failures?: CheckFailure[];
}

/** Result of `diff`. Leave `changes` unset so the engine computes a readable per-property diff. */
export interface DiffResult {
    changes?: boolean;
    replaces?: string[];
    stables?: string[];
    deleteBeforeReplace?: boolean;
}

/** Result of `create`. */
export interface CreateResult<O> {
    id: string;
    outs: O;
}

/** Result of `read`. */
export interface ReadResult<O> {
    id: string;
    props: O;
    /** Inputs as the device now has them, so drift shows as a diff in the next preview. */
    inputs?: Record<string, unknown>;
}

/** The CRUD contract of one resource kind, implemented in the package runtime (never serialized). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the runtime registry holds handlers of every kind's types
export interface ResourceHandler<I = any, O = any> {
    check?(olds: Record<string, unknown>, news: Record<string, unknown>): Promise<CheckResult>;
    diff?(id: string, olds: O, news: I): Promise<DiffResult>;
    create(inputs: I): Promise<CreateResult<O>>;
    read?(id: string, props: O): Promise<ReadResult<O>>;
    update?(id: string, olds: O, news: I): Promise<{ outs: O }>;
    delete?(id: string, props: O): Promise<void>;
}

/**
 * Validates `news` with a zod schema and returns `{property, reason}` failures. Properties whose value
 * is (or contains) the preview unknown sentinel are not judged: they will be checked again at `up`.
 *
 * @returns the inputs unchanged (defaults are applied inside the methods, so a changed default in a
 *          newer package version does not show up as a diff), plus the failures.
 */
export function checkWithSchema(schema: z.ZodType, news: Record<string, unknown>): CheckResult {
    const parsed = schema.safeParse(news);
    if (parsed.success) {
        return { inputs: news, failures: [] };
    }
    const failures: CheckFailure[] = [];
    for (const issue of parsed.error.issues) {
        const path = issue.path.map(String);
        if (path.length > 0 && containsUnknown(valueAt(news, path))) {
            continue;
        }
        if (path.length === 0 && containsUnknown(news)) {
            continue;
        }
        failures.push({ property: path.join("."), reason: issue.message });
    }
    return { inputs: news, failures };
}

function valueAt(root: unknown, path: string[]): unknown {
    let cur: unknown = root;
    for (const key of path) {
        if (cur === null || typeof cur !== "object") {
            return undefined;
        }
        cur = (cur as Record<string, unknown>)[key];
    }
    return cur;
}

/**
 * Thrown from create/update when the vendor object exists but did not reach its target. The
 * dynamic-provider host turns it into a partial failure: the engine records `id` and `properties` in
 * state, fails the deployment, and the next `up` runs `update`, which resumes the wait.
 */
export class ResourceNotReadyError extends Error {
    constructor(
        readonly id: string,
        readonly properties: Record<string, unknown>,
        cause: unknown,
    ) {
        const reason = cause instanceof Error ? cause.message : String(cause);
        super(reason, { cause });
        this.name = "ResourceNotReadyError";
    }
    /** The host reads `reasons` and shows them with the error. */
    get reasons(): string[] {
        return [this.message];
    }
}

export { progressLogger, type Progress } from "./progress";

/**
 * The inputs contained in a state bag: everything but the output-only keys. `read` returns this
 * (with refreshed values) as `inputs`, so drift shows as a diff against the program.
 */
export function inputsFromState(props: object, outputKeys: readonly PropertyKey[]): Record<string, unknown> {
    const inputs: Record<PropertyKey, unknown> = { ...props };
    for (const key of outputKeys) {
        delete inputs[key];
    }
    return inputs as Record<string, unknown>;
}

/** Makes a kind's handler for an environment (the runtime passes the process's, tests a fake clock's). */
export type HandlerFactory = (env: HandlerEnv) => ResourceHandler;

/** A vendor as the runtime sees it: its kinds and how to make their handlers. */
export interface VendorRuntime {
    readonly kinds: readonly ResourceKind[];
    /** The handlers of every kind, by `vendor:Kind`. */
    handlers(env: HandlerEnv): Map<string, ResourceHandler>;
}

/**
 * Binds a vendor's kinds (its `kinds.ts`) to their handler factories. The type demands exactly one
 * factory per kind, so a kind without a handler does not compile.
 *
 * @example
 * ```ts
 * // provider/loopback/handlers.ts
 * export const loopbackRuntime = vendorRuntime(loopbackKinds, { Setting: settingHandler });
 * ```
 */
export function vendorRuntime<K extends Record<string, ResourceKind>>(
    kinds: K,
    factories: { [P in keyof K]: HandlerFactory },
): VendorRuntime {
    const list = Object.values(kinds);
    return {
        kinds: list,
        handlers: (env) => new Map(Object.keys(kinds).map((k) => [kinds[k]!.name, factories[k]!(env)])),
    };
}
