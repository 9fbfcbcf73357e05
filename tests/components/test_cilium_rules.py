"""VER002-VER003, CIL008-CIL018, BYO007-BYO008 (components/validation/rules_cil.py, rules_ver.py, rules_byo.py): each rule fails on a
config that breaks it (exact path, value and limit, and the cited source) and passes on its closest valid
neighbour. Sources: constants.py "Cilium releases, chart facts and agent start-up checks (issue 13)"."""

from __future__ import annotations

import pytest

from ackstack.engine.testing import assert_fires, changed, findings_for, require_reference, stack_config
from ackstack_core import cilium_chart
from ackstack_core import constants as C
from components.validation.catalog import ALL_RULES

STAGING = stack_config("staging")
RULE_IDS = ["VER002", "VER003", "CIL008", "CIL009", "CIL010", "CIL011", "CIL012", "CIL013", "CIL014", "CIL015", "CIL019", "CIL020", "CIL016", "CIL017", "CIL018", "BYO007", "BYO008"]  # the rules of the former rules_cilium.py
REFERENCE = cilium_chart.FACTS_DIR  # facts only: these tests never need the chart packages or helm


def _cfg(*changes: tuple[str, object]) -> dict:
    return changed(STAGING, *changes)


def _cilium(values: dict | None = None, **cilium) -> tuple[str, object]:
    return "ackstack:cni.cilium", {**cilium, "values": values or {}}


def _k8s(version: str) -> tuple[str, object]:
    return "ackstack:cluster.kubernetesVersion", version


def _only(findings, rule_id):
    return [f for f in findings if f.rule == rule_id]


_PN = {"name": "web", "selector": {"podSelector": {"matchLabels": {"app": "web"}}}, "vSwitchOptions": ["node-e"],
       "securityGroupIDs": ["cluster"]}

