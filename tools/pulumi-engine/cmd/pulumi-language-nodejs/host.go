package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/google/shlex"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/emptypb"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/config"
	"github.com/pulumi/pulumi/sdk/v3/go/common/version"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

const (
	// Node.js entry points shipped in the @pulumi/pulumi npm package.
	programRunner    = "@pulumi/pulumi/cmd/run"
	policyPackRunner = "@pulumi/pulumi/cmd/run-policy-pack"
	pluginRunner     = "@pulumi/pulumi/cmd/run-plugin"

	// Exit code with which the @pulumi/pulumi runners say "the error was already reported to the user"
	// (nodeJSProcessExitedAfterLoggingUserActionableMessage in cmd/run/index.js). The engine is then told
	// to bail out without printing anything more.
	exitCodeErrorAlreadyReported = 32

	// How long a child gets to exit after SIGINT before it is killed.
	childStopGrace = 5 * time.Second
)

// host implements pulumirpc.LanguageRuntimeServer for Node.js programs.
type host struct {
	pulumirpc.UnimplementedLanguageRuntimeServer

	tracing string

	mu            sync.Mutex
	engineAddress string

	// cancelCtx is cancelled by the Cancel RPC or on shutdown; every child process is tied to it.
	cancelCtx  context.Context
	cancelFunc context.CancelFunc
}

func newHost(engineAddress, tracing string) *host {
	ctx, cancel := context.WithCancel(context.Background())
	return &host{
		engineAddress: engineAddress,
		tracing:       tracing,
		cancelCtx:     ctx,
		cancelFunc:    cancel,
	}
}

func (h *host) cancelAll() { h.cancelFunc() }

func (h *host) engine() string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.engineAddress
}

// Handshake records the engine address (used when the engine attaches to an already running host instead of
// passing the address on the command line). Root and program directories need no set-up here: every request
// carries its own ProgramInfo.
func (h *host) Handshake(
	_ context.Context, req *pulumirpc.LanguageHandshakeRequest,
) (*pulumirpc.LanguageHandshakeResponse, error) {
	if addr := req.GetEngineAddress(); addr != "" {
		h.mu.Lock()
		h.engineAddress = addr
		h.mu.Unlock()
	}
	return &pulumirpc.LanguageHandshakeResponse{}, nil
}

// GetPluginInfo reports the version stamped at build time with
// -ldflags "-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v<ver>".
func (h *host) GetPluginInfo(context.Context, *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: version.Version}, nil
}

// GetRequiredPlugins answers with no plugins. The programs this host is built for use only dynamic
// resources, whose provider (pulumi-resource-pulumi-nodejs) ships next to the CLI, so there is nothing to
// pre-install; any other provider is still loaded on demand when the program registers a resource with it.
func (h *host) GetRequiredPlugins(
	context.Context, *pulumirpc.GetRequiredPluginsRequest,
) (*pulumirpc.GetRequiredPluginsResponse, error) {
	return &pulumirpc.GetRequiredPluginsResponse{}, nil
}

// GetRequiredPackages answers with no packages, for the same reason as GetRequiredPlugins.
func (h *host) GetRequiredPackages(
	context.Context, *pulumirpc.GetRequiredPackagesRequest,
) (*pulumirpc.GetRequiredPackagesResponse, error) {
	return &pulumirpc.GetRequiredPackagesResponse{}, nil
}

// InstallDependencies does not install anything: the project installs its Node.js dependencies with npm
// itself. It only reports that, so `pulumi install` succeeds.
func (h *host) InstallDependencies(
	req *pulumirpc.InstallDependenciesRequest, server pulumirpc.LanguageRuntime_InstallDependenciesServer,
) error {
	dir := programDirectory(req.GetInfo(), req.GetDirectory())
	msg := fmt.Sprintf("pulumi-language-nodejs: not installing dependencies in %s; run npm install there\n", dir)
	return server.Send(&pulumirpc.InstallDependenciesResponse{Stdout: []byte(msg)})
}

