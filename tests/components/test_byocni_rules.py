"""BYO0xx / CIL0xx: each rule fails on a config that breaks it (exact path, value and limit in the
message) and passes on the staging stack or on the closest valid config."""

from __future__ import annotations

import pytest

from ackstack.engine.testing import assert_fires, changed, findings_for, stack_config
from components.validation.catalog import ALL_RULES

STAGING = stack_config("staging")
RULE_IDS = ["BYO001", "BYO002", "BYO003", "BYO004", "BYO005", "BYO006", "CIL001", "CIL002", "CIL003", "CIL004", "CIL005", "CIL006", "CIL007"]  # the rules of the former rules_byocni.py


def _cfg(*changes: tuple[str, object]) -> dict:
    return changed(STAGING, *changes)


def _cilium_values(values: dict, **cilium) -> tuple[str, object]:
    return "ackstack:cni.cilium", {**cilium, "values": values}


def _only(findings, rule_id):
    return [f for f in findings if f.rule == rule_id]


def test_rules_are_in_the_catalog():
    assert set(RULE_IDS) <= {r.info.id for r in ALL_RULES}
    assert len(set(RULE_IDS)) == len(RULE_IDS)


@pytest.mark.parametrize("rule_id", RULE_IDS)
def test_staging_passes_every_byocni_rule(rule_id):
    assert _only(findings_for(STAGING), rule_id) == []


def test_rules_do_not_apply_to_terway():
    findings = findings_for(stack_config("dev"))
    assert not [f for f in findings if f.rule in RULE_IDS]


