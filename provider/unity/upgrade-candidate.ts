import * as pulumi from "@pulumi/pulumi";
import { secretConnection } from "../core/connection-args";
import type { UnityConnectionArgs } from "./connection-args";
import { unityKinds } from "./kinds";

/** Inputs of {@link UpgradeCandidate}. */
export interface UpgradeCandidateArgs {
    /** The array; see {@link UnityConnectionArgs} for the `unity:*` config and `UNITY_*` env fallbacks. */
    connection?: UnityConnectionArgs;
    /**
     * Local candidate file (e.g. `Unity-5.3.0.0.5.120.tgz.bin.gpg` from Dell support), streamed as
     * `multipart/form-data` and hashed in the same pass. Checked for existence at preview.
     * **Changing it replaces the array's candidate** (delete-before-replace: Unity holds one).
     */
    file: pulumi.Input<string>;
    /**
     * The version the file contains, e.g. `5.3.0.0.5.120`. When given, a candidate of that version
     * already on the array is adopted instead of uploaded again, and an upload that lists another
     * version fails. Changing it replaces the candidate.
     */
    expectedVersion?: pulumi.Input<string>;
}

/**
 * The upgrade candidate of a Dell Unity array: the software package a {@link UpgradeSession}
 * installs, uploaded through Unisphere (`POST /upload/files/types/candidateSoftwareVersion`).
 *
 * **The array holds a single candidate.** Uploading replaces whatever candidate it had, so changing
 * `file` shows in the preview as a delete-before-replace of this resource; two `UpgradeCandidate`s
 * for one array would overwrite each other. Destroy only forgets the resource (the API has no
 * candidate delete); a completed upgrade removes the candidate from the array.
 *
 * - The upload returns no id: the candidate is found by listing `candidateSoftwareVersion`.
 * - With `expectedVersion`, an identical candidate already on the array is adopted, not re-uploaded.
 * - A refused file (bad signature, a session in progress) fails with the array's message; nothing is
 *   kept in state.
 *
 * @example
 * ```ts
 * const candidate = new unity.UpgradeCandidate("unity-5.3", {
 *     file: "images/Unity-5.3.0.0.5.120.tgz.bin.gpg",
 *     expectedVersion: "5.3.0.0.5.120",
 * });
 * export const candidateId = candidate.candidateId;
 * ```
 */
export class UpgradeCandidate extends pulumi.dynamic.Resource {
    /** Type token, for policies (`validateResourceOfType`). */
    static readonly __pulumiType = unityKinds.UpgradeCandidate.typeToken;

    declare readonly file: pulumi.Output<string>;
    declare readonly expectedVersion: pulumi.Output<string | undefined>;
    /** The array's id of the candidate (`candidateSoftwareVersion.id`). */
    declare readonly candidateId: pulumi.Output<string>;
    /** The version the array read from the candidate, e.g. `5.3.0.0.5.120`. */
    declare readonly version: pulumi.Output<string>;
    /** `Software`, `Firmware` or `LanguagePack`. */
    declare readonly type: pulumi.Output<string>;
    declare readonly rebootRequired: pulumi.Output<boolean>;
    /** Whether a session may stop before the first SP reboot (`pauseBeforeReboot`). */
    declare readonly canPauseBeforeReboot: pulumi.Output<boolean>;
    /** SHA-256 of the file. */
    declare readonly sha256: pulumi.Output<string>;
    declare readonly sizeBytes: pulumi.Output<number>;
    /** True when a candidate already on the array was adopted. */
    declare readonly adopted: pulumi.Output<boolean>;

    constructor(name: string, args: UpgradeCandidateArgs, opts?: pulumi.CustomResourceOptions) {
        const kind = unityKinds.UpgradeCandidate;
        const props = {
            __logName: name,
            ...args,
            ...(args.connection && { connection: secretConnection(args.connection) }),
            expectedVersion: args.expectedVersion,
            candidateId: undefined,
            version: undefined,
            type: undefined,
            rebootRequired: undefined,
            canPauseBeforeReboot: undefined,
            sha256: undefined,
            sizeBytes: undefined,
            adopted: undefined,
        };
        super(kind.provider, name, props, opts, kind.vendor, kind.kind);
    }
}
