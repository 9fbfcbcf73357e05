package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"regexp"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/logging"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"github.com/pulumi/pulumi/sdk/v3/python/toolchain"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// Distributions that are Pulumi libraries without a resource plugin, though their names start with "pulumi-"
// (main.go:549-555).
var packagesWithoutPlugins = map[string]bool{"pulumi-policy": true, "pulumi-esc-sdk": true}

// pluginManifestsScript prints, for each distribution named on its command line, the text of the
// pulumi-plugin.json inside the distribution's top-level package (the package named like the distribution with
// "-" as "_"), or null. The real host finds the same file the same way (main.go:557-569) and reads it in Go.
const pluginManifestsScript = `
import importlib.metadata, importlib.util, json, os, sys
found = {}
for dist_name in sys.argv[1:]:
    text = None
    try:
        module = importlib.metadata.distribution(dist_name).metadata["Name"].replace("-", "_")
        spec = importlib.util.find_spec(module)
        for folder in (spec.submodule_search_locations or []) if spec else []:
            path = os.path.join(str(folder), "pulumi-plugin.json")
            if os.path.isfile(path):
                with open(path, encoding="utf-8") as manifest:
                    text = manifest.read()
                break
    except Exception:
        text = None
    found[dist_name] = text
print(json.dumps(found))
`

// GetRequiredPlugins is the deprecated form; the real host leaves it unimplemented so the CLI asks
// GetRequiredPackages (main.go:371-375).
func (h *host) GetRequiredPlugins(
	context.Context, *pulumirpc.GetRequiredPluginsRequest,
) (*pulumirpc.GetRequiredPluginsResponse, error) {
	return nil, status.Errorf(codes.Unimplemented, "method GetRequiredPlugins not implemented")
}

// GetRequiredPackages lists the resource plugins the program's environment asks for: every installed distribution
// that ships a pulumi-plugin.json with "resource": true, or whose name starts with "pulumi-" (main.go:326-369,
// main.go:608-656). The CLI uses the list to install missing plugins before the run (off here with
// PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true) and to pick plugins for `pulumi import`.
func (h *host) GetRequiredPackages(
	ctx context.Context, req *pulumirpc.GetRequiredPackagesRequest,
) (*pulumirpc.GetRequiredPackagesResponse, error) {
	_, tc, err := resolve(req.GetInfo(), false)
	if err != nil {
		return nil, err
	}
	// The virtualenv is created first if it does not exist, its output shown as engine messages (main.go:339-346).
	infoLog, errorLog, closeLog, err := h.engineLogWriters(ctx)
	if err != nil {
		return nil, err
	}
	defer closeLog()
	if err := tc.EnsureVenv(ctx, req.GetInfo().GetProgramDirectory(), false, true, infoLog, errorLog); err != nil {
		return nil, err
	}

	installed, err := tc.ListPackages(ctx, true)
	if err != nil {
		return nil, err
	}
	manifests, err := pluginManifests(ctx, tc, installed)
	if err != nil {
		return nil, err
	}

	packages := []*pulumirpc.PackageDependency{}
	for _, dist := range installed {
		if packagesWithoutPlugins[dist.Name] {
			continue
		}
		manifest := manifests[dist.Name]
		if manifest == nil && !strings.HasPrefix(dist.Name, "pulumi-") {
			continue // neither a manifest nor a Pulumi package name (main.go:639-644)
		}
		if dep := packageDependency(dist, manifest); dep != nil {
			packages = append(packages, dep)
		}
	}
	return &pulumirpc.GetRequiredPackagesResponse{Packages: packages}, nil
}

// pluginManifests reads each distribution's pulumi-plugin.json in one python run. Like the real host
// (main.go:585-594), a failure to run the script means "no manifests", but a manifest that is not JSON is an error
// (main.go:632-635).
func pluginManifests(
	ctx context.Context, tc toolchain.Toolchain, installed []plugin.DependencyInfo,
) (map[string]*plugin.PulumiPluginJSON, error) {
	result := map[string]*plugin.PulumiPluginJSON{}
	if len(installed) == 0 {
		return result, nil
	}
	args := []string{"-c", pluginManifestsScript}
	for _, dist := range installed {
		args = append(args, dist.Name)
	}
	cmd, err := tc.Command(ctx, args...)
	if err != nil {
		logging.V(5).Infof("pluginManifests: %v", err)
		return result, nil
	}
	out, err := cmd.Output()
	if err != nil {
		logging.V(5).Infof("pluginManifests: %v", err)
		return result, nil
	}
	var texts map[string]*string
	if err := json.Unmarshal(out, &texts); err != nil {
		return nil, fmt.Errorf("failed to parse pulumi-plugin.json paths: %w", err)
	}
	for name, text := range texts {
		if text == nil {
			continue
		}
		var manifest plugin.PulumiPluginJSON
		if err := json.Unmarshal([]byte(*text), &manifest); err != nil {
			return nil, fmt.Errorf("failed to parse pulumi-plugin.json for %s: %w", name, err)
		}
		result[name] = &manifest
	}
	return result, nil
}