# (rule, config changes, level, exact path, substrings the message must contain: value and limit)
FAILING = [
    ("BYO001", [("ackstack:cni.addons", [{"name": "kube-flannel-ds", "disabled": False}])], "error",
     "ackstack:cni.addons[0].name", ["kube-flannel-ds", "disabled: false", "disabled: true"]),
    ("BYO001", [("ackstack:cni.addons", [{"name": "csi-plugin"}, {"name": "cloud-controller-manager"}])], "error",
     "ackstack:cni.addons[1].name", ["cloud-controller-manager", "cni.cloudRoutes", "cni.backendType"]),
    ("BYO002", [("ackstack:cni.addons", [{"name": "terway-eniip"}])], "error",
     "ackstack:cni.addons[0].name", ["terway-eniip", "terway-trunk"]),
    ("BYO003", [("ackstack:cni.podCidr", "100.64.0.0/16")], "error",
     "ackstack:cni.podCidr", ["100.64.0.0/16", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"]),
    ("BYO004", [("ackstack:cni.podCidr", "10.0.128.0/17")], "error",
     "ackstack:cni.podCidr", ["10.0.128.0/17", "VPC CIDR 10.0.0.0/16"]),
    ("BYO004", [("ackstack:cni.podCidr", "192.168.0.0/20")], "error",
     "ackstack:cni.podCidr", ["192.168.0.0/20", "service CIDR 192.168.0.0/16"]),
    ("BYO005", [("ackstack:cni.nodeCidrMask", 29)], "error",
     "ackstack:cni.nodeCidrMask", ["nodeCidrMask 29", "/24 to /28"]),
    ("BYO005", [("ackstack:cni.nodeCidrMask", 23)], "error",
     "ackstack:cni.nodeCidrMask", ["nodeCidrMask 23", "/24 to /28"]),
    ("BYO005", [("ackstack:cni.podCidr", "172.16.0.0/25"), ("ackstack:cni.nodeCidrMask", 24)], "error",
     "ackstack:cni.nodeCidrMask", ["/24", "172.16.0.0/25", "at least /25"]),
    ("BYO006", [("ackstack:cni.backendType", "Pod"), ("ackstack:cni.cloudRoutes", False)], "error",
     "ackstack:cni.backendType", ["backendType Pod", "cloudRoutes: false", "cloudRoutes: true", "native"]),
    ("CIL001", [_cilium_values({"ipv4NativeRoutingCIDR": "172.16.0.0/12"})], "error",
     "ackstack:cni.cilium.values.ipv4NativeRoutingCIDR", ["'172.16.0.0/12'", "pod CIDR 172.16.0.0/16"]),
    ("CIL002", [_cilium_values({"ipMasqAgent": {"config": {"nonMasqueradeCIDRs": ["172.16.0.0/16"]}}})],
     "error", "ackstack:cni.cilium.values.ipMasqAgent.config.nonMasqueradeCIDRs",
     ["['172.16.0.0/16']", "VPC CIDR 10.0.0.0/16"]),
    ("CIL002", [_cilium_values({"ipMasqAgent": {"enabled": False}})], "error",
     "ackstack:cni.cilium.values.ipMasqAgent.enabled", ["ipMasqAgent disabled", "VPC CIDR 10.0.0.0/16"]),
    ("CIL003", [_cilium_values({"bpf": {"masquerade": False}})], "error",
     "ackstack:cni.cilium.values.bpf.masquerade", ["bpf.masquerade is False", "bpf.masquerade: true"]),
    # 1.17/1.18 only: the 1.19 agent dropped "BPF masquerade requires NodePort" (and the chart the key).
    ("CIL003", [_cilium_values({"nodePort": {"enabled": False}}, chartVersion="1.18.12")], "error",
     "ackstack:cni.cilium.values.nodePort.enabled", ["nodePort.enabled is False", "nodePort.enabled: true",
                                                     "593834ec452:585"]),
    ("CIL004", [_cilium_values({}, routingMode="tunnel")], "error",
     "ackstack:cni.cilium.routingMode", ["routingMode is tunnel", "must be native", "acceptOverlay"]),
    ("CIL004", [_cilium_values({"routingMode": "tunnel"})], "error",
     "ackstack:cni.cilium.values.routingMode", ["routingMode is tunnel", "webhooks"]),
    ("CIL004", [_cilium_values({}, routingMode="tunnel", acceptOverlay=True)], "warning",
     "ackstack:cni.cilium.routingMode", ["routingMode is tunnel", "acceptOverlay", "webhooks"]),
    ("CIL005", [("ackstack:cni.cloudRoutes", False)], "error",
     "ackstack:cni.cloudRoutes", ["cloudRoutes is false", "routingMode is native", "cloudRoutes: true"]),
    ("CIL006", [_cilium_values({}, ipam="cluster-pool")], "error",
     "ackstack:cni.cilium.ipam", ["'cluster-pool'", "'kubernetes'", "172.16.0.0/16", "/24"]),
    ("CIL007", [_cilium_values({"k8sServiceHost": "auto"})], "error",
     "ackstack:cni.cilium.values.k8sServiceHost", ["'auto'", "intranet API server", "never 'auto'"]),
]


@pytest.mark.parametrize(("rule_id", "changes", "level", "path", "needles"), FAILING,
                         ids=[f"{c[0]}-{i}" for i, c in enumerate(FAILING)])
def test_rule_fails_with_path_value_and_limit(rule_id, changes, level, path, needles):
    assert_fires(findings_for(_cfg(*changes)), rule_id, level, path, needles)


def test_every_rule_has_a_failing_case():
    assert {c[0] for c in FAILING} == set(RULE_IDS)


# Closest valid neighbours of the failing cases (boundaries included).
PASSING = [
    ("BYO001", [("ackstack:cni.addons", [{"name": "csi-plugin", "config": "{}"}])]),
    ("BYO002", [("ackstack:cni.addons", [{"name": "terway-eniip", "disabled": True}])]),
    ("BYO003", [("ackstack:cni.podCidr", "192.168.0.0/16"), ("ackstack:cluster.serviceCidr", "172.19.0.0/20")]),
    ("BYO004", [("ackstack:cni.podCidr", "10.1.0.0/16")]),
    ("BYO005", [("ackstack:cni.nodeCidrMask", 28)]),
    ("BYO005", [("ackstack:cni.nodeCidrMask", 25)]),  # inside the range and free of capacity errors
    ("BYO005", [("ackstack:cni.podCidr", "172.16.0.0/24"), ("ackstack:cni.nodeCidrMask", 24)]),
    ("BYO006", [("ackstack:cni.backendType", "Pod")]),
    ("CIL001", [_cilium_values({"ipv4NativeRoutingCIDR": "172.16.0.0/16"})]),
    ("CIL002", [_cilium_values({"ipMasqAgent": {"config": {"nonMasqueradeCIDRs": ["172.16.0.0/12", "10.0.0.0/8"]}}})]),
    ("CIL002", [_cilium_values({"enableIPv4Masquerade": False, "ipMasqAgent": {"enabled": False},
                                "bpf": {"masquerade": False}})]),  # bpf.masquerade off too, else CIL011
    ("CIL003", [_cilium_values({}, kubeProxyReplacement=True)]),
    ("CIL003", [_cilium_values({}, chartVersion="1.18.12")]),  # the overlay adds nodePort.enabled on 1.18
    ("CIL004", [_cilium_values({"routingMode": "native"})]),
    ("CIL005", [("ackstack:cni.cloudRoutes", True)]),
    ("CIL006", [_cilium_values({"ipam": {"mode": "kubernetes"}})]),
    ("CIL007", [_cilium_values({"hubble": {"ui": {"enabled": True}}}, kubeProxyReplacement=True)]),
]


@pytest.mark.parametrize(("rule_id", "changes"), PASSING, ids=[f"{c[0]}-{i}" for i, c in enumerate(PASSING)])
def test_rule_passes_on_valid_neighbour(rule_id, changes):
    findings = findings_for(_cfg(*changes))
    assert _only(findings, rule_id) == [], [f.line() for f in _only(findings, rule_id)]
    # No other BYOCNI/Cilium rule objects either (capacity rules belong to rules_cap).
    assert not [f for f in findings if f.rule in RULE_IDS], [f.line() for f in findings]


def test_overlay_with_overlay_ipam_is_only_a_warning():
    """Tunnel mode accepted: cluster-pool IPAM no longer fights VPC routes, so CIL006 is a warning."""
    cfg = _cfg(_cilium_values({}, routingMode="tunnel", acceptOverlay=True, ipam="cluster-pool"),
               ("ackstack:cni.cloudRoutes", False))
    levels = {f.rule: f.level for f in findings_for(cfg) if f.rule in RULE_IDS}
    assert levels == {"CIL004": "warning", "CIL006": "warning"}
