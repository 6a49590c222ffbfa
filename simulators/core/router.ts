/**
 * A route table with path parameters, one entry per API operation.
 *
 * Each route names its operation (`update.start`, `images.upload`, ...). The name is what call
 * counters count and what fault rules target, so tests can say "exactly one `update.start`".
 */
import type { IncomingMessage, ServerResponse } from "node:http";

/** Everything a handler gets for one request. */
export interface RouteContext {
    readonly req: IncomingMessage;
    readonly res: ServerResponse;
    /** Decoded path parameters, keyed by the `:name` in the route pattern. */
    readonly params: Readonly<Record<string, string>>;
    /** The parsed request URL (host part is a placeholder). */
    readonly url: URL;
    /** The operation name of the matched route. */
    readonly operation: string;
}

/** Handles one request. Throw `SimulatorHttpError` to answer with an error. */
export type RouteHandler = (context: RouteContext) => void | Promise<void>;

/** One entry of the route table. */
export interface RouteDefinition {
    /** HTTP method in upper case. */
    readonly method: string;
    /** Path pattern; segments starting with `:` are parameters, e.g. `/images/items/:id`. */
    readonly path: string;
    /** Operation name used for call counting and fault targeting, e.g. `images.get`. */
    readonly operation: string;
    readonly handler: RouteHandler;
}

/** Result of {@link Router.match}. */
export type RouteMatch =
    | { readonly kind: "found"; readonly route: RouteDefinition; readonly params: Record<string, string> }
    | { readonly kind: "method-not-allowed"; readonly allowedMethods: readonly string[] }
    | { readonly kind: "not-found" };

interface CompiledRoute {
    readonly definition: RouteDefinition;
    readonly segments: readonly string[];
}

function splitPath(path: string): string[] {
    return path.split("/").filter((segment) => segment !== "");
}

/** An ordered route table. The first route whose pattern and method match wins. */
export class Router {
    private readonly routes: CompiledRoute[] = [];

    /** Add a route; returns `this` for chaining. */
    add(definition: RouteDefinition): this {
        this.routes.push({ definition: { ...definition, method: definition.method.toUpperCase() }, segments: splitPath(definition.path) });
        return this;
    }

    /** Shorthand for {@link Router.add}. */
    on(method: string, path: string, operation: string, handler: RouteHandler): this {
        return this.add({ method, path, operation, handler });
    }

    /** All routes, in order. */
    list(): readonly RouteDefinition[] {
        return this.routes.map((route) => route.definition);
    }

    /** Find the route for `method` and `pathname` (trailing slashes are ignored). */
    match(method: string, pathname: string): RouteMatch {
        const requestSegments = splitPath(pathname);
        const allowedMethods: string[] = [];
        for (const route of this.routes) {
            const params = matchSegments(route.segments, requestSegments);
            if (params === undefined) continue;
            if (route.definition.method === method.toUpperCase()) {
                return { kind: "found", route: route.definition, params };
            }
            allowedMethods.push(route.definition.method);
        }
        return allowedMethods.length > 0 ? { kind: "method-not-allowed", allowedMethods } : { kind: "not-found" };
    }
}

function matchSegments(pattern: readonly string[], actual: readonly string[]): Record<string, string> | undefined {
    if (pattern.length !== actual.length) return undefined;
    const params: Record<string, string> = {};
    for (let index = 0; index < pattern.length; index++) {
        const expected = pattern[index]!;
        const segment = actual[index]!;
        if (expected.startsWith(":")) {
            try {
                params[expected.slice(1)] = decodeURIComponent(segment);
            } catch {
                return undefined; // malformed percent-encoding cannot match anything
            }
        } else if (expected !== segment) {
            return undefined;
        }
    }
    return params;
}