// packageDependency turns a distribution and its manifest into the plugin it needs, or nil when it needs none
// (main.go:658-749): "resource": false means no plugin; a missing name is the distribution's name without
// "pulumi-"; a missing version comes from the distribution's PEP 440 version, and a version that cannot be
// translated skips the package, as in the real host.
func packageDependency(dist plugin.DependencyInfo, manifest *plugin.PulumiPluginJSON) *pulumirpc.PackageDependency {
	dep := &pulumirpc.PackageDependency{Kind: "resource"}
	if manifest != nil {
		if !manifest.Resource {
			return nil
		}
		dep.Name, dep.Version, dep.Server = manifest.Name, manifest.Version, manifest.Server
		dep.Parameterization = parameterization(manifest.Parameterization)
		dep.Extension = parameterization(manifest.ExtensionParameterization)
	}
	if dep.Name == "" {
		dep.Name = strings.TrimPrefix(dist.Name, "pulumi-")
	}
	if dep.Version == "" {
		version, err := pluginVersion(dist.Version)
		if err != nil {
			logging.V(5).Infof("GetRequiredPackages: no plugin version for %s %s: %v", dist.Name, dist.Version, err)
			return nil
		}
		dep.Version = version
	}
	if !strings.HasPrefix(dep.Version, "v") {
		dep.Version = "v" + dep.Version
	}
	return dep
}

func parameterization(p *plugin.PulumiParameterizationJSON) *pulumirpc.PackageParameterization {
	if p == nil {
		return nil
	}
	return &pulumirpc.PackageParameterization{Name: p.Name, Version: p.Version, Value: p.Value}
}

// pep440Version is the subset of PEP 440 the real host translates (main.go:729-750): N(.N)*[{a|b|rc}N][.postN][.devN].
var pep440Version = regexp.MustCompile(`^(\d+(?:\.\d+)*)(?:(a|b|rc)(\d+))?(?:\.post(\d+))?(?:\.dev(\d+))?$`)

// pluginVersion translates a Python package version to its plugin's semver (main.go:751-848): at least three
// release segments, a1/b1/rc1 as -alpha.1/-beta.1/-rc.1, .postN and .devN as build metadata (+postN, +devN,
// +postNdevM). Epochs and anything else are refused.
func pluginVersion(pep440 string) (string, error) {
	m := pep440Version.FindStringSubmatch(pep440)
	if m == nil {
		return "", fmt.Errorf("unsupported Python package version %q", pep440)
	}
	segments := strings.Split(m[1], ".")
	for len(segments) < 3 {
		segments = append(segments, "0")
	}
	version := strings.Join(segments, ".")
	if m[2] != "" {
		version += "-" + map[string]string{"a": "alpha", "b": "beta", "rc": "rc"}[m[2]] + "." + m[3]
	}
	var build string
	if m[4] != "" {
		build += "post" + m[4]
	}
	if m[5] != "" {
		build += "dev" + m[5]
	}
	if build != "" {
		version += "+" + build
	}
	return version, nil
}

// engineLogWriters show output as ephemeral engine messages on one stream, info and error (main.go:491-547).
func (h *host) engineLogWriters(ctx context.Context) (io.Writer, io.Writer, func(), error) {
	engine, conn, err := h.engineClient()
	if err != nil {
		return nil, nil, nil, err
	}
	stream := rand.Int32() //nolint:gosec // a message stream id, not a secret
	info := &engineLog{ctx: ctx, engine: engine, stream: stream, severity: pulumirpc.LogSeverity_INFO}
	errs := &engineLog{ctx: ctx, engine: engine, stream: stream, severity: pulumirpc.LogSeverity_ERROR}
	return info, errs, func() { _ = conn.Close() }, nil
}

type engineLog struct {
	ctx      context.Context
	engine   pulumirpc.EngineClient
	stream   int32
	severity pulumirpc.LogSeverity
}

func (w *engineLog) Write(p []byte) (int, error) {
	_, err := w.engine.Log(w.ctx, &pulumirpc.LogRequest{
		Message:   strings.ToValidUTF8(string(p), "\uFFFD"),
		Ephemeral: true,
		StreamId:  w.stream,
		Severity:  w.severity,
	})
	if err != nil {
		return 0, err
	}
	return len(p), nil
}