// About reports which node executable runs programs and its version.
func (h *host) About(ctx context.Context, _ *pulumirpc.AboutRequest) (*pulumirpc.AboutResponse, error) {
	node, err := exec.LookPath("node")
	if err != nil {
		return nil, status.Errorf(codes.FailedPrecondition, "could not find node on $PATH: %v", err)
	}
	out, err := exec.CommandContext(ctx, node, "--version").Output()
	if err != nil {
		return nil, fmt.Errorf("running %s --version: %w", node, err)
	}
	return &pulumirpc.AboutResponse{
		Executable: node,
		Version:    strings.TrimPrefix(strings.TrimSpace(string(out)), "v"),
		Metadata:   map[string]string{"languageHost": "pulumi-upgrades tools/pulumi-engine"},
	}, nil
}

// GetProgramDependencies lists the dependencies and devDependencies declared in the program's package.json,
// with the version installed in node_modules (found the way Node.js would, walking up the directory tree),
// or the declared range when the package is not installed. Transitive dependencies are not listed.
func (h *host) GetProgramDependencies(
	_ context.Context, req *pulumirpc.GetProgramDependenciesRequest,
) (*pulumirpc.GetProgramDependenciesResponse, error) {
	dir := programDirectory(req.GetInfo(), req.GetPwd())
	manifest, err := readPackageJSON(filepath.Join(dir, "package.json"))
	if err != nil {
		return nil, fmt.Errorf("reading the program's package.json: %w", err)
	}
	declared := map[string]string{}
	for name, want := range manifest.DevDependencies {
		declared[name] = want
	}
	for name, want := range manifest.Dependencies {
		declared[name] = want
	}
	names := make([]string, 0, len(declared))
	for name := range declared {
		names = append(names, name)
	}
	sort.Strings(names)

	deps := make([]*pulumirpc.DependencyInfo, 0, len(names))
	for _, name := range names {
		v := declared[name]
		if installed := installedVersion(dir, name); installed != "" {
			v = installed
		}
		deps = append(deps, &pulumirpc.DependencyInfo{Name: name, Version: v})
	}
	return &pulumirpc.GetProgramDependenciesResponse{Dependencies: deps}, nil
}

// Cancel asks every running program or plugin to stop (SIGINT, then SIGKILL after a grace period).
func (h *host) Cancel(context.Context, *emptypb.Empty) (*emptypb.Empty, error) {
	h.cancelFunc()
	return &emptypb.Empty{}, nil
}

