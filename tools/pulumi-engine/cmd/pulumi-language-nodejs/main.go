// Command pulumi-language-nodejs is a small, offline-friendly Node.js language host for the Pulumi engine
// that scripts/pulumi-engine.sh builds next to the `pulumi` CLI.
//
// Why it exists: the upstream language host lives in its own Go module
// (github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3), which the Go module proxy available to
// this project does not serve at any version, so it cannot be built from modules. This program is our own
// implementation of the pulumirpc.LanguageRuntime gRPC service, written against the published SDK
// (github.com/pulumi/pulumi/sdk/v3) only. It starts the Node.js runners that ship inside the npm package
// @pulumi/pulumi, resolved from the program (or policy pack) directory, so the Node side of the protocol is
// always the one the project installed.
//
// What it supports (enough for `pulumi preview|up|refresh|destroy|stack export`, `--policy-pack`, and the
// Automation API with a local work directory, for JavaScript and TypeScript programs):
//
//   - Run: runs the program with `node <@pulumi/pulumi/cmd/run> --monitor ... <entry point>`, passing the
//     stack config through PULUMI_CONFIG / PULUMI_CONFIG_SECRET_KEYS and TypeScript settings through
//     PULUMI_NODEJS_TYPESCRIPT / PULUMI_NODEJS_TSCONFIG_PATH; Pulumi.yaml runtime options `typescript`,
//     `tsconfig` and `nodeargs` are honoured.
//   - RunPlugin: starts Node.js policy packs (kind "analyzer", via @pulumi/pulumi/cmd/run-policy-pack; this is
//     how CLI >= 3.221 launches a pack whose PulumiPolicy.yaml says `runtime: nodejs`) and other Node.js plugins
//     (via @pulumi/pulumi/cmd/run-plugin), streaming their output back to the engine.
//   - Handshake, GetPluginInfo, GetRequiredPlugins, GetRequiredPackages, InstallDependencies (no-op), About,
//     GetProgramDependencies and Cancel.
//
// Not supported (the RPCs answer Unimplemented): code generation (GenerateProgram, GenerateProject,
// GeneratePackage), Pack, Link, Template, RuntimeOptionsPrompts, debugger attachment, the bun runtime, and
// synchronous invokes (the deprecated `--sync` pipes). Policy packs do not receive the stack's project, stack
// name or config in their environment (the upstream host proxies the pack's gRPC server to obtain them);
// @pulumi/policy still receives stack tags through its own ConfigureStack RPC.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"google.golang.org/grpc"

	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	"github.com/pulumi/pulumi/sdk/v3/go/common/version"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintf(os.Stderr, "pulumi-language-nodejs: %v\n", err)
		os.Exit(1)
	}
}

func run() error {
	flags := flag.NewFlagSet("pulumi-language-nodejs", flag.ContinueOnError)
	// The engine may pass logging and tracing flags before the engine address
	// (see buildPluginArguments in sdk/go/common/resource/plugin/plugin.go). We accept them; only --tracing
	// is forwarded (to the Node.js runner, which ignores it unless PULUMI_EXPERIMENTAL is set).
	tracing := flags.String("tracing", "", "Zipkin-compatible tracing endpoint (forwarded to the Node.js runner)")
	flags.Int("v", 0, "log verbosity (accepted for compatibility, ignored)")
	flags.Bool("logtostderr", false, "log to stderr (accepted for compatibility, ignored)")
	flags.Bool("logflow", false, "flow logging settings to children (accepted for compatibility, ignored)")
	runtimeName := flags.String("runtime", "nodejs", "JavaScript runtime; only nodejs is supported")
	showVersion := flags.Bool("version", false, "print the plugin version and exit")
	if err := flags.Parse(os.Args[1:]); err != nil {
		return err
	}
	if *showVersion {
		fmt.Println(version.Version)
		return nil
	}
	if *runtimeName != "nodejs" {
		return fmt.Errorf("unsupported runtime %q: this language host only runs node", *runtimeName)
	}

	// The engine passes its own gRPC address as the only positional argument.
	var engineAddress string
	if flags.NArg() > 0 {
		engineAddress = flags.Arg(0)
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	if engineAddress != "" {
		// Shut down if the engine goes away without stopping us (e.g. it was killed).
		if err := rpcutil.Healthcheck(ctx, engineAddress, 5*time.Minute, stop); err != nil {
			return fmt.Errorf("could not start engine health check: %w", err)
		}
	}

	host := newHost(engineAddress, *tracing)

	cancel := make(chan bool)
	go func() {
		<-ctx.Done()
		host.cancelAll()
		close(cancel)
	}()

	handle, err := rpcutil.ServeWithOptions(rpcutil.ServeOptions{
		Cancel: cancel,
		Init: func(srv *grpc.Server) error {
			pulumirpc.RegisterLanguageRuntimeServer(srv, host)
			return nil
		},
	})
	if err != nil {
		return fmt.Errorf("could not start language host gRPC server: %w", err)
	}

	// The engine reads the port from the first line of our stdout.
	fmt.Printf("%d\n", handle.Port)

	if err := <-handle.Done; err != nil && !errors.Is(err, context.Canceled) {
		return fmt.Errorf("language host gRPC server stopped: %w", err)
	}
	return nil
}
