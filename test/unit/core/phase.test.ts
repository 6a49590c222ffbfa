import { InputError, VendorFailureError } from "../../../provider/core/errors";
import { inPhase, PhaseError, phaseFailure } from "../../../provider/core/phase";
import { WaitFailedError, WaitTimeoutError } from "../../../provider/core/waiter";

const subject = "acme device https://10.0.0.5";

test("a failure state seen by a wait becomes a VendorFailureError with the phase and the vendor's words", () => {
    const err = phaseFailure(subject, "installing", new WaitFailedError("x", { state: "FAILED", detail: "disk full" }, 10, {}));
    expect(err).toBeInstanceOf(VendorFailureError);
    expect(err.message).toBe("acme device https://10.0.0.5: installing failed in state FAILED: disk full");
});

test("plain errors are wrapped as PhaseError; descriptive errors pass unchanged; input errors get the subject", () => {
    const wrapped = phaseFailure(subject, "starting the update", new Error("socket hang up"));
    expect(wrapped).toBeInstanceOf(PhaseError);
    expect(wrapped.message).toBe("acme device https://10.0.0.5: starting the update failed: socket hang up");
    const timeout = new WaitTimeoutError("x", undefined, 1, {}, 1, ["DONE"], undefined);
    expect(phaseFailure(subject, "p", timeout)).toBe(timeout);
    expect(phaseFailure(subject, "p", wrapped)).toBe(wrapped);
    expect(phaseFailure(subject, "p", new InputError("site", "unknown site")).message).toBe(
        "acme device https://10.0.0.5: [site] unknown site",
    );
});

test("inPhase wraps what fails inside it and leaves input errors alone", async () => {
    await expect(inPhase(subject, "listing images", async () => Promise.reject(new Error("ECONNRESET")))).rejects.toThrow(
        "acme device https://10.0.0.5: listing images failed: ECONNRESET",
    );
    const input = new InputError("file", "cannot read");
    await expect(inPhase(subject, "x", async () => Promise.reject(input))).rejects.toBe(input);
    await expect(inPhase(subject, "x", async () => 42)).resolves.toBe(42);
});
