#!/usr/bin/env node
// The mixed-fleet demo (issue: "The main job") arrives with the vendor resources.
// Until then this says so and exits successfully, so `npm ci && npm run demo` stays true.
console.log("pulumi-upgrades demo: the mixed-fleet demo arrives with the vendor resources (Riverbed, Appgate).");
console.log("Meanwhile `npm test` runs the end-to-end tests against the real Pulumi CLI.");
