"""InfraGuard parity policies (IGD001-IGD011): a passing and a failing case each, with the property the
message names; `CASES` joins tests/policies/test_policies.py's generic pass/fail/unknown tests."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "policies"))

from ackstack_core import constants as C  # noqa: E402
from ackstack_policies import POLICIES_BY_NAME  # noqa: E402
from ackstack_policies._common import UNKNOWN_STRING as U  # noqa: E402
from ackstack_policies._common import StackResource  # noqa: E402

CLUSTER_OK = {"clusterSpec": "ack.pro.small", "encryptionProviderKey": "key-1", "version": C.KNOWN_ACK_K8S_VERSIONS[0],
              "addons": [{"name": "terway-eniip"}, {"name": C.ADDON_LOG_SERVICE}]}
RULE_OK = {"type": "ingress", "policy": "accept", "cidrIp": "10.0.0.0/8", "ipProtocol": "tcp", "portRange": "3306/3306"}
EGRESS_ALL = {"type": "egress", "policy": "accept", "cidrIp": "0.0.0.0/0", "ipProtocol": "all", "portRange": "-1/-1"}
GROUP_OK = {"securityGroupType": "enterprise", "description": "app pods"}

# name -> (passing props, failing props, property named in the message, unknown props)
CASES = {
    "ack-secrets-encryption": (CLUSTER_OK, {**CLUSTER_OK, "encryptionProviderKey": None}, "encryptionProviderKey",
                               {**CLUSTER_OK, "encryptionProviderKey": U}),
    "ack-log-service-addon": (CLUSTER_OK, {**CLUSTER_OK, "addons": [{"name": C.ADDON_LOG_SERVICE, "disabled": True}]},
                              "addons", {**CLUSTER_OK, "addons": U}),
    "ack-supported-kubernetes-version": (CLUSTER_OK, {**CLUSTER_OK, "version": "1.26.3-aliyun.1"}, "version",
                                         {**CLUSTER_OK, "version": U}),
    "nodepool-key-pair-login": ({"keyName": "ops"}, {"password": "hunter2"}, "password", {"password": U, "keyName": U}),
    "sg-no-internet-ingress": (RULE_OK, {**RULE_OK, "cidrIp": "47.96.0.0/16"}, "cidrIp", {**RULE_OK, "cidrIp": U}),
    "sg-no-all-ports-or-protocols": (RULE_OK, {**RULE_OK, "ipProtocol": "all", "portRange": "-1/-1"}, "ipProtocol",
                                     {**RULE_OK, "ipProtocol": U}),
    "sg-egress-not-all-open": ({**EGRESS_ALL, "cidrIp": "10.0.0.0/8"}, EGRESS_ALL, "egress", {**EGRESS_ALL, "cidrIp": U}),
    "sg-enterprise-type": (GROUP_OK, {**GROUP_OK, "securityGroupType": "normal"}, "securityGroupType",
                           {**GROUP_OK, "securityGroupType": U}),
    "sg-description": (GROUP_OK, {**GROUP_OK, "description": " "}, "description", {**GROUP_OK, "description": U}),
    "sg-no-risky-ports": ({**RULE_OK, "cidrIp": "0.0.0.0/0", "portRange": "443/443"},
                          {**RULE_OK, "cidrIp": "0.0.0.0/0", "portRange": "6000/7000"}, "portRange",
                          {**RULE_OK, "cidrIp": "0.0.0.0/0", "portRange": U}),
}


def run(name, props, config=None):
    return POLICIES_BY_NAME[name].run_check(props, config)


@pytest.mark.parametrize(("name", "description"), [
    ("ack-secrets-encryption", "IGD001"), ("ack-log-service-addon", "IGD002"), ("nodepool-key-pair-login", "IGD003"),
    ("ack-supported-kubernetes-version", "IGD004"), ("sg-no-internet-ingress", "IGD005"),
    ("sg-no-all-ports-or-protocols", "IGD006"), ("sg-egress-not-all-open", "IGD007"), ("sg-enterprise-type", "IGD008"),
    ("sg-description", "IGD009"), ("sg-no-risky-ports", "IGD010"), ("ack-nodes-multi-zone", "IGD011"),
])
def test_each_policy_names_its_id_and_infraguard_rule(name, description):
    policy = POLICIES_BY_NAME[name]
    assert policy.description.startswith(f"{description} (InfraGuard ")


def test_secrets_encryption_applies_to_pro_clusters_only():
    assert run("ack-secrets-encryption", {"clusterSpec": "ack.standard"}) == []


@pytest.mark.parametrize(("cidr", "internet"), [
    ("0.0.0.0/0", True), ("47.96.0.0/16", True), ("8.8.8.8/32", True), ("::/0", True),
    ("10.1.0.0/16", False), ("172.16.0.0/16", False), ("192.168.3.0/24", False), ("100.64.0.0/10", False),
    ("fd00::/8", False),
])
def test_internet_sources(cidr, internet):
    assert bool(run("sg-no-internet-ingress", {**RULE_OK, "cidrIp": cidr})) is internet


def test_exempt_cidrs_allow_a_meant_source():
    rule = {**RULE_OK, "cidrIp": "172.16.0.0/16", "ipProtocol": "all", "portRange": "-1/-1"}
    assert run("sg-no-all-ports-or-protocols", rule)
    assert run("sg-no-all-ports-or-protocols", rule, {"exemptCidrs": ["172.16.0.0/12"]}) == []
    public = {**RULE_OK, "cidrIp": "47.96.1.0/24"}
    assert run("sg-no-internet-ingress", public, {"exemptCidrs": ["47.96.0.0/16"]}) == []


def test_all_ports_tcp_range_and_drop_rules_are_judged():
    assert run("sg-no-all-ports-or-protocols", {**RULE_OK, "portRange": "1/65535"})
    assert run("sg-no-all-ports-or-protocols", {**RULE_OK, "ipProtocol": "all", "policy": "drop"}) == []


def test_risky_ports_list_comes_from_infraguard_and_is_configurable():
    assert 3306 in C.RISKY_PORTS and 27017 in C.RISKY_PORTS
    db = {**RULE_OK, "cidrIp": "0.0.0.0/0", "portRange": "5432/5432"}
    assert "5432" in run("sg-no-risky-ports", db)[0]
    assert run("sg-no-risky-ports", db, {"riskyPorts": [22]}) == []
    assert run("sg-no-risky-ports", {**db, "cidrIp": "10.0.0.0/8"}) == []  # private source: not exposed


def test_key_pair_login_tolerates_no_credentials_and_key_with_password():
    assert run("nodepool-key-pair-login", {}) == []
    assert run("nodepool-key-pair-login", {"keyName": "ops", "password": "x"}) == []
    assert run("nodepool-key-pair-login", {"kmsEncryptedPassword": "enc"})


VSW = "alicloud:vpc/switch:Switch"
NP = "alicloud:cs/nodePool:NodePool"
MK = "alicloud:cs/managedKubernetes:ManagedKubernetes"


def graph(zones_per_pool: list[list[str]]) -> list[StackResource]:
    resources = [StackResource("urn:mk", MK, "ack", {})]
    seen: dict[str, str] = {}
    for i, zones in enumerate(zones_per_pool):
        deps = []
        for zone in zones:
            urn = seen.setdefault(zone, f"urn:vsw-{zone}")
            deps.append(urn)
        resources.append(StackResource(f"urn:np{i}", NP, f"np{i}", {}, None, {"vswitchIds": deps}))
    resources += [StackResource(urn, VSW, zone, {"zoneId": zone}) for zone, urn in seen.items()]
    return resources


def test_nodes_multi_zone_pass_and_fail():
    policy = POLICIES_BY_NAME["ack-nodes-multi-zone"]
    assert policy.run_check(graph([["h", "i"], ["j"]])) == []
    findings = policy.run_check(graph([["h", "i"], ["i"]]))
    assert len(findings) == 1 and findings[0][1] == "urn:mk" and "2 zone(s) (h, i)" in findings[0][0]
    assert policy.run_check(graph([["h", "i"]]), {"minZones": 2}) == []


def test_nodes_multi_zone_silent_when_a_zone_is_unknown():
    resources = graph([["h", "i"]])
    resources[-1].props["zoneId"] = U
    assert POLICIES_BY_NAME["ack-nodes-multi-zone"].run_check(resources) == []


def test_docs_list_every_policy_and_map_the_infraguard_rules():
    from ackstack_policies import ALL_POLICIES

    text = (Path(__file__).resolve().parents[2] / "docs" / "policies.md").read_text()
    assert [p.name for p in ALL_POLICIES if f"`{p.name}`" not in text] == []
    mapping = text.split("## InfraGuard parity", 1)[1]
    for rule in ("ack-cluster-encryption-enabled", "ack-cluster-log-plugin-installed", "ack-cluster-node-multi-zone",
                 "ack-cluster-public-endpoint-check", "ack-cluster-rrsa-enabled", "ack-cluster-spec-check",
                 "ack-cluster-supported-version", "ecs-security-group-not-internet-cidr-access", "sg-risky-ports-check",
                 "ecs-security-group-not-open-all-port", "ecs-security-group-not-open-all-protocol",
                 "ecs-security-group-type-not-normal", "ecs-instance-login-use-keypair"):
        assert f"`{rule}`" in mapping, rule


def test_rules_ack_requires_on_the_cluster_group_are_exempt():
    marker = C.ACK_REQUIRED_RULE_DESCRIPTION_PREFIX
    node_in = {**RULE_OK, "ipProtocol": "all", "portRange": "-1/-1", "description": f"{marker}node vSwitch `node-h`"}
    assert run("sg-no-all-ports-or-protocols", node_in) == []
    assert run("sg-no-all-ports-or-protocols", {**node_in, "description": "mine"})
    assert run("sg-egress-not-all-open", {**EGRESS_ALL, "description": f"{marker}image pulls"}) == []
