/**
 * The reference of bench/preview-scale: `bench:count` resources of a dynamic provider that does nothing, so a
 * preview costs only what the engine, the SDK and the language host cost per dynamic resource. One provider
 * object shared by every resource, as a hand-written dynamic provider would have it.
 */
import * as pulumi from "@pulumi/pulumi";

const noop: pulumi.dynamic.ResourceProvider = {
    async create(inputs) {
        return { id: inputs.name, outs: inputs };
    },
    async diff() {
        return { changes: false };
    },
};

class Noop extends pulumi.dynamic.Resource {
    constructor(name: string, args: { name: string; site: string; version: string }) {
        super(noop, name, args, undefined, "bench", "Noop");
    }
}

const count = new pulumi.Config("bench").requireNumber("count");
for (let i = 0; i < count; i++) {
    new Noop(`noop-${i}`, { name: `device-${i}`, site: `site-${i % 5}`, version: "1.0.0" });
}