// Run executes a Pulumi program with the @pulumi/pulumi program runner found from the program directory.
// Program failures are reported in RunResponse.Error (or as Bail when the runner already printed them);
// gRPC errors are reserved for malformed requests.
func (h *host) Run(ctx context.Context, req *pulumirpc.RunRequest) (*pulumirpc.RunResponse, error) {
	info := req.GetInfo()
	dir := programDirectory(info, req.GetPwd())
	if dir == "" {
		return nil, status.Error(codes.InvalidArgument, "RunRequest has no program directory")
	}
	entry := req.GetProgram() //nolint:staticcheck // fallback for requests without ProgramInfo
	if info != nil && info.GetEntryPoint() != "" {
		entry = info.GetEntryPoint()
	}
	if entry == "" {
		entry = "."
	}

	opts, err := parseRuntimeOptions(info)
	if err != nil {
		return &pulumirpc.RunResponse{Error: err.Error()}, nil
	}

	node, err := exec.LookPath("node")
	if err != nil {
		return &pulumirpc.RunResponse{Error: fmt.Sprintf("could not find node on $PATH: %v", err)}, nil
	}

	runner := os.Getenv("PULUMI_LANGUAGE_NODEJS_RUN_PATH")
	if runner == "" {
		runner = programRunner
	}
	runnerPath, err := resolveModule(ctx, node, dir, runner)
	if err != nil {
		return &pulumirpc.RunResponse{Error: err.Error()}, nil
	}

	configJSON, err := programConfigJSON(req.GetConfig())
	if err != nil {
		return &pulumirpc.RunResponse{Error: err.Error()}, nil
	}
	secretKeys := req.GetConfigSecretKeys()
	if secretKeys == nil {
		secretKeys = []string{}
	}
	secretKeysJSON, err := json.Marshal(secretKeys)
	if err != nil {
		return &pulumirpc.RunResponse{Error: err.Error()}, nil
	}

	// Flags understood by cmd/run/index.js (minimist; see its usage()). --sync is left out: the deprecated
	// synchronous-invoke pipes are not implemented.
	args := append([]string{}, opts.nodeArgs...)
	args = append(args, runnerPath)
	addFlag := func(name, value string) {
		if value != "" {
			args = append(args, "--"+name+"="+value)
		}
	}
	addFlag("monitor", req.GetMonitorAddress())
	addFlag("engine", h.engine())
	addFlag("organization", req.GetOrganization())
	addFlag("project", req.GetProject())
	if info != nil {
		addFlag("root-directory", info.GetRootDirectory())
	}
	addFlag("stack", req.GetStack())
	addFlag("pwd", dir)
	if req.GetDryRun() {
		args = append(args, "--dry-run")
	}
	addFlag("parallel", strconv.Itoa(int(req.GetParallel())))
	addFlag("tracing", h.tracing)
	args = append(args, entry)
	args = append(args, req.GetArgs()...)

	env := append(os.Environ(),
		"PULUMI_CONFIG="+configJSON,
		"PULUMI_CONFIG_SECRET_KEYS="+string(secretKeysJSON),
	)
	env = append(env, opts.env()...)

	cmd, release := h.command(ctx, node, args)
	defer release()
	cmd.Dir = dir
	cmd.Env = env
	// Wrap os.Stdout/os.Stderr so exec copies through a pipe instead of handing node our file descriptors
	// (node may switch them to non-blocking mode). The engine shows what the language host prints.
	cmd.Stdout = struct{ io.Writer }{os.Stdout}
	cmd.Stderr = struct{ io.Writer }{os.Stderr}

	err = cmd.Run()
	_ = os.Stdout.Sync()
	_ = os.Stderr.Sync()
	if err == nil {
		return &pulumirpc.RunResponse{}, nil
	}
	var exitErr *exec.ExitError
	if errors.As(err, &exitErr) {
		switch code := exitErr.ExitCode(); code {
		case exitCodeErrorAlreadyReported:
			return &pulumirpc.RunResponse{Bail: true}, nil
		case -1:
			return &pulumirpc.RunResponse{Error: "Program was terminated: " + exitErr.String()}, nil
		default:
			return &pulumirpc.RunResponse{Error: fmt.Sprintf("Program exited with non-zero exit code: %d", code)}, nil
		}
	}
	return &pulumirpc.RunResponse{Error: fmt.Sprintf("could not run %s: %v", node, err)}, nil
}