# (rule, config changes, level, exact path, substrings the message must contain)
FAILING = [
    ("VER002", [_cilium(chartVersion="1.17.9")], "warning", "ackstack:cni.cilium.chartVersion",
     ["1.29 to 1.32", STAGING["ackstack:cluster"]["kubernetesVersion"], "newest tested 1.32", C.CILIUM_CHART_VERSION]),
    ("VER002", [_cilium(chartVersion="1.19.6"), _k8s("1.30.1-aliyun.1")], "error", "ackstack:cni.cilium.chartVersion",
     ["1.31 to 1.34", "1.30.1-aliyun.1", "older"]),
    ("VER002", [_cilium(chartVersion="1.21.0")], "warning", "ackstack:cni.cilium.chartVersion",
     ["unverified", "1.17, 1.18, 1.19, 1.20"]),
    ("VER003", [_cilium(chartVersion="1.19.2")], "warning", "ackstack:cni.cilium.chartVersion",
     ["1.19.2", "1.19.6 chart of the same line"]),
    ("VER003", [_cilium(chartVersion="1.16.5")], "warning", "ackstack:cni.cilium.chartVersion",
     ["1.16.5", "unverified"]),
    ("CIL008", [_cilium({"ipMasqAgent": {"enable": True}})], "error", "ackstack:cni.cilium.values.ipMasqAgent.enable",
     ["`ipMasqAgent.enable`", C.CILIUM_CHART_VERSION, "did you mean `ipMasqAgent.enabled`"]),
    ("CIL008", [_cilium({"operater": {"replicas": 1}})], "error", "ackstack:cni.cilium.values.operater",
     ["`operater`", "`operator`"]),
    ("CIL008", [_cilium({"nodePort": {"enabled": True}})], "error", "ackstack:cni.cilium.values.nodePort.enabled",
     ["`nodePort.enabled`", C.CILIUM_CHART_VERSION]),  # removed in 1.19
    ("CIL009", [_cilium({"operator": {"replicas": "2"}})], "error", "ackstack:cni.cilium.values.operator.replicas",
     ["'2'", "str", "integer"]),
    ("CIL009", [_cilium({"ipMasqAgent": {"config": {"masqLinkLocal": "false"}}})], "error",
     "ackstack:cni.cilium.values.ipMasqAgent.config.masqLinkLocal", ["'false'", "boolean"]),
    ("CIL009", [_cilium({"identityManagementMode": "cluster"})], "error",
     "ackstack:cni.cilium.values.identityManagementMode", ["'cluster'", "one of", "\"agent\""]),
    ("CIL010", [_cilium({"ipMasqAgent": {"config": {"nonMasqueradeCIDRs": ["172.16.0.0/16", "10.0.0.0/8 "]}}})],
     "error", "ackstack:cni.cilium.values.ipMasqAgent.config.nonMasqueradeCIDRs[1]",
     ["'10.0.0.0/8 '", "netip.ParsePrefix", "whole ip-masq-agent config"]),
    ("CIL010", [_cilium({"ipMasqAgent": {"config": {"nonMasqueradeCIDRs": ["010.0.0.0/8"]}}})],
     "error", "ackstack:cni.cilium.values.ipMasqAgent.config.nonMasqueradeCIDRs[0]", ["not an IP address"]),
    ("CIL011", [_cilium({"enableIPv4Masquerade": False, "ipMasqAgent": {"enabled": False}})], "error",
     "ackstack:cni.cilium.values.enableIPv4Masquerade", ["bpf.masquerade is true", "enableIPv4Masquerade is false"]),
    ("CIL012", [_cilium({"enableMasqueradeRouteSource": True})], "error",
     "ackstack:cni.cilium.values.enableMasqueradeRouteSource", ["enableMasqueradeRouteSource is true", "route source"]),
    ("CIL012", [_cilium({"egressMasqueradeInterfaces": "eth0"})], "error",
     "ackstack:cni.cilium.values.egressMasqueradeInterfaces", ["'eth0'", "devices"]),
    ("CIL013", [_cilium({"ipv6": {"enabled": True}})], "error", "ackstack:cni.cilium.values.ipv6.enabled",
     ["ipv6.enabled is true", "172.16.0.0/16", "IPv6 PodCIDR"]),
    ("CIL014", [_cilium({"autoDirectNodeRoutes": True}, routingMode="tunnel", acceptOverlay=True)], "error",
     "ackstack:cni.cilium.values.autoDirectNodeRoutes", ["autoDirectNodeRoutes is true", "routingMode tunnel"]),
    ("CIL015", [_cilium({"nodePort": {"enableHealthCheck": True}}, kubeProxyReplacement=True)], "warning",
     "ackstack:cni.cilium.values.nodePort.enableHealthCheck", ["enableHealthCheck is true", "kube-proxy"]),
    ("CIL015", [_cilium({"nodePort": {"enableHealthCheck": True}}, chartVersion="1.18.12"), _k8s("1.33.1-aliyun.1")],
     "warning", "ackstack:cni.cilium.values.nodePort.enableHealthCheck", ["enableHealthCheck is true"]),
    ("CIL016", [_cilium(chartPath="charts/missing/cilium-1.19.6.tgz")], "error", "ackstack:cni.cilium.chartPath",
     ["does not exist", "cilium-1.19.6.tgz"]),
    ("CIL016", [_cilium(chartPath="policies/ackstack_core/cilium_charts/cilium-1.19.6.json")], "error",
     "ackstack:cni.cilium.chartPath", ["not a Helm chart package"]),
    ("CIL017", [_cilium(imageRegistry="https://Registry.example.com/acme")], "error", "ackstack:cni.cilium.imageRegistry",
     ["'https://Registry.example.com/acme'", "host[:port][/namespace]"]),
    ("CIL018", [_cilium({"envoy": {"image": {"override": "quay.io/cilium/cilium-envoy:v1"}}},
                        imageRegistry="registry.cn-shanghai.aliyuncs.com/acme")], "warning",
     "ackstack:cni.cilium.values.envoy.image.override", ["quay.io", "registry.cn-shanghai.aliyuncs.com/acme"]),
    ("CIL019", [_cilium({"hubble": {"enabled": False}})], "error", "ackstack:cni.cilium.values.hubble.enabled",
     ["hubble.relay.enabled is true", "hubble.enabled is False", "cni.cilium.hubble: false"]),
    ("CIL019", [_cilium({"hubble": {"ui": {"enabled": True}, "relay": {"enabled": False}}})], "error",
     "ackstack:cni.cilium.values.hubble.relay.enabled", ["hubble.ui.enabled is true"]),
    # CIL020 needs helm and the package (FAIL in CI, skip elsewhere); before it, each of these previewed green.
    ("CIL020", [_cilium({"cluster": {"name": "my_cluster"}})], "error", "ackstack:cni.cilium.values.cluster.name",
     [f"cilium-{C.CILIUM_CHART_VERSION}.tgz", "validate.yaml:159", "The cluster name is invalid",
      "lower case alphanumeric"]),
    ("CIL020", [_cilium({"hubble": {"redact": {"enabled": True, "http": {"headers": {"allow": ["a"], "deny": ["b"]}}}}})],
     "error", "ackstack:cni.cilium.values.hubble.redact.http.headers.allow",
     ["Only one of .Values.hubble.redact.http.headers.allow"]),
    ("CIL020", [_cilium({"operator": {"replicas": "2"}})], "error", "ackstack:cni.cilium.values.operator.replicas",
     ["/operator/replicas", "got string, want integer"]),
    ("BYO007", [("ackstack:cni.backendType", "Pod")], "error", "ackstack:cni.backendType",
     ["pod CIDR 172.16.0.0/16", "outside the VPC CIDR 10.0.0.0/16", "VPC addresses"]),
    ("BYO008", [("ackstack:podNetworkings", [_PN])], "error", "ackstack:podNetworkings",
     ["podNetworkings (1: web)", "byocni-cilium", "terway-trunk"]),
    ("BYO008", [("ackstack:namespaces", [{"name": "apps"}])], "error", "ackstack:namespaces",
     ["namespaces (1: apps)"]),
]


