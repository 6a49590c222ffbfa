/**
 * The resource kinds of the Avisi Cloud vendor — the one place a kind is registered. Class files
 * take their type token and serialized provider from here, `handlers.ts` binds each kind to its
 * handler, and the policy pack reads the list through `provider/kinds.ts`.
 */

import { defineKind } from "../core/kind";

/** Kinds of the Avisi Cloud vendor, by kind name. */
export const avisiKinds = {
    ScheduledClusterUpgrade: defineKind("avisi", "ScheduledClusterUpgrade"),
    MaintenanceSchedule: defineKind("avisi", "MaintenanceSchedule"),
};
