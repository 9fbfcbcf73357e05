package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"sync"

	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	"github.com/pulumi/pulumi/sdk/v3/go/common/version"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"github.com/pulumi/pulumi/sdk/v3/python/toolchain"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/emptypb"
)

// host serves pulumirpc.LanguageRuntime. The embedded Unimplemented server answers the code-generation and
// project-scaffolding calls (GenerateProgram/Project/Package, Pack, Link, Template, RuntimeOptionsPrompts) with
// codes.Unimplemented: the CLI needs none of them to preview, update, refresh, destroy or run policy packs.
type host struct {
	pulumirpc.UnimplementedLanguageRuntimeServer

	shim    string // the exec shim that runs a program (main.go:1022)
	tracing string // passed on to the program as --tracing (main.go:1223)

	mu            sync.Mutex
	engineAddress string // from the command line or Handshake (main.go:171-174, main.go:1891)

	// Cancelled by the Cancel RPC; a running program is interrupted then (main.go:1049-1051, main.go:2033-2036).
	cancelled context.Context
	cancel    context.CancelFunc
}

func newHost(shim, engineAddress, tracing string) *host {
	cancelled, cancel := context.WithCancel(context.Background())
	return &host{shim: shim, tracing: tracing, engineAddress: engineAddress, cancelled: cancelled, cancel: cancel}
}

func (h *host) engine() string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.engineAddress
}

// Handshake records the engine's address and, like the real host, exits when the engine stops answering
// (main.go:1888-1907).
func (h *host) Handshake(
	_ context.Context, req *pulumirpc.LanguageHandshakeRequest,
) (*pulumirpc.LanguageHandshakeResponse, error) {
	h.mu.Lock()
	h.engineAddress = req.GetEngineAddress()
	h.mu.Unlock()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	if err := rpcutil.Healthcheck(ctx, req.GetEngineAddress(), engineHealthInterval, stop); err != nil {
		stop()
		return nil, fmt.Errorf("could not start health check host RPC server: %w", err)
	}
	return &pulumirpc.LanguageHandshakeResponse{}, nil
}

// GetPluginInfo reports the release this host was built with, the CLI's version (main.go:1264-1268).
func (h *host) GetPluginInfo(context.Context, *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: version.Version}, nil
}

// Cancel interrupts a running program (main.go:2033-2036).
func (h *host) Cancel(context.Context, *emptypb.Empty) (*emptypb.Empty, error) {
	h.cancel()
	return &emptypb.Empty{}, nil
}

// engineClient dials the engine. Run and RunPlugin need its address; without one the real host refuses
// (main.go:308-324).
func (h *host) engineClient() (pulumirpc.EngineClient, *grpc.ClientConn, error) {
	address := h.engine()
	if address == "" {
		return nil, nil, errors.New("when debugging or running explicitly, must call Handshake before Run")
	}
	conn, err := grpc.NewClient(address, grpc.WithTransportCredentials(insecure.NewCredentials()),
		rpcutil.GrpcChannelOptions())
	if err != nil {
		return nil, nil, fmt.Errorf("language host could not make connection to engine: %w", err)
	}
	return pulumirpc.NewEngineClient(conn), conn, nil
}

// pythonOptions reads Pulumi.yaml's `runtime.options` (virtualenv, typechecker, toolchain) the way the real host
// does (main.go:233-291). Plugins (anything but a policy pack) default to the virtualenv `venv` when pip (or the
// automatic choice) is the toolchain (main.go:282-288).
func pythonOptions(info *pulumirpc.ProgramInfo, isPlugin bool) (toolchain.PythonOptions, error) {
	opts := toolchain.PythonOptions{Root: info.GetRootDirectory(), ProgramDir: info.GetProgramDirectory()}
	raw := info.GetOptions().AsMap()

	if value, ok := raw["virtualenv"]; ok {
		venv, isString := value.(string)
		if !isString {
			return opts, errors.New("virtualenv option must be a string")
		}
		opts.Virtualenv = venv
	}
	if value, ok := raw["typechecker"]; ok {
		name, isString := value.(string)
		if !isString {
			return opts, errors.New("typechecker option must be a string")
		}
		switch name {
		case "mypy":
			opts.Typechecker = toolchain.TypeCheckerMypy
		case "pyright":
			opts.Typechecker = toolchain.TypeCheckerPyright
		default:
			return opts, fmt.Errorf("unsupported typechecker option: %s", name)
		}
	}
	if value, ok := raw["toolchain"]; ok {
		name, isString := value.(string)
		if !isString {
			return opts, errors.New("toolchain option must be a string")
		}
		switch name {
		case "pip":
			opts.Toolchain = toolchain.Pip
		case "poetry":
			opts.Toolchain = toolchain.Poetry
		case "uv":
			opts.Toolchain = toolchain.Uv
		default:
			return opts, fmt.Errorf("unsupported toolchain option: %s", name)
		}
	}
	if isPlugin && opts.Virtualenv == "" && (opts.Toolchain == toolchain.Pip || opts.Toolchain == toolchain.Auto) {
		opts.Virtualenv = "venv"
	}
	return opts, nil
}