def _require_helm() -> None:
    from components import cilium_render

    check = cilium_render.render_check(C.CILIUM_CHART_VERSION, None)
    require_reference(check.mode == "helm", f"helm and the official chart package ({check.detail})")


def test_rules_are_in_the_catalog():
    assert set(RULE_IDS) <= {r.info.id for r in ALL_RULES}
    assert len(set(RULE_IDS)) == len(RULE_IDS)


def test_every_rule_has_a_failing_case():
    assert {c[0] for c in FAILING} == set(RULE_IDS)


@pytest.mark.parametrize(("rule_id", "changes", "level", "path", "needles"), FAILING,
                         ids=[f"{c[0]}-{i}" for i, c in enumerate(FAILING)])
def test_rule_fails_with_path_value_and_limit(rule_id, changes, level, path, needles):
    if rule_id == "CIL020":
        _require_helm()
    assert_fires(findings_for(_cfg(*changes)), rule_id, level, path, needles)


# Closest valid neighbours (boundaries of the tested ranges included).
PASSING = [
    ("VER002", [_cilium(chartVersion="1.19.6"), _k8s("1.31.1-aliyun.1")]),
    ("VER002", [_cilium(chartVersion="1.18.12"), _k8s("1.33.1-aliyun.1")]),
    ("VER002", [_cilium(chartVersion="1.17.9"), _k8s("1.32.1-aliyun.1")]),
    ("VER003", [_cilium(chartVersion="1.18.12"), _k8s("1.33.1-aliyun.1")]),
    # the default line on the minors ACK creates today (error-free: these render, and run through the agent oracle)
    ("VER002", [_cilium(chartVersion="1.20.0"), _k8s("1.35.2-aliyun.1")]),
    ("VER003", [_cilium(chartVersion="1.20.0"), _k8s("1.36.1-aliyun.1")]),
    ("CIL008", [_cilium({"ipMasqAgent": {"enabled": True}, "operator": {"podAnnotations": {"any/key": "x"}}})]),
    ("CIL008", [_cilium({"nodePort": {"enabled": True}}, chartVersion="1.18.12"), _k8s("1.33.1-aliyun.1")]),
    ("CIL008", [_cilium({"egressMasqueradeInterfaces": ""})]),  # documented only as a comment
    # read by the templates, only mentioned in values.yaml comments: refused before issue #23
    ("CIL008", [_cilium({"devices": ["eth0"], "nodePort": {"range": "30000,32767"}, "policyAuditMode": False,
                         "loadBalancer": {"algorithm": "maglev"}})]),
    ("CIL009", [_cilium({"operator": {"replicas": 3}, "identityManagementMode": "operator"})]),
    ("CIL009", [_cilium({"k8s": {"requireIPv6PodCIDR": None}})]),  # null: Helm deletes the key
    ("CIL010", [_cilium({"ipMasqAgent": {"config": {"nonMasqueradeCIDRs": ["172.16.0.0/16", "10.0.0.0/8"]}}})]),
    ("CIL011", [_cilium({"enableIPv4Masquerade": False, "ipMasqAgent": {"enabled": False},
                         "bpf": {"masquerade": False}})]),
    ("CIL012", [_cilium({"enableMasqueradeRouteSource": False, "egressMasqueradeInterfaces": ""})]),
    ("CIL013", [_cilium({"ipv6": {"enabled": False}})]),
    ("CIL014", [_cilium({"autoDirectNodeRoutes": False}, routingMode="tunnel", acceptOverlay=True)]),
    ("CIL015", [_cilium({"nodePort": {"enableHealthCheck": False}})]),
    # 1.19: without kube-proxy replacement the agent never starts the server (healthserver.go:105); the warning
    # fired here before issue #23.
    ("CIL015", [_cilium({"nodePort": {"enableHealthCheck": True}})]),
    ("CIL016", [_cilium()]),
    ("CIL017", [_cilium(imageRegistry="registry.cn-shanghai.aliyuncs.com/acme")]),
    ("CIL018", [_cilium(imageRegistry="registry-vpc.cn-shanghai.aliyuncs.com/acme")]),
    ("CIL019", [_cilium({"hubble": {"ui": {"enabled": True}}})]),
    ("CIL019", [_cilium(hubble=False)]),
    ("CIL020", [_cilium({"cluster": {"name": "ack-staging-1"}})]),
    ("CIL020", [_cilium({"hubble": {"redact": {"enabled": True, "http": {"headers": {"allow": ["a"]}}}}})]),
    ("BYO007", [("ackstack:cni.backendType", "NodePort")]),
    ("BYO008", [("ackstack:podNetworkings", []), ("ackstack:namespaces", [])]),
]


