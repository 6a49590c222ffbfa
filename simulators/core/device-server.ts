/**
 * The HTTP server behind one simulated device.
 *
 * It routes requests to vendor handlers, counts calls per operation, applies injected faults, answers
 * errors in the vendor's shape, serves the `/__sim/` control API, and simulates reboots: during a
 * reboot window the listening socket is really closed and every open connection reset, so clients see
 * ECONNREFUSED/ECONNRESET exactly as they would against a rebooting appliance. After the window the
 * server listens again on the same port.
 *
 * Request pipeline (API routes only; `/__sim/` requests skip counting and faults):
 * match route → count → injected delay → injected error/throttle/reset → handler → vendor error body.
 */
import { EventEmitter } from "node:events";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { Socket } from "node:net";
import { setTimeout as sleepRealTime } from "node:timers/promises";
import { CallCounter, UNMATCHED_OPERATION } from "./call-counter";
import { SystemClock, TimerGroup, type Clock, type TimerHandle } from "./clock";
import { addCoreControlRoutes, CONTROL_PREFIX } from "./control-routes";
import { FaultInjector, type FaultDecision } from "./faults";
import { CoreErrorCodes, SimulatorHttpError, type ErrorBodyFormatter } from "./http-error";
import { sendJson } from "./http-io";
import { Router, type RouteMatch } from "./router";

/** Options for {@link DeviceServer}. */
export interface DeviceServerOptions {
    /** Device name used in logs and the control API, e.g. `device-1`. */
    readonly name: string;
    /** Interface to listen on (default `127.0.0.1`). */
    readonly host?: string;
    /** Port to listen on; 0 (default) picks a free port. The same port is reused after reboots. */
    readonly port?: number;
    /** The vendor API. */
    readonly routes: Router;
    /** Vendor-specific control routes under `/__sim/`; matched before the core control routes. */
    readonly controlRoutes?: Router;
    /** Builds the vendor's JSON error body. */
    readonly formatError: ErrorBodyFormatter;
    /** Time source for delays and reboot windows (default: the wall clock). */
    readonly clock?: Clock;
    /** Downtime used by `POST /__sim/reboot` when the body names none (default 1000 ms). */
    readonly defaultRebootMs?: () => number;
    /** Receives one line per notable event (listening, reboot, errors). Default: silent. */
    readonly log?: (line: string) => void;
}

/** Lifecycle of a {@link DeviceServer}. */
export type DeviceServerState = "created" | "online" | "rebooting" | "stopped";

/** Events a {@link DeviceServer} emits. */
export interface DeviceServerEvents {
    /** The listener is closed and connections were reset (a reboot window began). */
    offline: [];
    /** The server listens again after a reboot window (also emitted once by `start()`). */
    online: [];
    /** `stop()` finished. */
    stopped: [];
}

/** Hooks for one {@link DeviceServer.reboot}. */
export interface RebootHooks {
    /** Runs once the device is unreachable (state changes that happen "during the reboot"). */
    readonly whileOffline?: () => void;
    /** Runs right before the device listens again. */
    readonly beforeOnline?: () => void;
}

/** How many times to retry binding the old port after a reboot (another process may hold it briefly). */
const REBIND_ATTEMPTS = 40;
const REBIND_PAUSE_MS = 50;

/** An HTTP server simulating one device; see the module comment for the pipeline. */
export class DeviceServer extends EventEmitter<DeviceServerEvents> {
    /** Per-operation counters of API requests (control requests are not counted). */
    readonly calls = new CallCounter();
    /** Fault rules applied to API requests. */
    readonly faults = new FaultInjector();
    /** The clock used for delays and reboot windows. */
    readonly clock: Clock;
    readonly name: string;

    private readonly host: string;
    private readonly routes: Router;
    private readonly controlRoutes = new Router();
    private readonly formatError: ErrorBodyFormatter;
    private readonly log: (line: string) => void;
    private readonly server: Server;
    private readonly sockets = new Set<Socket>();
    private requestedPort: number;
    private boundPort: number | undefined;
    private lifecycle: DeviceServerState = "created";
    private rebootTimer: TimerHandle | undefined;
    /** Injected response delays, cancelled by stop() so no timer outlives the device. */
    private readonly delayTimers: TimerGroup;
    private onlineWaiters: Array<() => void> = [];