// resolve parses the options and picks the toolchain (pip, poetry or uv) the SDK's toolchain package chooses.
func resolve(info *pulumirpc.ProgramInfo, isPlugin bool) (toolchain.PythonOptions, toolchain.Toolchain, error) {
	opts, err := pythonOptions(info, isPlugin)
	if err != nil {
		return opts, nil, err
	}
	tc, err := toolchain.ResolveToolchain(opts)
	return opts, tc, err
}

// InstallDependencies creates the virtualenv and installs requirements.txt (or the poetry/uv project), as
// `pulumi install` and policy packs need; a buildable plugin package is also installed itself
// (main.go:1311-1377).
func (h *host) InstallDependencies(
	req *pulumirpc.InstallDependenciesRequest, server pulumirpc.LanguageRuntime_InstallDependenciesServer,
) error {
	_, tc, err := resolve(req.GetInfo(), req.GetIsPlugin())
	if err != nil {
		return err
	}
	closer, stdout, stderr, err := rpcutil.MakeInstallDependenciesStreams(server, req.GetIsTerminal())
	if err != nil {
		return err
	}
	defer closer.Close()

	ctx := server.Context()
	programDir := req.GetInfo().GetProgramDirectory()
	fmt.Fprint(stdout, "Installing dependencies...\n\n")

	if req.GetIsPlugin() {
		buildable, err := toolchain.IsBuildablePackage(programDir)
		if err != nil {
			return fmt.Errorf("checking if plugin is a buildable package: %w", err)
		}
		if buildable {
			if err := tc.EnsureVenv(ctx, programDir, req.GetUseLanguageVersionTools(), true, stdout, stderr); err != nil {
				return fmt.Errorf("creating virtual environment: %w", err)
			}
			pip, err := tc.ModuleCommand(ctx, "pip", "install", programDir)
			if err != nil {
				return fmt.Errorf("preparing pip install command: %w", err)
			}
			pip.Stdout, pip.Stderr = stdout, stderr
			if err := pip.Run(); err != nil {
				return fmt.Errorf("installing package: %w", err)
			}
		}
	}

	if err := tc.InstallDependencies(ctx, programDir, req.GetUseLanguageVersionTools(), true, stdout, stderr); err != nil {
		return err
	}
	fmt.Fprint(stdout, "Finished installing dependencies\n\n")
	return closer.Close()
}

// About reports the interpreter and toolchain (`pulumi about`; main.go:1453-1485). Without program information
// the default python and pip are described, as the real host does for old callers.
func (h *host) About(ctx context.Context, req *pulumirpc.AboutRequest) (*pulumirpc.AboutResponse, error) {
	opts := toolchain.PythonOptions{Toolchain: toolchain.Pip}
	if req.GetInfo() != nil {
		parsed, err := pythonOptions(req.GetInfo(), false)
		if err != nil {
			return nil, err
		}
		opts = parsed
	}
	tc, err := toolchain.ResolveToolchain(opts)
	if err != nil {
		return nil, err
	}
	info, err := tc.About(ctx)
	if err != nil {
		return nil, err
	}
	return &pulumirpc.AboutResponse{
		Executable: info.PythonExecutable,
		Version:    info.PythonVersion.String(),
		Metadata: map[string]string{
			"toolchain":        toolchain.Name(opts.Toolchain),
			"toolchainVersion": info.ToolchainVersion.String(),
			"typechecker":      toolchain.TypeCheckerName(opts.Typechecker),
		},
	}, nil
}

// GetProgramDependencies lists the environment's Python packages (`pulumi about`; main.go:1487-1515).
func (h *host) GetProgramDependencies(
	ctx context.Context, req *pulumirpc.GetProgramDependenciesRequest,
) (*pulumirpc.GetProgramDependenciesResponse, error) {
	_, tc, err := resolve(req.GetInfo(), false)
	if err != nil {
		return nil, err
	}
	packages, err := tc.ListPackages(ctx, req.GetTransitiveDependencies())
	if err != nil {
		return nil, fmt.Errorf("failed to get python dependencies: %w", err)
	}
	deps := make([]*pulumirpc.DependencyInfo, 0, len(packages))
	for _, p := range packages {
		deps = append(deps, &pulumirpc.DependencyInfo{Name: p.Name, Version: p.Version})
	}
	return &pulumirpc.GetProgramDependenciesResponse{Dependencies: deps}, nil
}

// unsupported names a feature of the real host this one leaves out, so the CLI shows why.
func unsupported(feature string) error {
	return status.Errorf(codes.Unimplemented,
		"%s is not supported by ackstack's pulumi-language-python (see docs/real-engine.md)", feature)
}
