/**
 * What a stack's state is made of: the bytes of `pulumi stack export` per resource, and per kind how much of a
 * resource is the serialized provider (`__provider`, stored in both inputs and outputs), the other inputs and the
 * other outputs. Engine-owned resources (the stack, default providers) count in the total, not in the kinds.
 */

export interface KindFigures {
    count: number;
    /** Average bytes per resource: the whole resource entry, the two `__provider` copies, inputs and outputs without them. */
    bytes: number;
    provider: number;
    inputs: number;
    outputs: number;
}

export interface StateFigures {
    totalBytes: number;
    resources: number;
    bytesPerResource: number;
    /** Properties a resource registers (its output keys: every input, every output, `__provider`), on average. */
    propertiesPerResource: number;
    byKind: Record<string, KindFigures>;
}

type Props = Record<string, unknown> | undefined;

const size = (v: unknown) => Buffer.byteLength(JSON.stringify(v ?? {}));
const without = (p: Props, key: string) => Object.fromEntries(Object.entries(p ?? {}).filter(([k]) => k !== key));

export function stateBreakdown(exported: string): StateFigures {
    const resources: { type: string; inputs?: Props; outputs?: Props }[] = JSON.parse(exported).deployment.resources ?? [];
    const custom = resources.filter((r) => !r.type.startsWith("pulumi:"));
    const byKind: Record<string, KindFigures> = {};
    let properties = 0;
    for (const r of custom) {
        properties += Object.keys(r.outputs ?? {}).length;
        const kind = r.type.replace(/^pulumi-nodejs:dynamic\//, "");
        const k = (byKind[kind] ??= { count: 0, bytes: 0, provider: 0, inputs: 0, outputs: 0 });
        k.count++;
        k.bytes += size(r);
        k.provider += size(r.inputs?.__provider) + size(r.outputs?.__provider);
        k.inputs += size(without(r.inputs, "__provider"));
        k.outputs += size(without(r.outputs, "__provider"));
    }
    for (const k of Object.values(byKind)) {
        for (const f of ["bytes", "provider", "inputs", "outputs"] as const) k[f] /= k.count;
    }
    const totalBytes = Buffer.byteLength(exported);
    return {
        totalBytes,
        resources: custom.length,
        bytesPerResource: totalBytes / Math.max(1, custom.length),
        propertiesPerResource: properties / Math.max(1, custom.length),
        byKind,
    };
}