    constructor(options: DeviceServerOptions) {
        super();
        this.name = options.name;
        this.host = options.host ?? "127.0.0.1";
        this.requestedPort = options.port ?? 0;
        this.routes = options.routes;
        this.formatError = options.formatError;
        this.clock = options.clock ?? new SystemClock();
        this.delayTimers = new TimerGroup(this.clock);
        this.log = options.log ?? (() => undefined);
        for (const route of options.controlRoutes?.list() ?? []) this.controlRoutes.add(route);
        addCoreControlRoutes(this.controlRoutes, this, options.defaultRebootMs ?? (() => 1000));

        // requestTimeout 0: a multi-GiB upload may legitimately take longer than Node's 5-minute
        // default. Stalled uploads are caught by the vendor's idle timeout instead.
        this.server = createServer({ requestTimeout: 0 }, (req, res) => this.onRequest(req, res));
        this.server.on("connection", (socket) => {
            this.sockets.add(socket);
            socket.once("close", () => this.sockets.delete(socket));
        });
        this.server.on("clientError", (_error, socket) => {
            if (!socket.destroyed) socket.destroy();
        });
    }

    /** Current lifecycle state. */
    get state(): DeviceServerState {
        return this.lifecycle;
    }

    /** True while the device accepts connections. */
    get online(): boolean {
        return this.lifecycle === "online";
    }

    /** The bound port (known after `start()`). */
    get port(): number {
        if (this.boundPort === undefined) throw new Error(`Device [${this.name}] has not been started.`);
        return this.boundPort;
    }

    /** Base URL, e.g. `http://127.0.0.1:40123` (known after `start()`). */
    get url(): string {
        const host = this.host.includes(":") ? `[${this.host}]` : this.host;
        return `http://${host}:${this.port}`;
    }

    /** Start listening; resolves with the base URL. */
    async start(): Promise<string> {
        if (this.lifecycle !== "created") throw new Error(`Device [${this.name}] was already started.`);
        await this.listen(this.requestedPort);
        this.lifecycle = "online";
        this.log(`${this.name} listening on ${this.url}`);
        this.emit("online");
        return this.url;
    }

    /** Stop for good: cancel a pending reboot, close the listener and reset open connections. Idempotent. */
    async stop(): Promise<void> {
        if (this.lifecycle === "stopped") return;
        const wasListening = this.lifecycle === "online";
        this.lifecycle = "stopped";
        this.rebootTimer?.cancel();
        this.rebootTimer = undefined;
        this.delayTimers.cancelAll();
        if (wasListening) await this.closeListener();
        else this.resetAllConnections();
        this.releaseOnlineWaiters();
        this.emit("stopped");
    }

    /**
     * Simulate a reboot: refuse connections for `downtimeMs`, then listen again on the same port.
     * Resolves once the device is offline; use {@link DeviceServer.whenOnline} to wait for its return.
     * @throws Error if the device is not online.
     */
    async reboot(downtimeMs: number, hooks: RebootHooks = {}): Promise<void> {
        if (this.lifecycle !== "online") throw new Error(`Device [${this.name}] cannot reboot while ${this.lifecycle}.`);
        this.lifecycle = "rebooting";
        this.log(`${this.name} rebooting for ${downtimeMs} ms`);
        await this.closeListener();
        this.emit("offline");
        hooks.whileOffline?.();
        if ((this.lifecycle as DeviceServerState) === "stopped") return;
        this.rebootTimer = this.clock.setTimer(downtimeMs, () => {
            this.rebootTimer = undefined;
            void this.comeBackOnline(hooks).catch((error: unknown) => {
                this.log(`${this.name} could not listen again after reboot: ${(error as Error).message}`);
            });
        });
    }

