"""CIL021-CIL029 (components/validation/rules_cilium_agent.py, issue #23 sections 2-3): each value below previewed
green before and gave a cluster whose Cilium agent exits, never gets Ready, or silently does less. Each rule fails
on such a config (path, value, the agent's words) and passes on its closest valid neighbour."""

from __future__ import annotations

import pytest

from ackstack.engine.testing import assert_fires, changed, findings_for, stack_config
from components.validation.catalog import ALL_RULES

STAGING = stack_config("staging")
RULE_IDS = ["CIL021", "CIL022", "CIL023", "CIL024", "CIL025", "CIL026", "CIL027", "CIL028", "CIL029"]  # the rules of the former rules_cilium_agent.py


def _cfg(values: dict, **cilium) -> dict:
    return changed(STAGING, ("ackstack:cni.cilium", {**STAGING["ackstack:cni"]["cilium"], **cilium, "values": values}))


V = "ackstack:cni.cilium.values."
FAILING = [
    ("CIL021", _cfg({"encryption": {"enabled": True, "type": "ipsec"}}), "error", V + "encryption.enabled",
     ["kube-system/cilium-ipsec-keys", "never start"]),
    ("CIL021", _cfg({"encryption": {"enabled": True}}), "error", V + "encryption.enabled", ["cilium-ipsec-keys"]),
    ("CIL022", _cfg({"bandwidthManager": {"enabled": True, "bbr": True}}), "error", V + "bandwidthManager.bbr",
     ["kube-proxy replacement is off", "requires BPF host routing"]),
    ("CIL022", _cfg({"bandwidthManager": {"enabled": True, "bbr": True}, "bpf": {"hostLegacyRouting": True}},
                    kubeProxyReplacement=True), "error", V + "bandwidthManager.bbr", ["bpf.hostLegacyRouting is true"]),
    ("CIL022", _cfg({"bandwidthManager": {"enabled": True, "bbrHostNamespaceOnly": True}}), "error",
     V + "bandwidthManager.bbrHostNamespaceOnly", ["without enabling --enable-bbr"]),
    ("CIL023", _cfg({"ipv4": {"enabled": False}}), "error", V + "ipv4.enabled",
     ["Either IPv4 or IPv6 addressing must be enabled"]),
    ("CIL023", _cfg({"ipv4": {"enabled": False}, "ipv6": {"enabled": True}}), "error", V + "ipv4.enabled",
     ["IPv4 PodCIDR only"]),
    ("CIL024", _cfg({"cluster": {"id": 256, "name": "ack-staging"}}), "error", V + "cluster.id",
     ["invalid cluster id 256", "0..255"]),
    ("CIL024", _cfg({"cluster": {"id": 3}}), "error", V + "cluster.name", ["default", "cluster.id 3"]),
    ("CIL024", _cfg({"cluster": {"name": "Ack_Staging"}}), "error", V + "cluster.name", ["'Ack_Staging'"]),
    ("CIL024", _cfg({"clustermesh": {"maxConnectedClusters": 300}}), "error", V + "clustermesh.maxConnectedClusters",
     ["255 or 511"]),
    ("CIL025", _cfg({"operator": {"enabled": False}}), "error", V + "operator.enabled",
     ["Unable to find all Cilium CRDs necessary"]),
    ("CIL025", _cfg({"operator": {"replicas": 0}}), "error", V + "operator.replicas", ["at least 1 replica"]),
    ("CIL026", _cfg({"eni": {"enabled": True}}), "error", V + "eni.enabled", ["ipam: eni", "kubernetes"]),
    ("CIL027", _cfg({"extraConfig": {"routing-mode": "tunnel"}}), "error", V + "extraConfig.routing-mode",
     ["`routing-mode`", "`routingMode`"]),
    ("CIL027", _cfg({"extraConfig": {"enable-bpf-masquerade": "false"}}), "error",
     V + "extraConfig.enable-bpf-masquerade", ["`bpf.masquerade`"]),
    ("CIL028", _cfg({"ingressController": {"enabled": True}}), "error", V + "ingressController.enabled",
     ["requires kube-proxy-replacement enabled"]),
    ("CIL028", _cfg({"gatewayAPI": {"enabled": True}}), "error", V + "gatewayAPI.enabled", ["kube-proxy replacement is off"]),
    ("CIL029", _cfg({"egressGateway": {"enabled": True}}), "warning", V + "egressGateway.enabled", ["unsupported upstream"]),
]

PASSING = [
    ("CIL021", _cfg({"encryption": {"enabled": True, "type": "wireguard"}})),
    ("CIL022", _cfg({"bandwidthManager": {"enabled": True, "bbr": True}}, kubeProxyReplacement=True)),
    ("CIL022", _cfg({"bandwidthManager": {"enabled": True, "bbr": True, "bbrHostNamespaceOnly": True}})),
    ("CIL023", _cfg({"ipv4": {"enabled": True}})),
    ("CIL024", _cfg({"cluster": {"id": 255, "name": "ack-staging"}})),
    ("CIL024", _cfg({"cluster": {"id": 511, "name": "ack-staging"}, "clustermesh": {"maxConnectedClusters": 511}})),
    ("CIL024", _cfg({"cluster": {"id": 300, "name": "ack-staging"}, "clustermesh": {"maxConnectedClusters": 511}})),
    ("CIL025", _cfg({"operator": {"replicas": 1}})),
    ("CIL026", _cfg({"eni": {"enabled": False}})),
    ("CIL027", _cfg({"extraConfig": {"bpf-lb-sock-hostns-only": "true"}})),
    ("CIL028", _cfg({"ingressController": {"enabled": True, "loadbalancerMode": "dedicated"}},
                    kubeProxyReplacement=True)),
    ("CIL029", _cfg({"egressGateway": {"enabled": True}}, kubeProxyReplacement=True)),
]


def test_rules_are_in_the_catalog():
    assert set(RULE_IDS) <= {r.info.id for r in ALL_RULES}


def test_every_rule_has_a_failing_and_a_passing_case():
    assert {c[0] for c in FAILING} == set(RULE_IDS) == {c[0] for c in PASSING}


@pytest.mark.parametrize(("rule_id", "cfg", "level", "path", "needles"), FAILING,
                         ids=[f"{c[0]}-{i}" for i, c in enumerate(FAILING)])
def test_rule_fails_with_path_and_the_agents_words(rule_id, cfg, level, path, needles):
    assert_fires(findings_for(cfg), rule_id, level, path, needles)


@pytest.mark.parametrize(("rule_id", "cfg"), PASSING, ids=[f"{c[0]}-{i}" for i, c in enumerate(PASSING)])
def test_rule_passes_on_valid_neighbour(rule_id, cfg):
    findings = findings_for(cfg)
    assert not [f for f in findings if f.rule == rule_id], [f.line() for f in findings if f.rule == rule_id]


def test_staging_and_terway_pass():
    for stack in ("staging", "dev", "prod"):
        assert not [f for f in findings_for(stack_config(stack)) if f.rule in RULE_IDS]
