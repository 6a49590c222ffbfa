// Our addition to the upstream Node.js language host (not an upstream file). scripts/pulumi-engine.sh copies
// it next to the upstream sources in a scratch directory before building.
//
// Why: the host's monitor proxy (upstream proxy.go, type monitorProxy) forwards every ResourceMonitor call the
// Node.js program makes to the engine. Its v3.259.0 sources predate ExistsResource, which the ResourceMonitor
// service of sdk v3.276.0 declares, so without this method the proxy does not satisfy the server interface and
// the host does not compile. Like every other proxy method, it forwards the request unchanged.

package main

import (
	"context"

	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

func (p *monitorProxy) ExistsResource(
	ctx context.Context, req *pulumirpc.ExistsResourceRequest,
) (*pulumirpc.ExistsResourceResponse, error) {
	return p.target.ExistsResource(ctx, req)
}