    /** Resolves when the device is online (immediately if it is), or when it is stopped. */
    whenOnline(): Promise<void> {
        if (this.lifecycle === "online" || this.lifecycle === "stopped") return Promise.resolve();
        return new Promise((resolve) => this.onlineWaiters.push(resolve));
    }

    /** All API routes (for the control index). */
    apiRoutes(): ReturnType<Router["list"]> {
        return this.routes.list();
    }

    private async comeBackOnline(hooks: RebootHooks): Promise<void> {
        if (this.lifecycle !== "rebooting") return;
        hooks.beforeOnline?.();
        await this.listen(this.boundPort ?? this.requestedPort);
        if ((this.lifecycle as DeviceServerState) !== "rebooting") {
            // stop() ran while we were binding: undo the listen.
            await this.closeListener();
            return;
        }
        this.lifecycle = "online";
        this.log(`${this.name} back online on ${this.url}`);
        this.releaseOnlineWaiters();
        this.emit("online");
    }

    private releaseOnlineWaiters(): void {
        const waiters = this.onlineWaiters;
        this.onlineWaiters = [];
        for (const resolve of waiters) resolve();
    }

    private async listen(port: number): Promise<void> {
        for (let attempt = 1; ; attempt++) {
            try {
                await this.listenOnce(port);
                const address = this.server.address();
                if (address === null || typeof address === "string") throw new Error("Server has no TCP address.");
                this.boundPort = address.port;
                return;
            } catch (error) {
                const retryable = (error as NodeJS.ErrnoException).code === "EADDRINUSE" && port !== 0;
                if (!retryable || attempt >= REBIND_ATTEMPTS) throw error;
                // Real time, not simulated: this waits for the operating system, not for the device.
                await sleepRealTime(REBIND_PAUSE_MS);
            }
        }
    }

    private listenOnce(port: number): Promise<void> {
        return new Promise((resolve, reject) => {
            const onError = (error: Error) => {
                this.server.off("listening", onListening);
                reject(error);
            };
            const onListening = () => {
                this.server.off("error", onError);
                resolve();
            };
            this.server.once("error", onError);
            this.server.once("listening", onListening);
            this.server.listen({ port, host: this.host });
        });
    }

    private closeListener(): Promise<void> {
        return new Promise((resolve) => {
            // close() stops accepting at once; its callback waits for open connections, which we
            // reset right away so the callback follows promptly.
            this.server.close(() => resolve());
            this.resetAllConnections();
        });
    }

    private resetAllConnections(): void {
        for (const socket of this.sockets) resetSocket(socket);
        this.server.closeAllConnections();
    }

    private onRequest(req: IncomingMessage, res: ServerResponse): void {
        this.dispatch(req, res).catch((error: unknown) => this.answerError(req, res, error));
    }

    private async dispatch(req: IncomingMessage, res: ServerResponse): Promise<void> {
        const url = new URL(req.url ?? "/", "http://device.invalid");
        const method = (req.method ?? "GET").toUpperCase();
        if (url.pathname === CONTROL_PREFIX || url.pathname.startsWith(`${CONTROL_PREFIX}/`)) {
            await this.dispatchControl(req, res, url, method);
            return;
        }

        const match = this.routes.match(method, url.pathname);
        const operation = match.kind === "found" ? match.route.operation : UNMATCHED_OPERATION;
        this.calls.recordReceived(operation);
        res.once("finish", () => this.calls.recordOutcome(operation, res.statusCode));

        const decision = this.faults.take(operation);
        if (decision.delayMs > 0) {
            // If the device stops meanwhile, the timer is cancelled and this request is dropped with its socket.
            await new Promise<void>((resolve) => this.delayTimers.after(decision.delayMs, resolve));
        }
        if (decision.action !== undefined) {
            this.calls.recordFault(operation);
            this.applyFault(req, res, decision.action, operation);
            return;
        }
        await this.runRoute(req, res, url, match);
    }

