/**
 * Errors a simulated endpoint throws to answer with a vendor-shaped error body.
 *
 * Handlers throw {@link SimulatorHttpError}; the device server turns it into a response using the
 * vendor's {@link ErrorBodyFormatter} (Riverbed answers `{error_id, error_text}`, Appgate `{id, message}`),
 * so the core never needs to know any vendor's error shape.
 */

/** An HTTP error answer: status code, a stable machine-readable code and a human sentence. */
export class SimulatorHttpError extends Error {
    /**
     * @param status HTTP status code to answer with.
     * @param code stable machine-readable error code (for example `INVALID_STATE`).
     * @param message one human-readable sentence.
     * @param headers extra response headers (for example `Retry-After`).
     */
    constructor(
        readonly status: number,
        readonly code: string,
        message: string,
        readonly headers: Readonly<Record<string, string>> = {},
    ) {
        super(message);
        this.name = "SimulatorHttpError";
    }
}

/** Builds a vendor's JSON error body from a status, an error code and a message. */
export type ErrorBodyFormatter = (status: number, code: string, message: string) => unknown;

/** Generic error codes the core itself produces; vendors may map them to their own wording. */
export const CoreErrorCodes = {
    notFound: "RESOURCE_NOT_FOUND",
    methodNotAllowed: "METHOD_NOT_ALLOWED",
    invalidJson: "INVALID_JSON",
    bodyTooLarge: "REQUEST_TOO_LARGE",
    injectedServerError: "INJECTED_SERVER_ERROR",
    injectedThrottle: "TOO_MANY_REQUESTS",
    internalError: "INTERNAL_ERROR",
} as const;
