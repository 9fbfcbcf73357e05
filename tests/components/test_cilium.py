"""The Cilium release: pinned chart, full computed values, kube-proxy replacement from the intranet
endpoint, merge order, the `--out` values file, and every emitted key path present in the chart facts
of each release ackstack knows (policies/ackstack_core/cilium_charts, derived from the official packages)."""

from __future__ import annotations

import json

import pytest
import yaml

from ackstack.engine.testing import plan_for, run, stack_config, with_value
from ackstack_core import cilium_chart
from ackstack_core import constants as C
from components.cilium_values import (
    baseline_values,
    cilium_values,
    deep_merge,
    lookup,
    non_masquerade_cidrs,
    parse_api_server,
)

RELEASE = "kubernetes:helm.sh/v3:Release"
MK = "alicloud:cs/managedKubernetes:ManagedKubernetes"


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
    assert values["nodePort"] == {"enableHealthCheck": False}  # 1.19: no nodePort.enabled key; kube-proxy clash
    assert values["securityContext"]["privileged"] is True
    assert "autoDirectNodeRoutes" not in values and "cni" not in values  # chart defaults are not restated
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


def test_an_oci_mirror_is_the_chart_reference_not_a_classic_repository():
    """pulumi-kubernetes fetches `<repositoryOpts.repo>/index.yaml` for any URL there (C.HELM_OCI_SCHEME): an OCI
    registry such as ACR Enterprise must be the chart reference itself."""
    cfg = with_value(stack_config("staging"), "ackstack:cni.cilium",
                     {"repository": "oci://acme-registry.cn-shanghai.cr.aliyuncs.com/charts/"})
    inputs = run(cfg).one(RELEASE).inputs
    assert inputs["chart"] == "oci://acme-registry.cn-shanghai.cr.aliyuncs.com/charts/cilium"
    assert "repositoryOpts" not in inputs and inputs["version"] == C.CILIUM_CHART_VERSION


def test_release_arguments_are_parameters_of_the_installed_sdk():
    """Every argument the component passes exists in pulumi-kubernetes' Release (a typo would be a TypeError
    only under the real CLI for the source not exercised here)."""
    import inspect

    import pulumi_kubernetes as k8s

    from components.cilium import _release_args
    from components.stack_adapter import cilium_args

    accepted = set(inspect.signature(k8s.helm.v3.Release._internal_init).parameters)
    assert set(_release_args(cilium_args(plan_for(stack_config("staging")), ""), {})) <= accepted
    assert {"chart", "repository_opts"} <= accepted


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
    from ackstack.preview.preview import main as preview_main

    assert preview_main(["staging", "--no-policy", "--out", str(tmp_path)]) == 0
    files = list((tmp_path / "manifests").glob("helm-*cilium*-values.yaml"))
    assert len(files) == 1
    text = files[0].read_text()
    assert f"chart cilium {C.CILIUM_CHART_VERSION}" in text.splitlines()[0]
    written = yaml.safe_load(text)
    assert written == cilium_values(plan_for(stack_config("staging")), None)
    assert written["k8s"]["requireIPv4PodCIDR"] is True and "operator" not in written  # chart default kept


# ---------------------------------------------------------------- key paths vs the chart facts
def _variant(name: str) -> dict:
    cfg = stack_config("staging")
    return {
        "staging": cfg,
        "kube-proxy-replacement": _kpr_config(),
        "1.18.12": with_value(cfg, "ackstack:cni.cilium", {"chartVersion": "1.18.12"}),
        "1.17.9": with_value(cfg, "ackstack:cni.cilium", {"chartVersion": "1.17.9", "kubeProxyReplacement": True}),
        "image-registry": with_value(cfg, "ackstack:cni.cilium", {"imageRegistry": "registry.example.com/acme"}),
    }[name]


@pytest.mark.parametrize("variant", ["staging", "kube-proxy-replacement", "1.18.12", "1.17.9", "image-registry"])
def test_every_emitted_key_path_exists_in_the_chart_of_its_release(variant):
    plan = plan_for(_variant(variant))
    facts, exact = cilium_chart.facts_for(plan.config.cni.cilium.chart_version)
    assert exact and facts is not None
    values = cilium_values(plan, "https://10.0.0.253:6443")
    assert cilium_chart.unknown_paths(values, facts) == []
    assert cilium_chart.type_problems(values, facts) == []


def test_node_port_key_only_for_the_lines_whose_agent_needs_it():
    assert "enabled" not in cilium_values(plan_for(_variant("staging")), None)["nodePort"]
    assert cilium_values(plan_for(_variant("1.18.12")), None)["nodePort"]["enabled"] is True
    assert "nodePort.enabled" not in cilium_chart.load("1.19.6").paths
    assert "nodePort.enabled" in cilium_chart.load("1.18.12").paths


def test_key_path_check_catches_the_seed_typo():
    """The seed's `ipMasqAgent.enable` is silently ignored by Helm; the check must flag it."""
    facts = cilium_chart.load(C.CILIUM_CHART_VERSION)
    assert cilium_chart.unknown_paths({"ipMasqAgent": {"enable": True}}, facts) == ["ipMasqAgent.enable"]
    assert cilium_chart.closest_key(facts, "ipMasqAgent.enable") == "ipMasqAgent.enabled"


def test_image_registry_moves_every_chart_image():
    values = cilium_values(plan_for(_variant("image-registry")), None)
    facts = cilium_chart.load(C.CILIUM_CHART_VERSION)
    repositories = {path: lookup(values, f"{path}.repository") for path in facts.images}
    assert repositories["image"] == "registry.example.com/acme/cilium/cilium"
    assert repositories["operator.image"] == "registry.example.com/acme/cilium/operator"
    assert repositories["envoy.image"] == "registry.example.com/acme/cilium/cilium-envoy"
    assert all(r.startswith("registry.example.com/acme/") for r in repositories.values()), repositories


def test_accepted_overlay_previews_with_a_warning_and_no_policy_violation(capsys):
    """acceptOverlay: validation warns (CIL004), the mandatory cilium-native-routing policy passes, exit 0."""
    from ackstack.preview.preview import main as preview_main

    overlay = {"routingMode": "tunnel", "acceptOverlay": True}
    cfg = with_value(stack_config("staging"), "ackstack:cni.cilium", overlay)
    result = run(cfg, stack="staging")
    release = result.one(RELEASE)
    assert release.inputs["description"] == C.CILIUM_OVERLAY_ACCEPTED_DESCRIPTION
    assert run(stack_config("staging"), stack="staging").one(RELEASE).inputs.get("description") is None

    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as tmp:
        stack_file = Path(tmp) / "Pulumi.overlay.yaml"
        stack_file.write_text(yaml.safe_dump({"config": cfg}))
        code = preview_main(["overlay", "--config", str(stack_file), "--json"])
    document = json.loads(capsys.readouterr().out)
    levels = {(f["rule"], f["level"]) for f in document["findings"]}
    assert ("CIL004", "warning") in levels
    assert not [f for f in document["findings"] if f["rule"] == "cilium-native-routing"], document["findings"]
    assert code == 0