    private async runRoute(req: IncomingMessage, res: ServerResponse, url: URL, match: RouteMatch): Promise<void> {
        if (match.kind === "not-found") {
            throw new SimulatorHttpError(404, CoreErrorCodes.notFound, `No resource at ${url.pathname}.`);
        }
        if (match.kind === "method-not-allowed") {
            throw new SimulatorHttpError(405, CoreErrorCodes.methodNotAllowed, `Method ${req.method} is not allowed on ${url.pathname}.`, {
                Allow: match.allowedMethods.join(", "),
            });
        }
        await match.route.handler({ req, res, url, params: match.params, operation: match.route.operation });
    }

    private async dispatchControl(req: IncomingMessage, res: ServerResponse, url: URL, method: string): Promise<void> {
        const match = this.controlRoutes.match(method, url.pathname);
        try {
            if (match.kind !== "found") {
                const status = match.kind === "not-found" ? 404 : 405;
                throw new SimulatorHttpError(status, "UNKNOWN_CONTROL_ROUTE", `No control route ${method} ${url.pathname}.`);
            }
            await match.route.handler({ req, res, url, params: match.params, operation: match.route.operation });
        } catch (error) {
            // Control answers use one neutral shape, whatever the vendor.
            if (res.headersSent) {
                res.destroy();
                return;
            }
            const httpError = toHttpError(error);
            if (httpError.status >= 500) this.log(`${this.name} control error: ${(error as Error).stack ?? String(error)}`);
            sendJson(
                res,
                httpError.status,
                { code: httpError.code, message: httpError.message },
                connectionHeaders(req, httpError.headers),
            );
        }
    }

    private applyFault(req: IncomingMessage, res: ServerResponse, action: NonNullable<FaultDecision["action"]>, operation: string): void {
        switch (action.kind) {
            case "reset":
                this.calls.recordOutcome(operation, "reset");
                resetSocket(req.socket);
                return;
            case "error":
                sendJson(
                    res,
                    action.status,
                    this.formatError(
                        action.status,
                        CoreErrorCodes.injectedServerError,
                        `Injected server error (fault rule ${action.ruleId}).`,
                    ),
                    connectionHeaders(req),
                );
                return;
            case "throttle":
                sendJson(
                    res,
                    429,
                    this.formatError(429, CoreErrorCodes.injectedThrottle, `Too many requests; retry after ${action.retryAfterSeconds} s.`),
                    connectionHeaders(req, { "Retry-After": String(action.retryAfterSeconds) }),
                );
                return;
        }
    }

    private answerError(req: IncomingMessage, res: ServerResponse, error: unknown): void {
        if (res.headersSent || res.destroyed) {
            res.destroy();
            return;
        }
        const httpError = toHttpError(error);
        if (httpError.status >= 500) this.log(`${this.name} handler error: ${(error as Error).stack ?? String(error)}`);
        sendJson(
            res,
            httpError.status,
            this.formatError(httpError.status, httpError.code, httpError.message),
            connectionHeaders(req, httpError.headers),
        );
    }
}

function toHttpError(error: unknown): SimulatorHttpError {
    if (error instanceof SimulatorHttpError) return error;
    return new SimulatorHttpError(500, CoreErrorCodes.internalError, "Internal simulator error.");
}

/**
 * Ask the client to close the connection when we answer before reading its whole body: otherwise
 * Node would first read (and discard) the rest, which for a multi-GiB upload is the opposite of a
 * quick rejection.
 */
function connectionHeaders(req: IncomingMessage, headers: Readonly<Record<string, string>> = {}): Record<string, string> {
    const hasBody = req.headers["transfer-encoding"] !== undefined || Number(req.headers["content-length"] ?? 0) > 0;
    return hasBody && !req.complete ? { ...headers, Connection: "close" } : { ...headers };
}

/** Destroy a socket with a TCP RST (ECONNRESET for the peer) when possible, else a plain destroy. */
function resetSocket(socket: Socket): void {
    if (socket.destroyed) return;
    try {
        socket.resetAndDestroy();
    } catch {
        socket.destroy();
    }
}
