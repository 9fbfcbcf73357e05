package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

	sdk "github.com/pulumi/pulumi/sdk/v3"
	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/logging"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"github.com/pulumi/pulumi/sdk/v3/python/toolchain"
)

// RunPlugin runs a plugin written in Python (main.go:1528-1729). From v3.221.0 the CLI starts a Python policy pack
// this way, kind "analyzer", whenever a `python` language plugin is installed (sdk/v3@v3.276.0
// go/common/resource/plugin/analyzer_plugin.go:150-214): the pack runs as `python -u -m pulumi.policy <engine>
// <pack dir>` in the pack directory, behind the SDK's PolicyProxy, which hands the pack the stack's settings in
// PULUMI_* variables. Other kinds run `python -m pulumi.run.plugin <pyproject name> <args>` when the directory has
// no __main__.py and is a buildable package, else `python <dir> <args>`.
func (h *host) RunPlugin(req *pulumirpc.RunPluginRequest, server pulumirpc.LanguageRuntime_RunPluginServer) error {
	ctx := server.Context()
	logging.V(5).Infof("RunPlugin %s in %s with args %v", req.GetKind(), req.GetInfo().GetProgramDirectory(), req.GetArgs())

	_, conn, err := h.engineClient()
	if err != nil {
		return err
	}
	defer conn.Close()

	if req.GetAttachDebugger() {
		return unsupported("attaching a debugger")
	}
	isPolicyPack := req.GetKind() == string(apitype.AnalyzerPlugin)
	opts, tc, err := resolve(req.GetInfo(), !isPolicyPack)
	if err != nil {
		return err
	}

	// Divergence, on purpose: the real host does not check the virtualenv here, and a policy pack whose venv is
	// missing then fails in the engine as "connection refused" to the proxy. The CLI does not create a pack's venv
	// on `preview --policy-pack` (only `pulumi install` in the pack directory does), so say that.
	if err := tc.ValidateVenv(ctx); err != nil {
		return fmt.Errorf("%w (run `pulumi install` in %s)", err, req.GetInfo().GetProgramDirectory())
	}

	cmd, err := pluginCommand(server, req, opts, tc, isPolicyPack)
	if err != nil {
		return err
	}

	closer, stdout, stderr, err := rpcutil.MakeRunPluginStreams(server, false)
	if err != nil {
		return err
	}
	defer closer.Close()

	// Policy packs keep running in their own directory, as the retired pulumi-analyzer-policy-python shim ran them;
	// other plugins run where the CLI runs (main.go:1635-1642).
	if isPolicyPack {
		cmd.Dir = req.GetInfo().GetProgramDirectory()
	} else {
		cmd.Dir = req.GetPwd()
	}

	var proxy *sdk.PolicyProxy
	if isPolicyPack {
		// The proxy answers the engine's Handshake and ConfigureStack itself, then the pack starts with the stack's
		// settings in its environment and the proxy forwards every other call to it (main.go:1644-1677).
		proxy, stdout, err = sdk.NewPolicyProxy(ctx, stdout)
		if err != nil {
			return fmt.Errorf("could not start policy pack proxy: %w", err)
		}
		stack, err := proxy.AwaitConfiguration(ctx)
		if err != nil {
			return fmt.Errorf("could not get stack configuration: %w", err)
		}
		env, err := policyPackEnv(stack)
		if err != nil {
			return err
		}
		cmd.Env = append(cmd.Env, env...)
	}
	cmd.Env = append(cmd.Env, req.GetEnv()...)
	cmd.Stdout, cmd.Stderr = stdout, stderr

	if err := cmd.Start(); err != nil {
		if proxy != nil {
			proxy.Abort(err) // unblock the engine's calls waiting on the pack (policy_proxy.go:172-174)
		}
		return fmt.Errorf("problem executing plugin program (could not run language executor): %w", err)
	}
	if proxy != nil {
		// Attach reads the pack's port from its stdout, forwards the stack configuration and waits for the pack to
		// exit (sdk/v3@v3.276.0 policy_proxy.go:104-170).
		if err := proxy.Attach(ctx, cmd); err != nil {
			return fmt.Errorf("could not attach policy pack proxy: %w", err)
		}
		return closer.Close()
	}
	if err := cmd.Wait(); err != nil {
		var exited *exec.ExitError
		if !errors.As(err, &exited) {
			return fmt.Errorf("problem executing plugin program (could not run language executor): %w", err)
		}
		if waitStatus, ok := exited.Sys().(syscall.WaitStatus); ok {
			// The engine learns the plugin's exit code from the stream (main.go:1711-1718).
			return server.Send(&pulumirpc.RunPluginResponse{
				Output: &pulumirpc.RunPluginResponse_Exitcode{Exitcode: int32(waitStatus.ExitStatus())}, //nolint:gosec
			})
		}
		return fmt.Errorf("program exited unexpectedly: %w", exited)
	}
	return closer.Close()
}