// RunPlugin runs a plugin written for Node.js: policy packs (kind "analyzer") through
// @pulumi/pulumi/cmd/run-policy-pack, anything else through @pulumi/pulumi/cmd/run-plugin. The plugin's
// stdout (whose first line is the port it serves on) and stderr are streamed to the engine, followed by its
// exit code.
func (h *host) RunPlugin(req *pulumirpc.RunPluginRequest, server pulumirpc.LanguageRuntime_RunPluginServer) error {
	ctx := server.Context()
	info := req.GetInfo()
	dir := programDirectory(info, "")
	if dir == "" {
		return status.Error(codes.InvalidArgument, "RunPluginRequest has no program directory")
	}
	opts, err := parseRuntimeOptions(info)
	if err != nil {
		return err
	}
	node, err := exec.LookPath("node")
	if err != nil {
		return fmt.Errorf("could not find node on $PATH: %w", err)
	}

	isPolicyPack := req.GetKind() == "analyzer"
	runner := pluginRunner
	if isPolicyPack {
		runner = policyPackRunner
	}
	runnerPath, err := resolveModule(ctx, node, dir, runner)
	if err != nil {
		return err
	}

	args := append([]string{}, opts.nodeArgs...)
	args = append(args, runnerPath)
	if isPolicyPack {
		// cmd/run-policy-pack expects `<engine address> <policy pack directory>`; the engine sends its address
		// (after any logging flags) in req.Args.
		args = append(args, req.GetArgs()...)
		args = append(args, dir)
	} else {
		// cmd/run-plugin expects `<plugin directory> [plugin args...]`.
		args = append(args, dir)
		args = append(args, req.GetArgs()...)
	}

	env := req.GetEnv()
	if len(env) == 0 {
		env = os.Environ()
	}
	env = append(append([]string{}, env...), opts.env()...)

	out := &streamSender{server: server}
	cmd, release := h.command(ctx, node, args)
	defer release()
	// Policy packs run in their own directory (their package.json supplies the pack version).
	cmd.Dir = dir
	if !isPolicyPack && req.GetPwd() != "" {
		cmd.Dir = req.GetPwd()
	}
	cmd.Env = env
	cmd.Stdout = out.writer(false)
	cmd.Stderr = out.writer(true)

	err = cmd.Run()
	code := 0
	if err != nil {
		var exitErr *exec.ExitError
		if !errors.As(err, &exitErr) {
			return fmt.Errorf("could not run %s: %w", node, err)
		}
		code = exitErr.ExitCode()
	}
	if ctx.Err() != nil {
		// The engine closed the stream (it stops plugins by cancelling the call); nobody is listening.
		return nil
	}
	return out.send(&pulumirpc.RunPluginResponse{
		Output: &pulumirpc.RunPluginResponse_Exitcode{Exitcode: int32(code)}, //nolint:gosec // exit codes fit
	})
}

// command builds a node command that is interrupted (SIGINT, then killed after a grace period) when the
// request ends, when Cancel is called, or when the host shuts down. Call release once the command is done.
func (h *host) command(ctx context.Context, node string, args []string) (cmd *exec.Cmd, release func()) {
	cmdCtx, cancel := context.WithCancel(h.cancelCtx)
	stop := context.AfterFunc(ctx, cancel)
	cmd = exec.CommandContext(cmdCtx, node, args...)
	cmd.Cancel = func() error {
		if err := cmd.Process.Signal(os.Interrupt); err != nil {
			return cmd.Process.Kill()
		}
		return nil
	}
	cmd.WaitDelay = childStopGrace
	return cmd, func() {
		stop()
		cancel()
	}
}

// streamSender serialises writes to a RunPlugin stream (gRPC streams must not be written concurrently, and
// exec copies stdout and stderr from two goroutines).
type streamSender struct {
	mu     sync.Mutex
	server pulumirpc.LanguageRuntime_RunPluginServer
}

func (s *streamSender) send(msg *pulumirpc.RunPluginResponse) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.server.Send(msg)
}

