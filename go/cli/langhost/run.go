package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"syscall"
	"time"

	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"github.com/pulumi/pulumi/sdk/v3/python/toolchain"
)

const (
	// The Python SDK reads the stack's config and its secret keys from these variables (main.go:88-93).
	configEnvVar           = "PULUMI_CONFIG"
	configSecretKeysEnvVar = "PULUMI_CONFIG_SECRET_KEYS" //nolint:gosec // a variable name, not a secret

	// The exec shim exits with this code after it has shown the user an actionable message; the run then bails
	// without a second error (main.go:95-98; PYTHON_PROCESS_EXITED_AFTER_SHOWING_USER_ACTIONABLE_MESSAGE_CODE in the
	// shim, sdk/v3@v3.276.0 python/cmd/pulumi-language-python-exec:33).
	exitAfterUserMessage = 32

	// How long a cancelled program may take to exit after the interrupt before it is killed (main.go:1062).
	interruptGrace = 5 * time.Second
)

// Run executes the program: the venv's python runs the exec shim with the engine's settings as flags, the config
// in PULUMI_CONFIG and the secret keys in PULUMI_CONFIG_SECRET_KEYS (main.go:997-1205).
func (h *host) Run(ctx context.Context, req *pulumirpc.RunRequest) (*pulumirpc.RunResponse, error) {
	_, conn, err := h.engineClient()
	if err != nil {
		return nil, err
	}
	defer conn.Close()

	opts, tc, err := resolve(req.GetInfo(), false)
	if err != nil {
		return nil, err
	}
	if req.GetAttachDebugger() {
		// The real host answers a setup problem here in RunResponse.Error (main.go:1011-1019).
		return &pulumirpc.RunResponse{Error: unsupported("attaching a debugger").Error()}, nil
	}
	if opts.Typechecker != toolchain.TypeCheckerNone {
		return nil, unsupported("the typechecker runtime option")
	}

	config, err := configJSON(req.GetConfig())
	if err != nil {
		return nil, fmt.Errorf("failed to serialize configuration: %w", err)
	}
	secretKeys, err := secretKeysJSON(req.GetConfigSecretKeys())
	if err != nil {
		return nil, fmt.Errorf("failed to serialize configuration secret keys: %w", err)
	}

	// A virtualenv named in Pulumi.yaml must exist and be a virtualenv (main.go:1046-1048).
	if err := tc.ValidateVenv(ctx); err != nil {
		return nil, err
	}

	// Stop the program when the Cancel RPC arrives or the request ends (main.go:1049-1051).
	runCtx, stop := context.WithCancel(h.cancelled)
	defer stop()
	context.AfterFunc(ctx, stop)

	cmd, err := tc.Command(runCtx, append([]string{h.shim}, h.shimArguments(req)...)...)
	if err != nil {
		return nil, err
	}
	// Interrupt first, kill if that fails or the program outlives the grace period (main.go:1056-1062).
	cmd.Cancel = func() error {
		if err := cmd.Process.Signal(os.Interrupt); err != nil {
			return cmd.Process.Kill()
		}
		return nil
	}
	cmd.WaitDelay = interruptGrace
	// The engine reads the program's output from the host's own stdout and stderr (main.go:1063-1064).
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr

	env := cmd.Env
	if env == nil {
		env = os.Environ()
	}
	if config != "" {
		env = append(env, configEnvVar+"="+config)
	}
	env = append(env, configSecretKeysEnvVar+"="+secretKeys)
	cmd.Env = env

	if err := cmd.Run(); err != nil {
		// Flush what the program wrote before the engine reads the result (main.go:1167-1175).
		_ = os.Stdout.Sync()
		_ = os.Stderr.Sync()
		return runFailure(err), nil
	}
	return &pulumirpc.RunResponse{}, nil
}

// runFailure words a failed run as the real host does (main.go:1176-1196): exit 32 bails quietly, any other exit
// names its code, and a program that could not be started says so.
func runFailure(err error) *pulumirpc.RunResponse {
	var exited *exec.ExitError
	if !errors.As(err, &exited) {
		return &pulumirpc.RunResponse{
			Error: fmt.Sprintf("problem executing program (could not run language executor): %v", err),
		}
	}
	waitStatus, ok := exited.Sys().(syscall.WaitStatus)
	if !ok {
		return &pulumirpc.RunResponse{Error: fmt.Sprintf("program exited unexpectedly: %v", exited)}
	}
	switch code := waitStatus.ExitStatus(); code {
	case 0:
		return &pulumirpc.RunResponse{Error: fmt.Sprintf("program exited unexpectedly: %v", exited)}
	case exitAfterUserMessage:
		return &pulumirpc.RunResponse{Bail: true}
	default:
		return &pulumirpc.RunResponse{Error: fmt.Sprintf("program exited with non-zero exit code: %d", code)}
	}
}

// shimArguments is the exec shim's command line: each engine setting that has a value as `--name value`, then the
// entry point and the program's own arguments (main.go:1207-1232; the shim's argparse flags are in
// sdk/v3@v3.276.0 python/cmd/pulumi-language-python-exec:72-99).
func (h *host) shimArguments(req *pulumirpc.RunRequest) []string {
	settings := []struct{ flag, value string }{
		{"monitor", req.GetMonitorAddress()},
		{"engine", h.engine()},
		{"project", req.GetProject()},
		{"root_directory", req.GetInfo().GetRootDirectory()},
		{"stack", req.GetStack()},
		{"pwd", req.GetPwd()},
		{"dry_run", strconv.FormatBool(req.GetDryRun())},
		{"parallel", strconv.Itoa(int(req.GetParallel()))},
		{"tracing", h.tracing},
		{"organization", req.GetOrganization()},
	}
	var args []string
	for _, s := range settings {
		if s.value != "" {
			args = append(args, "--"+s.flag, s.value)
		}
	}
	// The engine always names an entry point, "." for the program directory (main.go:1226-1227).
	args = append(args, req.GetInfo().GetEntryPoint())
	return append(args, req.GetArgs()...)
}

// configJSON is PULUMI_CONFIG: the config map as a JSON object, or nothing when the stack has no config
// (main.go:1234-1248).
func configJSON(config map[string]string) (string, error) {
	if config == nil {
		return "", nil
	}
	encoded, err := json.Marshal(config)
	return string(encoded), err
}

// secretKeysJSON is PULUMI_CONFIG_SECRET_KEYS: the keys whose values are secrets, "[]" when there are none
// (main.go:1250-1262).
func secretKeysJSON(keys []string) (string, error) {
	if keys == nil {
		return "[]", nil
	}
	encoded, err := json.Marshal(keys)
	return string(encoded), err
}
