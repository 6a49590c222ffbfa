/**
 * The references of bench/preview-scale: `bench:count` resources of a dynamic provider that does nothing, so a
 * preview costs only what the engine, the SDK and the language host cost per dynamic resource. One provider
 * object shared by every resource, as a hand-written dynamic provider would have it.
 *
 * `bench:outputs` adds that many output properties declared the way this package's kinds declare theirs (an
 * `undefined` input per output), so a reference can have as many properties per resource as the fleet's.
 */
import * as pulumi from "@pulumi/pulumi";

const config = new pulumi.Config("bench");
const count = config.requireNumber("count");
const outputs = config.getNumber("outputs") ?? 0;
const outputPlaceholders = Object.fromEntries(Array.from({ length: outputs }, (_, i) => [`output${i}`, undefined]));

const noop: pulumi.dynamic.ResourceProvider = {
    async create(inputs) {
        const outs: Record<string, unknown> = { ...inputs };
        for (let i = 0; i < outputs; i++) outs[`output${i}`] = "";
        return { id: inputs.name, outs };
    },
    async diff() {
        return { changes: false };
    },
};

class Noop extends pulumi.dynamic.Resource {
    constructor(name: string, args: Record<string, unknown>) {
        super(noop, name, { ...args, ...outputPlaceholders }, undefined, "bench", "Noop");
    }
}

for (let i = 0; i < count; i++) {
    new Noop(`noop-${i}`, { name: `device-${i}`, site: `site-${i % 5}`, version: "1.0.0" });
}