func (s *streamSender) writer(stderr bool) io.Writer {
	return writerFunc(func(p []byte) (int, error) {
		b := append([]byte(nil), p...)
		msg := &pulumirpc.RunPluginResponse{Output: &pulumirpc.RunPluginResponse_Stdout{Stdout: b}}
		if stderr {
			msg = &pulumirpc.RunPluginResponse{Output: &pulumirpc.RunPluginResponse_Stderr{Stderr: b}}
		}
		if err := s.send(msg); err != nil {
			return 0, err
		}
		return len(p), nil
	})
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

// runtimeOptions are the `runtime.options` of Pulumi.yaml / PulumiPolicy.yaml that this host honours.
type runtimeOptions struct {
	typescript bool     // default true: the runner registers ts-node for .ts sources
	tsconfig   string   // PULUMI_NODEJS_TSCONFIG_PATH
	nodeArgs   []string // extra arguments for node itself
}

func parseRuntimeOptions(info *pulumirpc.ProgramInfo) (runtimeOptions, error) {
	opts := runtimeOptions{typescript: true}
	if info == nil || info.GetOptions() == nil {
		return opts, nil
	}
	raw := info.GetOptions().AsMap()
	if v, ok := raw["typescript"]; ok {
		b, ok := v.(bool)
		if !ok {
			return opts, fmt.Errorf("runtime option typescript must be a boolean, got %v", v)
		}
		opts.typescript = b
	}
	if v, ok := raw["tsconfig"]; ok {
		s, ok := v.(string)
		if !ok {
			return opts, fmt.Errorf("runtime option tsconfig must be a string, got %v", v)
		}
		opts.tsconfig = s
	}
	if v, ok := raw["nodeargs"]; ok {
		s, ok := v.(string)
		if !ok {
			return opts, fmt.Errorf("runtime option nodeargs must be a string, got %v", v)
		}
		args, err := shlex.Split(s)
		if err != nil {
			return opts, fmt.Errorf("runtime option nodeargs: %w", err)
		}
		opts.nodeArgs = args
	}
	return opts, nil
}

func (o runtimeOptions) env() []string {
	var env []string
	if o.typescript {
		env = append(env, "PULUMI_NODEJS_TYPESCRIPT=true")
	}
	if o.tsconfig != "" {
		env = append(env, "PULUMI_NODEJS_TSCONFIG_PATH="+o.tsconfig)
	}
	return env
}

// programConfigJSON serialises the stack config for PULUMI_CONFIG. Keys are written in the
// `<namespace>:config:<name>` form, which every @pulumi/pulumi version accepts (newer ones strip ":config").
func programConfigJSON(cfg map[string]string) (string, error) {
	out := make(map[string]string, len(cfg))
	for k, v := range cfg {
		key, err := config.ParseKey(k)
		if err != nil {
			return "", err
		}
		out[key.Namespace()+":config:"+key.Name()] = v
	}
	b, err := json.Marshal(out)
	if err != nil {
		return "", fmt.Errorf("serialising config: %w", err)
	}
	return string(b), nil
}

// resolveModule finds a module the way the program itself would: node's require.resolve, run from dir.
func resolveModule(ctx context.Context, node, dir, module string) (string, error) {
	script := "try { console.log(require.resolve(process.argv[1])); } catch (e) { " +
		"console.error(e && e.code === 'MODULE_NOT_FOUND' ? 'MODULE_NOT_FOUND' : String(e && e.message || e)); " +
		"process.exit(1); }"
	cmd := exec.CommandContext(ctx, node, "-e", script, module)
	cmd.Dir = dir
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		msg := strings.TrimSpace(stderr.String())
		if msg == "MODULE_NOT_FOUND" || msg == "" {
			return "", fmt.Errorf("@pulumi/pulumi not found from %s (could not resolve %s): run npm install there",
				dir, module)
		}
		return "", fmt.Errorf("resolving %s from %s: %s", module, dir, msg)
	}
	path := strings.TrimSpace(string(out))
	if path == "" {
		return "", fmt.Errorf("resolving %s from %s: node printed nothing", module, dir)
	}
	return path, nil
}

func programDirectory(info *pulumirpc.ProgramInfo, fallback string) string {
	if info != nil && info.GetProgramDirectory() != "" {
		return info.GetProgramDirectory()
	}
	return fallback
}

type packageJSON struct {
	Version         string            `json:"version"`
	Dependencies    map[string]string `json:"dependencies"`
	DevDependencies map[string]string `json:"devDependencies"`
}

func readPackageJSON(path string) (packageJSON, error) {
	var p packageJSON
	b, err := os.ReadFile(path)
	if err != nil {
		return p, err
	}
	if err := json.Unmarshal(b, &p); err != nil {
		return p, fmt.Errorf("parsing %s: %w", path, err)
	}
	return p, nil
}

// installedVersion returns the version of the package `name` in the nearest node_modules at or above dir.
func installedVersion(dir, name string) string {
	for d := dir; ; d = filepath.Dir(d) {
		if p, err := readPackageJSON(filepath.Join(d, "node_modules", name, "package.json")); err == nil {
			return p.Version
		}
		if filepath.Dir(d) == d {
			return ""
		}
	}
}
