import type { ResourceValidationArgs, ResourceValidationPolicy } from "@pulumi/policy";

/** Runs one resource policy on fake args, collecting violations (the pattern of pulumi-policy's tests). */
export async function violations(policy: ResourceValidationPolicy, type: string, props: Record<string, unknown>, config: Record<string, unknown> = {}): Promise<string[]> {
    const found: string[] = [];
    const args = {
        type,
        props,
        urn: `urn:pulumi:test::test::${type}::r1`,
        name: "r1",
        opts: {},
        getConfig: <T>() => config as T,
        notApplicable: (reason?: string) => {
            throw new Error(`notApplicable called: ${reason}`);
        },
        isType: () => false,
        asType: () => undefined,
    } as unknown as ResourceValidationArgs;
    const validate = policy.validateResource;
    for (const v of Array.isArray(validate) ? validate : validate ? [validate] : []) {
        await v(args, (message: string) => found.push(message));
    }
    return found;
}
