"""The Cilium agent's own configuration checks as the oracle (issue #22 section 5, issue #23).

`go/oracles/cilium-agent-<line>` imports `github.com/cilium/cilium` at the tag ackstack pins for that line and runs
the agent's flag parsing, `DaemonConfig.Populate` + `Validate` and the hive's construction over one `cilium-config`
ConfigMap. Here the real helm renders that ConfigMap for every example stack and every Cilium test variant:
every config the project accepts must pass the agent; every variant the agent refuses must be an error in the
preview. Needs helm, the chart packages and the oracle binaries in `.venv/bin` (built from `go/targets.json`):
FAIL in CI, skip elsewhere.
"""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
from pathlib import Path

import pytest

from ackstack.engine.testing import (
    findings_for,
    plan_for,
    require_reference,
    run,
    stack_config,
    stack_inventory,
)
from ackstack_core import cilium_chart
from ackstack_core import constants as C
from components import cilium_render
from components.cilium_values import cilium_values
from tests.components import test_byocni_rules, test_cilium_agent_rules, test_cilium_rules

ROOT = Path(__file__).resolve().parents[2]
API_SERVER = "https://10.0.0.253:6443"
RELEASE = "kubernetes:helm.sh/v3:Release"
# Release line -> the oracle binary built from go/targets.json (the tag is in its module's go.mod).
ORACLES = {(1, 19): "cilium-agent-oracle-1.19", (1, 20): "cilium-agent-oracle-1.20"}
NOBODY = 65534


def oracle_binary(line: tuple[int, int]) -> Path:
    return ROOT / ".venv" / "bin" / ORACLES[line]


def _targets() -> list[dict]:
    return json.loads((ROOT / "go" / "targets.json").read_text(encoding="utf-8"))


def _sandbox() -> list[str]:
    """How the agent's code runs here: never as root, so no sysctl, netlink or BPF change reaches this machine; in a
    private mount namespace holding an empty BPF filesystem, because the 1.20 agent's map constructors look a bpffs
    mount up in /proc/self/mountinfo (pkg/bpf/bpffs_linux.go:78-95 at v1.20.0) as on any node, and the host has
    none. Setting that up needs root (CI and the developers' machines run as root)."""
    if os.geteuid() != 0:
        return []
    drop = ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups"]
    return ["unshare", "--mount", "--propagation", "private", "sh", "-c",
            'mount -t bpf bpf /sys/fs/bpf && exec "$@"', "sh", *drop]


