"""The Cilium release: pinned chart, full computed values, kube-proxy replacement from the intranet
endpoint, merge order, the `--out` values file, and every emitted key path present in the chart."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from ackstack_core import constants as C
from components.cilium_values import (
    baseline_values,
    cilium_values,
    deep_merge,
    flatten,
    non_masquerade_cidrs,
    parse_api_server,
)
from offline.testing import ROOT, plan_for, run, stack_config, with_value

RELEASE = "kubernetes:helm.sh/v3:Release"
MK = "alicloud:cs/managedKubernetes:ManagedKubernetes"
PATHS_FILE = ROOT / "tests" / "data" / f"cilium-{C.CILIUM_CHART_VERSION}-value-paths.txt"


@pytest.fixture(scope="module")
def staging_run():
    result = run(stack_config("staging"), stack="staging")
    assert result.error is None, result.error
    return result


def _kpr_config() -> dict:
    return with_value(stack_config("staging"), "ackstack:cni.cilium", {"kubeProxyReplacement": True})


def test_release_has_pinned_chart_and_full_computed_values(staging_run):
    release = staging_run.one(RELEASE)
    inputs = release.inputs
    assert (inputs["chart"], inputs["version"], inputs["repositoryOpts"]["repo"]) == (
        C.CILIUM_CHART_NAME, C.CILIUM_CHART_VERSION, C.CILIUM_CHART_REPO)
    assert inputs["namespace"] == "kube-system" and inputs["name"] == "cilium"
    values = inputs["values"]
    assert values == json.loads(json.dumps(cilium_values(plan_for(stack_config("staging")), None)))
    assert values["routingMode"] == "native"
    assert values["ipam"]["mode"] == "kubernetes"
    assert values["ipv4NativeRoutingCIDR"] == "172.16.0.0/16"
    assert values["ipMasqAgent"]["enabled"] is True  # not the seed's `enable`
    assert values["ipMasqAgent"]["config"]["nonMasqueradeCIDRs"] == ["172.16.0.0/16", "10.0.0.0/16"]
    assert values["enableIPv4Masquerade"] is True and values["bpf"]["masquerade"] is True
    assert values["nodePort"]["enabled"] is True
    assert values["securityContext"]["privileged"] is True
    assert values["autoDirectNodeRoutes"] is False
    assert "kubeProxyReplacement" not in values and "k8sServiceHost" not in values


def test_release_uses_the_cluster_provider(staging_run):
    provider = staging_run.one(RELEASE).provider.rsplit("::", 1)[0]
    assert staging_run.by_urn()[provider].type == "pulumi:providers:kubernetes"


def test_stack_can_override_chart_version_and_repository():
    cfg = with_value(stack_config("staging"), "ackstack:cni.cilium",
                     {"chartVersion": "1.17.5", "repository": "https://mirror.example.com/cilium"})
    inputs = run(cfg).one(RELEASE).inputs
    assert inputs["version"] == "1.17.5"
    assert inputs["repositoryOpts"]["repo"] == "https://mirror.example.com/cilium"


def test_kube_proxy_replacement_uses_the_intranet_endpoint():
    result = run(_kpr_config(), stack="staging")
    assert result.error is None, result.error
    endpoint = result.one(MK).outputs["connections"][0]["apiServerIntranet"]
    host, port = parse_api_server(endpoint)
    values = result.one(RELEASE).inputs["values"]
    assert values["kubeProxyReplacement"] is True
    assert values["k8sServiceHost"] == host == "10.0.0.253"
    assert int(values["k8sServicePort"]) == port == 6443
    assert "auto" not in (values["k8sServiceHost"], str(values["k8sServicePort"]))


@pytest.mark.parametrize(("endpoint", "expected"), [
    ("https://10.0.0.253:6443", ("10.0.0.253", 6443)),
    ("https://192.168.3.4", ("192.168.3.4", 443)),
    ("10.1.2.3:6443", ("10.1.2.3", 6443)),
])
def test_parse_api_server(endpoint, expected):
    assert parse_api_server(endpoint) == expected


def test_parse_api_server_rejects_an_empty_endpoint():
    with pytest.raises(ValueError, match="cannot read a host"):
        parse_api_server("")


def test_user_values_merge_last_and_lists_replace():
    cfg = with_value(stack_config("staging"), "ackstack:cni.cilium",
                     {"values": {"operator": {"replicas": 3}, "hubble": {"ui": {"enabled": True}}}})
    values = cilium_values(plan_for(cfg), None)
    assert values["operator"]["replicas"] == 3
    assert values["hubble"] == {"enabled": True, "relay": {"enabled": True}, "ui": {"enabled": True}}
    assert deep_merge({"a": [1, 2], "b": {"c": 1}}, {"a": [3], "b": {"d": 2}}) == {"a": [3], "b": {"c": 1, "d": 2}}


def test_overlay_template_cannot_be_broken_by_odd_strings():
    """Figures go through `tojson`: a YAML-looking string stays one string, the document keeps its shape."""
    plan = plan_for(stack_config("staging"))
    values = cilium_values(plan, None)
    assert non_masquerade_cidrs(plan) == values["ipMasqAgent"]["config"]["nonMasqueradeCIDRs"]
    assert set(baseline_values()) <= set(values)


def test_preview_out_writes_the_cilium_values_yaml(tmp_path):
    from offline.preview import main as preview_main

    assert preview_main(["staging", "--no-policy", "--out", str(tmp_path)]) == 0
    files = list((tmp_path / "manifests").glob("helm-*cilium*-values.yaml"))
    assert len(files) == 1
    text = files[0].read_text()
    assert f"chart cilium {C.CILIUM_CHART_VERSION}" in text.splitlines()[0]
    written = yaml.safe_load(text)
    assert written == cilium_values(plan_for(stack_config("staging")), None)
    assert written["operator"]["replicas"] == 2  # not 2.0


# ---------------------------------------------------------------- key paths vs the pinned chart
def _chart_paths() -> tuple[set[str], set[str]]:
    """(paths, map-typed paths) from the test data: one dotted path per line, `#` comments, and an
    optional annotation after the path; an annotation naming a map/dict/object/`{}` marks a map."""
    assert PATHS_FILE.exists(), f"{PATHS_FILE.relative_to(ROOT)} is missing: bump the pin with its key-path list"
    paths, maps = set(), set()
    for raw in PATHS_FILE.read_text().splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        path, _, note = line.partition(" ")
        paths.add(path)
        if any(word in note.lower() for word in ("map", "dict", "object", "{}")):
            maps.add(path)
    return paths, maps


# Keys the chart documents only in comments, so a parsed values.yaml cannot list them; each entry is
# sourced in policies/ackstack_core/constants.py (never a blanket pass for a whole subtree).
DOCUMENTED_IN_COMMENTS = {
    *C.CILIUM_COMMENTED_VALUE_PATHS,
    *(f"ipMasqAgent.config.{key}" for key in C.CILIUM_IP_MASQ_AGENT_CONFIG_KEYS),
}


def _unknown_paths(values: dict) -> list[str]:
    paths, maps = _chart_paths()
    unknown = []
    for path in flatten(values):
        if path in paths or path in DOCUMENTED_IN_COMMENTS:
            continue
        parents = [path.rsplit(".", n)[0] for n in range(1, path.count(".") + 1)]
        if any(parent in maps for parent in parents):
            continue  # a free-form key under a map-typed chart value
        unknown.append(path)
    return unknown


@pytest.mark.parametrize("variant", ["staging", "kube-proxy-replacement"])
def test_every_emitted_key_path_exists_in_the_pinned_chart(variant):
    cfg = stack_config("staging") if variant == "staging" else _kpr_config()
    values = cilium_values(plan_for(cfg), "https://10.0.0.253:6443")
    assert _unknown_paths(values) == []


def test_key_path_check_catches_the_seed_typo():
    """The seed's `ipMasqAgent.enable` is silently ignored by Helm; the check must flag it."""
    assert _unknown_paths({"ipMasqAgent": {"enable": True}}) == ["ipMasqAgent.enable"]


def test_paths_file_is_a_list_of_paths_not_a_copy_of_values_yaml():
    _chart_paths()
    text = PATHS_FILE.read_text()
    assert ": " not in "\n".join(line for line in text.splitlines() if not line.startswith("#"))
    assert Path(PATHS_FILE).name.startswith(f"cilium-{C.CILIUM_CHART_VERSION}-")
