/**
 * What the Avi handlers share beyond core: which errors an upgrade wait rides out.
 */

import { isTransientError, VendorApiError } from "../core/errors";

/**
 * Errors worth waiting out while an upgrade runs: network failures and 5xx/429 (the reboot window),
 * 403 (AKO maps it to "controller upgrade in progress", avi.md §2), and a session that expired again
 * right after the session's one re-login (401/419 on an API call; the next poll logs in afresh). A
 * refused login itself (bad credentials) is not transient.
 */
export function isUpgradeTransient(err: unknown): boolean {
    if (isTransientError(err)) return true;
    if (!(err instanceof VendorApiError) || err.path === "/login") return false;
    return err.status === 403 || err.status === 401 || err.status === 419;
}
