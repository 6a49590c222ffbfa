/**
 * API versions of the loopback settings server. The server states the version of its API in the
 * login answer (`apiVersion: "1.3"`); this client speaks major version 1 and refuses another major
 * at login with a message saying which one it met, instead of misreading the answers later.
 * A server that does not state a version is taken to speak 1.x (the first servers did not).
 */

/** The API major version this client speaks. */
export const LOOPBACK_API_MAJOR = 1;

/** `"1.3"` → `{major: 1, minor: 3}`; undefined when the text is not `<major>.<minor>`. */
export function parseApiVersion(text: string): { major: number; minor: number } | undefined {
    const m = /^\s*(\d+)\.(\d+)\s*$/.exec(text);
    return m ? { major: Number(m[1]), minor: Number(m[2]) } : undefined;
}

/** Undefined when the client can talk to a server reporting `reported`; otherwise why not. */
export function unsupportedApiVersion(reported: string | undefined): string | undefined {
    if (reported === undefined) {
        return undefined;
    }
    const v = parseApiVersion(reported);
    if (!v) {
        return `the server reports API version ${JSON.stringify(reported)}, which is not <major>.<minor>`;
    }
    return v.major === LOOPBACK_API_MAJOR ? undefined : `the server speaks API ${reported}; this client speaks ${LOOPBACK_API_MAJOR}.x`;
}
