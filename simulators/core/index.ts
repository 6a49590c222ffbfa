/**
 * Vendor-neutral building blocks for device simulators: HTTP server with reboot windows, routing,
 * fault injection, call counting, tokens, streaming bodies, clocks, fleets and the CLI registry.
 */
export { CallCounter, UNMATCHED_OPERATION } from "./call-counter";
export type { OperationCallStats } from "./call-counter";
export { ManualClock, SystemClock, TimerGroup } from "./clock";
export type { Clock, TimerHandle } from "./clock";
export { addCoreControlRoutes, CONTROL_PREFIX } from "./control-routes";
export { DeviceServer } from "./device-server";
export type { DeviceServerEvents, DeviceServerOptions, DeviceServerState, RebootHooks } from "./device-server";
export { FaultInjector, parseFaultSpec, UNLIMITED } from "./faults";
export type {
    DelayFaultSpec,
    ErrorFaultSpec,
    FaultCount,
    FaultDecision,
    FaultRule,
    FaultSpec,
    ResetFaultSpec,
    ThrottleFaultSpec,
} from "./faults";
export { startFleet, startNamedFleet } from "./fleet";
export { SimulatedAppliance } from "./simulated-appliance";
export type { Fleet, SimulatedDevice } from "./fleet";
export { CoreErrorCodes, SimulatorHttpError } from "./http-error";
export type { ErrorBodyFormatter } from "./http-error";
export { DEFAULT_JSON_BODY_LIMIT_BYTES, discardBody, isJsonObject, readJsonBody, sendJson, sendNoContent } from "./http-io";
export { Router } from "./router";
export { scaleTimings } from "./timings";
export type { RouteContext, RouteDefinition, RouteHandler, RouteMatch } from "./router";
export { consumeStream } from "./streaming";
export type { ConsumedStream, ConsumeStreamOptions } from "./streaming";
export { TokenStore } from "./tokens";
export type { IssuedToken, IssueTokenArgs, TokenLookup } from "./tokens";
export { VendorRegistry } from "./vendor-registry";
export type { SimulatorVendor, VendorCliOption, VendorStartArgs } from "./vendor-registry";
