"""Stack policies that re-check PNW009 (vSwitch zones) and SEL001 (selector overlap) on the registered
resources, with the validation rules' own functions: pass, fail, unknown-in-preview, and over gRPC."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "policies"))

from ackstack.preview.analyzer import AnalyzedResource, run_policy_pack  # noqa: E402
from ackstack_policies import POLICIES_BY_NAME  # noqa: E402
from ackstack_policies._common import UNKNOWN_STRING, StackResource  # noqa: E402

VSW = "alicloud:vpc/switch:Switch"
NP = "alicloud:cs/nodePool:NodePool"
PN = "kubernetes:network.alibabacloud.com/v1beta1:PodNetworking"


def u(type_: str, name: str) -> str:
    return f"urn:pulumi:s::ackstack::{type_}::{name}"


def switch(name, zone):
    return StackResource(u(VSW, name), VSW, name, {"zoneId": zone})


def pool(name, switches):
    return StackResource(u(NP, name), NP, name, {}, property_dependencies={"vswitchIds": [u(VSW, s) for s in switches]})


def podnetworking(name, switches=(), pod_selector=None, ns_selector=None):
    selector = {}
    if pod_selector is not None:
        selector["podSelector"] = pod_selector
    if ns_selector is not None:
        selector["namespaceSelector"] = ns_selector
    return StackResource(u(PN, name), PN, name, {"metadata": {"name": name}, "spec": {"selector": selector}},
                         property_dependencies={"spec": [u(VSW, s) for s in switches]})


def zones_check(resources):
    return POLICIES_BY_NAME["podnetworking-vswitch-zones"].run_check(resources)


def overlap_check(resources):
    return POLICIES_BY_NAME["podnetworking-selector-overlap"].run_check(resources)


def test_vswitch_zones_pass_when_podnetworking_zones_have_nodes():
    res = [switch("node-h", "cn-hangzhou-h"), switch("db-h", "cn-hangzhou-h"), pool("general", ["node-h"]),
           podnetworking("db", ["db-h"], {"matchLabels": {"app": "db"}})]
    assert zones_check(res) == []


def test_vswitch_zones_fail_names_rule_vswitch_and_zone():
    res = [switch("node-h", "cn-hangzhou-h"), switch("db-k", "cn-hangzhou-k"), pool("general", ["node-h"]),
           podnetworking("db", ["db-k"], {"matchLabels": {"app": "db"}})]
    [(message, urn)] = zones_check(res)
    assert message.startswith("PNW009:") and "`db-k`" in message and "cn-hangzhou-k" in message
    assert "cn-hangzhou-h" in message and urn == u(PN, "db")


def test_vswitch_zones_unknown_zone_is_skipped():
    res = [switch("node-h", "cn-hangzhou-h"), switch("db-k", UNKNOWN_STRING), pool("general", ["node-h"]),
           podnetworking("db", ["db-k"], {"matchLabels": {"app": "db"}})]
    assert zones_check(res) == []


def test_selector_overlap_pass_for_disjoint_in_sets():
    res = [podnetworking("a", pod_selector={"matchExpressions": [{"key": "tier", "operator": "In", "values": ["a"]}]}),
           podnetworking("b", pod_selector={"matchExpressions": [{"key": "tier", "operator": "In", "values": ["b"]}]})]
    assert overlap_check(res) == []


def test_selector_overlap_fail_names_both_and_an_example():
    res = [podnetworking("a", pod_selector={"matchLabels": {"app": "x"}}),
           podnetworking("b", ns_selector={"matchLabels": {"team": "y"}})]
    [(message, urn)] = overlap_check(res)
    assert message.startswith("SEL001:") and "`a`" in message and "`b`" in message
    assert "app=x" in message and "team=y" in message and urn == u(PN, "b")


def test_selector_overlap_unknown_selector_is_skipped():
    res = [podnetworking("a", pod_selector={"matchLabels": {"app": UNKNOWN_STRING}}),
           podnetworking("b", pod_selector={"matchLabels": {"app": "x"}})]
    assert overlap_check(res) == []


def test_stack_policies_over_grpc_with_property_dependencies():
    def analyzed(r: StackResource) -> AnalyzedResource:
        return AnalyzedResource(urn=r.urn, type=r.type, name=r.name, properties=r.props,
                                property_dependencies=r.property_dependencies,
                                dependencies=sorted({d for deps in r.property_dependencies.values() for d in deps}))

    res = [switch("node-h", "cn-hangzhou-h"), switch("db-k", "cn-hangzhou-k"), pool("general", ["node-h"]),
           podnetworking("a", ["db-k"], {"matchLabels": {"app": "x"}}),
           podnetworking("b", ["node-h"], None, {"matchLabels": {"team": "y"}})]
    findings = run_policy_pack(ROOT / "policies", [analyzed(r) for r in res], stack="s", project="ackstack")
    by_rule = {f["rule"]: f for f in findings if f["rule"].startswith("podnetworking-")}
    assert by_rule["podnetworking-vswitch-zones"]["level"] == "error"
    assert "PNW009" in by_rule["podnetworking-vswitch-zones"]["message"]
    assert by_rule["podnetworking-selector-overlap"]["level"] == "error"
    assert "SEL001" in by_rule["podnetworking-selector-overlap"]["message"]


# One compliant and one violating set of resources per stack policy; tests/policies/test_policies.py's CASES hold the
# resource policies', and test_every_policy_has_a_compliant_and_a_violating_case checks the two cover the pack.
SG_RULE = "alicloud:ecs/securityGroupRule:SecurityGroupRule"
MK = "alicloud:cs/managedKubernetes:ManagedKubernetes"
_SSH = {"type": "ingress", "ipProtocol": "tcp", "portRange": "22/22", "policy": "accept", "priority": 1,
        "securityGroupId": "sg-1", "nicType": "intranet"}


def _rule(name, cidr):
    return StackResource(u(SG_RULE, name), SG_RULE, name, {**_SSH, "cidrIp": cidr})


def _pool_zones(*zones):
    return [switch(f"n-{z}", z) for z in zones] + [pool("general", [f"n-{z}" for z in zones]),
                                                   StackResource(u(MK, "ack"), MK, "ack", {})]


STACK_CASES = {
    "podnetworking-vswitch-known": (
        [switch("db-h", "cn-hangzhou-h"), StackResource(u(PN, "db"), PN, "db", {"spec": {"vSwitchOptions": ["vsw-1"]}})],
        [StackResource(u(PN, "db"), PN, "db", {"spec": {"vSwitchOptions": ["typo"]}})],
        "'typo'"),
    "podnetworking-vswitch-zones": (
        [switch("node-h", "cn-hangzhou-h"), switch("db-h", "cn-hangzhou-h"), pool("general", ["node-h"]),
         podnetworking("db", ["db-h"], {"matchLabels": {"app": "db"}})],
        [switch("node-h", "cn-hangzhou-h"), switch("db-k", "cn-hangzhou-k"), pool("general", ["node-h"]),
         podnetworking("db", ["db-k"], {"matchLabels": {"app": "db"}})],
        "PNW009"),
    "podnetworking-selector-overlap": (
        [podnetworking("a", pod_selector={"matchLabels": {"app": "x"}}),
         podnetworking("b", pod_selector={"matchLabels": {"app": "y"}})],
        [podnetworking("a", pod_selector={"matchLabels": {"app": "x"}}),
         podnetworking("b", ns_selector={"matchLabels": {"team": "y"}})],
        "SEL001"),
    "podnetworking-security-groups": (
        [StackResource(u(PN, "db"), PN, "db", {"spec": {"securityGroupIDs": ["sg-1", "sg-2"]}})],
        [StackResource(u(PN, "db"), PN, "db", {"spec": {"securityGroupIDs": [f"sg-{i}" for i in range(6)]}})],
        "ECS limit of 5"),
    "sg-no-open-admin-ports-combined": (
        [_rule("low", "0.0.0.0/1"), _rule("office", "203.0.113.0/24")],
        [_rule("low", "0.0.0.0/1"), _rule("high", "128.0.0.0/1")],
        "`high`, `low`"),
    "ack-nodes-multi-zone": (
        _pool_zones("cn-hangzhou-h", "cn-hangzhou-i", "cn-hangzhou-j"),
        _pool_zones("cn-hangzhou-h"),
        "zone(s)"),
}


@pytest.mark.parametrize("name", sorted(STACK_CASES))
def test_stack_policy_compliant_case_passes(name):
    assert POLICIES_BY_NAME[name].run_check(STACK_CASES[name][0]) == []


@pytest.mark.parametrize("name", sorted(STACK_CASES))
def test_stack_policy_violating_case_is_reported(name):
    found = POLICIES_BY_NAME[name].run_check(STACK_CASES[name][1])
    assert found and any(STACK_CASES[name][2] in message for message, _urn in found), found
