// Command pulumi-language-python is ackstack's own Python language host for the pinned Pulumi CLI.
//
// Why our own: the real host is its own Go module (github.com/pulumi/pulumi/sdk/python/cmd/pulumi-language-python/v3)
// and the Go module proxy reachable here answers 403 "not available" for every version of it (v3.259.0, v3.272.0,
// v3.276.0, v3.277.0, @v/list, pseudo-versions at the v3.259.0 tag). Everything it is built from is served, though:
// this host is a small program over the exported packages of github.com/pulumi/pulumi/sdk/v3 at the release the CLI
// is built from (python/toolchain, go/common/util/rpcutil, the root package's PolicyProxy, proto/go).
//
// The behaviour follows the real host at pulumi/pulumi tag v3.259.0 (commit 0ac56e876614), file
// sdk/python/cmd/pulumi-language-python/main.go, cited below as "main.go:<line>". Parts the project does not use
// (code generation, Pack, Link, Template, prompts for `pulumi new`, debugger attach, typecheckers) answer with a
// clear error instead; docs/real-engine.md lists them.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/common/util/cmdutil"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/logging"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	"github.com/pulumi/pulumi/sdk/v3/go/common/version"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
)

const (
	// The exec shim that runs a program, installed beside this binary (main.go:85, main.go:148-168). It is the
	// file python/cmd/pulumi-language-python-exec of the sdk/v3 module, copied by tools/install_pulumi.py.
	execShimName = "pulumi-language-python-exec"

	// How often the engine's liveness is checked; the host stops when the engine is gone (main.go:186).
	engineHealthInterval = 5 * time.Minute
)

func main() {
	// Flags as the real host takes them (main.go:115-124): the CLI starts a language plugin as
	// `pulumi-language-python [-tracing <endpoint>] <engine address>`.
	tracingEndpoint := flag.String("tracing", "", "Emit tracing to a Zipkin-compatible tracing endpoint")
	printVersion := flag.Bool("version", false, "Print the current plugin version and exit")
	executor := flag.String("use-executor", "",
		"Use the given program as the executor instead of the one installed next to this host")
	// Divergence, on purpose: accepted and ignored, as the host at v3.206.0 did (main.go:110-113). Plugin loaders of
	// pulumi/pkg before v3.209.0 (pulumi/pulumi 72153320cb, #21054) start a language plugin with `-root=<dir>` and one
	// `-<option>=<value>` per runtime option; pulumi-yaml v1.25.0 (go/yaml) embeds such a loader when it loads a
	// source-based Python package's schema. v3.259.0 dropped the flags; the RPCs carry the same data.
	flag.String("root", "", "[obsolete] Project root path to use")
	flag.String("virtualenv", "", "[obsolete] Virtual environment path to use")
	flag.String("typechecker", "", "[obsolete] Use a typechecker to type check")
	flag.String("toolchain", "pip", "[obsolete] Select the package manager to use for dependency management.")
	flag.Parse()

	if *printVersion {
		// The release's version, stamped by the build's -ldflags (main.go:126-129).
		fmt.Println(version.Version)
		return
	}

	logging.InitLogging(false, 0, false)                                                      // main.go:133
	cmdutil.InitTracing("pulumi-language-python", "pulumi-language-python", *tracingEndpoint) // main.go:140

	shim, err := resolveExecShim(*executor)
	if err != nil {
		cmdutil.Exit(err)
	}

	var engineAddress string
	if flag.NArg() > 0 {
		engineAddress = flag.Arg(0) // main.go:170-174
	}

	// An interrupt stops the server gracefully (main.go:176-183).
	ctx, stopSignals := signal.NotifyContext(context.Background(), os.Interrupt)
	stopServing := make(chan bool)
	go func() {
		<-ctx.Done()
		stopSignals()
		close(stopServing)
	}()

	if engineAddress != "" {
		// Exit when the engine stops answering (main.go:185-190).
		if err := rpcutil.Healthcheck(ctx, engineAddress, engineHealthInterval, stopSignals); err != nil {
			cmdutil.Exit(fmt.Errorf("could not start health check host RPC server: %w", err))
		}
	}

	host := newHost(shim, engineAddress, *tracingEndpoint)
	handle, err := rpcutil.ServeWithOptions(rpcutil.ServeOptions{
		Cancel: stopServing,
		Init: func(srv *grpc.Server) error {
			pulumirpc.RegisterLanguageRuntimeServer(srv, host)
			return nil
		},
		Options: rpcutil.TracingServerInterceptorOptions(nil),
	}) // main.go:192-204
	if err != nil {
		cmdutil.Exit(fmt.Errorf("could not start language host RPC server: %w", err))
	}

	// The CLI reads the port from the first line of stdout (main.go:206-207).
	fmt.Printf("%d\n", handle.Port)

	if err := <-handle.Done; err != nil {
		cmdutil.Exit(fmt.Errorf("language host RPC stopped serving: %w", err))
	}
}

// resolveExecShim finds the program runner: the -use-executor value, else the shim installed next to this binary
// (main.go:148-168). A missing shim is fatal at start-up, as in the real host, so the CLI reports it at once.
func resolveExecShim(given string) (string, error) {
	if given != "" {
		return given, nil
	}
	self, err := os.Executable()
	if err != nil {
		return "", fmt.Errorf("could not determine current executable: %w", err)
	}
	shim := filepath.Join(filepath.Dir(self), execShimName)
	if _, err := os.Stat(shim); err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return "", fmt.Errorf("missing executor %s (run tools/install_pulumi.py): %w", shim, err)
		}
		return "", err
	}
	return shim, nil
}
