// Command cilium-agent-oracle runs the Cilium agent's own start-up configuration handling, at the release
// pinned in go.mod, over one rendered `cilium-config` ConfigMap, and prints a JSON verdict.
//
// Why: ackstack models which Cilium values make the agent exit (components/validation/rules_cilium.py);
// this program asks the agent itself. It calls, in the agent's order (daemon/cmd/root.go NewAgentCmd),
// only the steps that need no kernel, no BPF file system and no API server:
//  1. flag registration: the hive cells' flags and daemon/cmd InitGlobalFlags (defaults as the agent has them);
//  2. option.InitConfig: the config directory read as the agent reads /tmp/cilium/config-map, deprecated
//     keys replaced, every value parsed by its flag's type (validateConfigMap);
//  3. option.Config.Populate + PopulateEnableCiliumNodeCRD (daemon_main.go initDaemonConfigAndLogging);
//  4. option.Config.Validate (root.go, before the hive runs);
//  5. hive Populate: every cell's config decoded and every constructor of the agent's object graph run
//     (no start hooks; a few constructors probe the kernel read-only, so the tests run it unprivileged).
//
// The OnStart checks (daemon/cmd/daemon.go initAndValidateDaemonConfig) and initEnv's checks after its
// kernel probes are not reachable here; docs/cilium.md lists them with the ackstack rule covering each.
//
// Usage: cilium-agent-oracle <dir with one file per cilium-config key>
// Exit 0 with {"accepted": true, ...}; a refusal prints {"accepted": false, "stage": ..., "error": ...} and
// exits 1 (a logging.Fatal inside the agent's code exits 1 with its message on stderr).
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"runtime/debug"

	"github.com/spf13/cobra"

	"github.com/cilium/cilium/daemon/cmd"
	"github.com/cilium/cilium/pkg/hive"
	lbmaps "github.com/cilium/cilium/pkg/loadbalancer/maps"
	"github.com/cilium/cilium/pkg/logging"
	"github.com/cilium/cilium/pkg/maps/ctmap"
	"github.com/cilium/cilium/pkg/maps/nat"
	"github.com/cilium/cilium/pkg/maps/neighborsmap"
	"github.com/cilium/cilium/pkg/option"
)

type verdict struct {
	Accepted bool   `json:"accepted"`
	Version  string `json:"version"` // the github.com/cilium/cilium module version this binary was built with
	Stage    string `json:"stage,omitempty"`
	Error    string `json:"error,omitempty"`
}

// ciliumModule is the version of github.com/cilium/cilium in the build (the agent's own version string is set by
// its release build's ldflags, which a dependant does not get).
func ciliumModule() string {
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, dep := range info.Deps {
			if dep.Path == "github.com/cilium/cilium" {
				return dep.Version
			}
		}
	}
	return "unknown"
}

func emit(v verdict) {
	v.Version = ciliumModule()
	out, _ := json.Marshal(v)
	fmt.Println(string(out))
	if !v.Accepted {
		os.Exit(1)
	}
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: cilium-agent-oracle <config-map dir>")
		os.Exit(2)
	}
	if _, err := os.Stat(os.Args[1]); err != nil {
		fmt.Fprintf(os.Stderr, "config-map dir: %v\n", err)
		os.Exit(2)
	}
	logger := logging.DefaultSlogLogger
	h := hive.New(cmd.Agent)
	root := &cobra.Command{Use: "cilium-agent"}
	h.RegisterFlags(root.Flags())
	cmd.InitGlobalFlags(logger, root, h.Viper())
	if err := root.Flags().Parse([]string{"--" + option.ConfigDir, os.Args[1]}); err != nil {
		emit(verdict{Stage: "flags", Error: err.Error()})
	}
	option.InitConfig(logger, root, "cilium-agent", "cilium", h.Viper())()

	// The element sizes the agent sets before Populate (daemon_main.go initDaemonConfigAndLogging): the dynamic
	// map sizing that Validate's map-size checks read depends on them.
	option.Config.SetMapElementSizes(
		ctmap.SizeofCtKey6Global+ctmap.SizeofCtEntry,
		nat.SizeofNatKey6+nat.SizeofNatEntry6,
		neighborsmap.SizeofNeighKey6+neighborsmap.SizeOfNeighValue,
		lbmaps.SizeofSockRevNat6Key+lbmaps.SizeofSockRevNat6Value)
	option.Config.Populate(logger, h.Viper())
	option.Config.PopulateEnableCiliumNodeCRD(logger, h.Viper())
	if err := option.Config.Validate(h.Viper()); err != nil {
		emit(verdict{Stage: "validate", Error: "invalid daemon configuration: " + err.Error()})
	}
	if err := h.Populate(logger); err != nil {
		emit(verdict{Stage: "hive", Error: err.Error()})
	}
	emit(verdict{Accepted: true})
}