// pluginCommand builds the plugin's python command line (main.go:1550-1627).
func pluginCommand(
	server pulumirpc.LanguageRuntime_RunPluginServer, req *pulumirpc.RunPluginRequest,
	opts toolchain.PythonOptions, tc toolchain.Toolchain, isPolicyPack bool,
) (*exec.Cmd, error) {
	ctx := server.Context()
	hasMain, err := fileExists(filepath.Join(opts.Root, "__main__.py"))
	if err != nil {
		return nil, fmt.Errorf("looking for __main__.py: %w", err)
	}

	// An older pulumi SDK in the plugin's environment has no pulumi.run.plugin; such a plugin runs as a bare
	// directory (main.go:1562-1574).
	probe, err := tc.Command(ctx, "-c", "import pulumi.run.plugin")
	if err != nil {
		return nil, err
	}
	hasRunModule := true
	if out, err := probe.CombinedOutput(); err != nil && strings.Contains(string(out), "ModuleNotFoundError") {
		hasRunModule = false
	}

	if hasRunModule && !hasMain {
		buildable, err := toolchain.IsBuildablePackage(opts.Root)
		if err != nil {
			return nil, fmt.Errorf("checking if plugin is a buildable package: %w", err)
		}
		if !buildable {
			return nil, errors.New("plugin is not runnable, it provides neither __main__.py nor a buildable pyproject.toml")
		}
		project, err := toolchain.LoadPyproject(opts.Root)
		if err != nil {
			return nil, fmt.Errorf("loading pyproject: %w", err)
		}
		return tc.ModuleCommand(ctx, "pulumi.run.plugin", append([]string{project.Project.Name}, req.GetArgs()...)...)
	}

	var args []string
	if isPolicyPack {
		// A policy pack gets the program directory last, everything else first (main.go:1609-1621).
		args = append(append([]string{"-u", "-m", "pulumi.policy"}, req.GetArgs()...), req.GetInfo().GetProgramDirectory())
	} else {
		args = append([]string{req.GetInfo().GetProgramDirectory()}, req.GetArgs()...)
	}
	return tc.Command(ctx, args...)
}

// policyPackEnv is what the pulumi-policy library reads to learn the stack it analyses (main.go:1658-1676).
func policyPackEnv(stack *pulumirpc.AnalyzerStackConfigureRequest) ([]string, error) {
	if stack == nil {
		return nil, nil
	}
	var env []string
	set := func(name, value string) {
		if value != "" {
			env = append(env, name+"="+value)
		}
	}
	set("PULUMI_ORGANIZATION", stack.GetOrganization())
	set("PULUMI_PROJECT", stack.GetProject())
	set("PULUMI_STACK", stack.GetStack())
	set("PULUMI_DRY_RUN", strconv.FormatBool(stack.GetDryRun()))
	if stack.GetConfig() != nil {
		encoded, err := json.Marshal(stack.GetConfig())
		if err != nil {
			return nil, fmt.Errorf("could not marshal stack configuration: %w", err)
		}
		set(configEnvVar, string(encoded))
	}
	return env, nil
}

func fileExists(path string) (bool, error) {
	_, err := os.Stat(path)
	if err == nil {
		return true, nil
	}
	if errors.Is(err, os.ErrNotExist) {
		return false, nil
	}
	return false, err
}
