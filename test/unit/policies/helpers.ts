import type { ResourceValidationArgs, ResourceValidationPolicy } from "@pulumi/policy";

/** Runs one resource policy on fake args, collecting violations (the pattern of pulumi-policy's tests). */
export async function violations(
    policy: ResourceValidationPolicy,
    type: string,
    props: Record<string, unknown>,
    config: Record<string, unknown> = {},
): Promise<string[]> {
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

import type { PolicyResource, StackValidationArgs, StackValidationPolicy } from "@pulumi/policy";

/** A fake stack resource for stack policies. */
export function resource(name: string, type: string, props: Record<string, unknown>, dependsOn: PolicyResource[] = []): PolicyResource {
    return {
        type,
        props,
        urn: `urn:pulumi:dev::fleet::${type}::${name}`,
        name,
        opts: {},
        dependencies: dependsOn,
        propertyDependencies: {},
        isType: () => false,
        asType: () => undefined,
    } as unknown as PolicyResource;
}

/** Runs a stack policy on fake resources, collecting violations. */
export async function stackViolations(
    policy: StackValidationPolicy,
    resources: PolicyResource[],
    config: Record<string, unknown> = {},
): Promise<string[]> {
    const found: string[] = [];
    const args = { resources, getConfig: <T>() => config as T } as unknown as StackValidationArgs;
    await policy.validateStack(args, (message: string) => found.push(message));
    return found;
}