def _as_configmap_text(value) -> str:
    """What the API server stores for a ConfigMap `data` value parsed from the rendered YAML: a string (an empty
    `key:` is null, stored as "")."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def run_oracle(line: tuple[int, int], config: dict[str, str]) -> dict:
    """The agent's verdict on one rendered cilium-config (`accepted`, `stage`, `error`, the agent's version)."""
    binary = oracle_binary(line)
    require_reference(binary.is_file(), f"the Cilium agent oracle {binary} (go/targets.json)")
    with tempfile.TemporaryDirectory() as tmp:
        config_dir = Path(tmp) / "config-map"
        config_dir.mkdir()
        for key, value in config.items():
            (config_dir / key).write_text(_as_configmap_text(value), encoding="utf-8")
        os.chmod(tmp, 0o755)
        for path in (config_dir, *config_dir.iterdir()):
            os.chmod(path, 0o755 if path.is_dir() else 0o644)
        proc = subprocess.run([*_sandbox(), str(binary), str(config_dir)], capture_output=True, text=True,
                              timeout=120, check=False, env={"PATH": "/usr/bin:/bin", "HOME": tmp}, cwd=tmp)
    lines = [line for line in proc.stdout.splitlines() if line.startswith("{")]
    if lines:
        return json.loads(lines[-1])
    # A logging.Fatal inside the agent's code exits 1 with its message on stderr.
    assert proc.returncode != 0, proc.stdout
    return {"accepted": False, "stage": "fatal", "error": proc.stderr.strip()[-2000:]}


def _rendered_config(cfg: dict) -> tuple[tuple[int, int] | None, dict[str, str]]:
    plan = plan_for(cfg)
    cilium = plan.config.cni.cilium
    values = json.loads(json.dumps(cilium_values(plan, API_SERVER if cilium.kube_proxy_replacement else None)))
    check = cilium_render.render_check(cilium.chart_version, cilium.chart_path)
    require_reference(check.mode == "helm", f"helm and the chart package ({check.detail})")
    documents = cilium_render.render(values, check.package, plan.config.cluster.kubernetes_version, helm=check.helm)
    return cilium_chart.release_line(cilium.chart_version), cilium_render.configmap(documents, "cilium-config")


def _variants(cases, build) -> list[tuple[str, dict]]:
    return [(f"{rule_id}-{index}", build(*changes) if isinstance(changes, list) else changes)
            for index, (rule_id, changes, *_rest) in enumerate(cases)]


def _renderable(cfg: dict) -> bool:
    """An official package exists for the variant's chart (variants about unknown versions or a missing local
    package have nothing to render, by design)."""
    cilium = plan_for(cfg).config.cni.cilium
    return cilium.chart_path is None and cilium.chart_version in C.CILIUM_CHART_FACTS_VERSIONS


ACCEPTED = [
    *[(f"byo-{name}", cfg) for name, cfg in _variants(test_byocni_rules.PASSING, test_byocni_rules._cfg)],
    *[(f"cil-{name}", cfg) for name, cfg in _variants(test_cilium_rules.PASSING, test_cilium_rules._cfg)],
    *[(f"agent-{name}", cfg) for name, cfg in _variants(test_cilium_agent_rules.PASSING, None)],
]
REFUSED = [(name, cfg) for name, cfg in (
    *[(f"cil-{name}", cfg) for name, cfg in _variants(test_cilium_rules.FAILING, test_cilium_rules._cfg)],
    *[(f"agent-{name}", cfg) for name, cfg in _variants(test_cilium_agent_rules.FAILING, None)],
) if _renderable(cfg)]
ACCEPTED = [(name, cfg) for name, cfg in ACCEPTED if _renderable(cfg)]


def test_oracle_targets_pin_the_served_tags():
    """One module per line, each pinning the tag the chart facts and the agent citations use."""
    targets = {t["output"]: t for t in _targets()}
    for line, output in ORACLES.items():
        target = targets[output]
        go_mod = (ROOT / target["dir"] / "go.mod").read_text(encoding="utf-8")
        tag = {(1, 19): "v1.19.6", (1, 20): "v1.20.0"}[line]
        assert f"github.com/cilium/cilium {tag}" in go_mod


@pytest.mark.parametrize("line", sorted(ORACLES))
def test_oracle_refuses_what_the_agent_refuses(line):
    """The oracle is not a yes-machine: the agent's own Validate refuses cluster id 256, an unknown routing mode and
    IPv6 native routing without its CIDR (the agent's IPv6 default is on), its flag parsing a non-boolean."""
    good = {"routing-mode": "native", "ipv4-native-routing-cidr": "172.16.0.0/16", "ipam": "kubernetes",
            "enable-ipv6": "false"}
    verdict = run_oracle(line, good)
    assert verdict["accepted"] and verdict["version"] == {(1, 19): "v1.19.6", (1, 20): "v1.20.0"}[line], verdict
    for bad, needle in (({"cluster-id": "256", "cluster-name": "ack"}, "invalid cluster id 256"),
                        ({"routing-mode": "overlay"}, "invalid routing mode"),
                        ({"enable-ipv6": "true"}, "ipv6-native-routing-cidr"),
                        ({"enable-ipv4": "maybe"}, "enable-ipv4")):
        verdict = run_oracle(line, {**good, **bad})
        assert not verdict["accepted"] and needle in verdict["error"], (bad, verdict)


@pytest.mark.parametrize("stack", ["staging"])
def test_oracle_accepts_every_example_stacks_cilium_config(stack):
    result = run(stack_config(stack), stack=stack, inventory=stack_inventory(stack))
    (release,) = [r for r in result.registrations if r.type == RELEASE]
    check = cilium_render.render_check(release.inputs["version"], None)
    require_reference(check.mode == "helm", check.detail)
    documents = cilium_render.render(release.inputs["values"], check.package,
                                     stack_config(stack)["ackstack:cluster"]["kubernetesVersion"], helm=check.helm)
    config = cilium_render.configmap(documents, "cilium-config")
    verdict = run_oracle(cilium_chart.release_line(release.inputs["version"]), config)
    assert verdict["accepted"], verdict


@pytest.mark.parametrize(("name", "cfg"), ACCEPTED, ids=[a[0] for a in ACCEPTED])
def test_oracle_accepts_every_config_the_project_accepts(name, cfg):
    if any(f.level == "error" for f in findings_for(cfg)):
        pytest.skip(f"{name}: validation refuses this config on another rule (it is no accepted config)")
    line, config = _rendered_config(cfg)
    if line not in ORACLES:
        pytest.skip(f"{name}: no oracle for Cilium {line} (the module proxy does not serve the 1.17/1.18 tags)")
    verdict = run_oracle(line, config)
    assert verdict["accepted"], (name, verdict)


@pytest.mark.parametrize(("name", "cfg"), REFUSED, ids=[r[0] for r in REFUSED])
def test_what_the_oracle_refuses_is_an_error_in_the_preview(name, cfg):
    try:
        line, config = _rendered_config(cfg)
    except cilium_render.RenderError:
        assert any(f.level == "error" for f in findings_for(cfg))  # helm refuses it: CIL020 (or the typed rule)
        return
    if line not in ORACLES:
        pytest.skip(f"{name}: no oracle for Cilium {line}")
    verdict = run_oracle(line, config)
    if not verdict["accepted"]:
        errors = [f.line() for f in findings_for(cfg) if f.level == "error"]
        assert errors, (name, verdict)


def _refused(prefix: str) -> dict:
    return next(cfg for name, cfg in REFUSED if name.startswith(prefix))


@pytest.mark.parametrize(("variant", "stage", "needle"), [
    # CIL024: the agent's own Validate (pkg/clustermesh/types/option.go:51)
    ("agent-CIL024-7", "validate", "invalid cluster id 256: must be in range 0..255"),
    # CIL023: 1.20 refuses both families off already while building the tunnel config (pkg/datapath/tunnel/tunnel.go:112), before
    # initEnv's "Either IPv4 or IPv6 addressing must be enabled"
    ("agent-CIL023-5", "hive", "neither IPv4 nor IPv6 is enabled"),
])
def test_oracle_agrees_with_the_rules_where_the_agents_check_is_reachable(variant, stage, needle):
    """Where the agent's check runs without a kernel, the agent itself refuses what the rule refuses."""
    line, config = _rendered_config(_refused(variant))
    verdict = run_oracle(line, config)
    assert not verdict["accepted"] and verdict["stage"] == stage and needle in verdict["error"], verdict
