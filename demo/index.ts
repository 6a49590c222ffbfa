// The root Pulumi program. It becomes the mixed-fleet demo (Riverbed devices and an Appgate
// collective, upgraded in waves) when the vendor resources land; until then it only declares
// what it will show.
export const status = "pulumi-upgrades: the mixed-fleet demo arrives with the vendor resources";