@pytest.mark.parametrize(("rule_id", "changes"), PASSING, ids=[f"{c[0]}-{i}" for i, c in enumerate(PASSING)])
def test_rule_passes_on_valid_neighbour(rule_id, changes):
    findings = findings_for(_cfg(*changes))
    assert _only(findings, rule_id) == [], [f.line() for f in _only(findings, rule_id)]


def test_staging_passes_every_cilium_rule():
    findings = findings_for(STAGING)
    assert not [f for f in findings if f.rule in RULE_IDS], [f.line() for f in findings]


def test_rules_do_not_apply_to_terway():
    findings = findings_for(stack_config("dev"))
    assert not [f for f in findings if f.rule in RULE_IDS]


def test_a_values_type_error_is_caught_before_any_render():
    """`operator.replicas: "2"` stops at validation: nothing is registered, so helm never sees it."""
    from ackstack.engine.testing import run

    result = run(_cfg(_cilium({"operator": {"replicas": "2"}})), stack="staging")
    assert result.error is not None and "CIL009" in str(result.error)
    assert not [r for r in result.registrations if r.custom]


@pytest.mark.parametrize(("text", "ok"), [
    ("10.0.0.0/8", True), ("fd00::/8", True), ("10.0.0.1/8", True),  # netip keeps host bits
    ("10.0.0.0/8 ", False), (" 10.0.0.0/8", False), ("10.0.0.0", False), ("10.0.0.0/08", False),
    ("10.0.0.0/33", False), ("fe80::1%eth0/64", False), ("010.0.0.0/8", False), (8, False),
])
def test_go_prefix_parsing(text, ok):
    assert (cilium_chart.go_prefix_error(text) is None) is ok


@pytest.mark.parametrize("version", C.CILIUM_CHART_FACTS_VERSIONS)
def test_keys_only_the_templates_read_are_known(version):
    """`k8s.apiServerURLs` and friends appear in values.yaml only as comments; the templates render them (CIL008
    refused them before issue #23). Not in PASSING: the agent oracle would need a pod's in-cluster environment."""
    facts = cilium_chart.load(version)
    values = {"devices": ["eth0"], "k8s": {"apiServerURLs": "https://10.0.0.1:6443"}, "nodePort": {"range": "30000,32767"}}
    # k8s.apiServerURLs arrived with the 1.18 chart; the 1.17.9 templates never read it
    expected = ["k8s.apiServerURLs"] if version == "1.17.9" else []
    assert cilium_chart.unknown_paths(values, facts) == expected
    assert cilium_chart.unknown_paths({"k8s": {"apiServerURL": "x"}}, facts) == ["k8s.apiServerURL"]
