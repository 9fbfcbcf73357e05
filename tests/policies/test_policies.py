"""Unit tests for every ackstack policy: pass, fail (message names the property), unknown-in-preview."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from pulumi_policy import EnforcementLevel

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "policies"))

from ackstack_core.podnetworking_checks import parse_go_duration  # noqa: E402
from ackstack_policies import ALL_POLICIES, POLICIES_BY_NAME  # noqa: E402
from ackstack_policies._common import (  # noqa: E402
    UNKNOWN_STRING,
    StackResource,
    plain,
)
from tests.policies.test_policies_infraguard import CASES as INFRAGUARD_CASES  # noqa: E402

U = UNKNOWN_STRING
MK = "alicloud:cs/managedKubernetes:ManagedKubernetes"
PN = "kubernetes:network.alibabacloud.com/v1beta1:PodNetworking"


def eniip(trunking="true"):
    return {"name": "terway-eniip", "config": json.dumps({"ENITrunking": trunking})}


TERWAY_OK = {
    "clusterSpec": "ack.pro.small",
    "addons": [eniip(), {"name": "terway-controlplane"}],
    "podVswitchIds": ["vsw-a", "vsw-b"],
}
BYOCNI_OK = {
    "clusterSpec": "ack.pro.small",
    "addons": [{"name": "kube-flannel-ds", "disabled": True}],
    "podCidr": "10.128.0.0/16",
    "nodeCidrMask": 24,
}
PN_OK = {
    "spec": {
        "allocationType": {"type": "Fixed", "releaseStrategy": "TTL", "releaseAfter": "10m"},
        "vSwitchOptions": ["vsw-a"],
        "securityGroupIDs": ["sg-a"],
        "eniOptions": {"eniType": "Trunk"},
    }
}
CILIUM_OK = {"chart": "cilium", "values": {"routingMode": "native", "ipv4NativeRoutingCIDR": "10.0.0.0/8"}}
SG_OK = {
    "type": "ingress",
    "policy": "accept",
    "cidrIp": "10.0.0.0/8",
    "ipProtocol": "tcp",
    "portRange": "22/22",
}
CLUSTER_HYGIENE_OK = {
    "deletionProtection": True,
    "slbInternetEnabled": False,
    "enableRrsa": True,
    "controlPlaneLogComponents": ["apiserver", "kcm"],
}
NODEPOOL_OK = {"management": {"enable": True, "autoRepair": True}, "systemDiskEncrypted": True}

# name -> (passing props, failing props, property named in the message, unknown props)
CASES = {
    "ack-managed-pro": (TERWAY_OK, {"clusterSpec": "ack.standard"}, "clusterSpec", {"clusterSpec": U}),
    "terway-trunk-addons": (
        TERWAY_OK,
        {**TERWAY_OK, "addons": [eniip("false"), {"name": "terway-controlplane"}]},
        "ENITrunking",
        {**TERWAY_OK, "addons": [{"name": "terway-eniip", "config": U}, {"name": "terway-controlplane"}]},
    ),
    "byocni-no-builtin-cni": (
        BYOCNI_OK,
        {**BYOCNI_OK, "podCidr": None},
        "podCidr",
        {**BYOCNI_OK, "podCidr": U, "nodeCidrMask": U},
    ),
    "podnetworking-explicit-placement": (
        PN_OK,
        {"spec": {"vSwitchOptions": ["vsw-a"], "securityGroupIDs": ["sg-a"]}},
        "eniOptions",
        {"spec": U},
    ),
    "podnetworking-release-strategy": (
        PN_OK,
        {"spec": {"allocationType": {"type": "Fixed", "releaseStrategy": "TTL", "releaseAfter": "1m"}}},
        "releaseAfter",
        {"spec": {"allocationType": {"type": "Fixed", "releaseStrategy": "TTL", "releaseAfter": U}}},
    ),
    "cilium-native-routing": (
        CILIUM_OK,
        {"chart": "cilium", "values": {"routingMode": "tunnel"}},
        "routingMode",
        {"chart": "cilium", "values": U},
    ),
    "ack-deletion-protection": (
        CLUSTER_HYGIENE_OK,
        {"deletionProtection": False},
        "deletionProtection",
        {"deletionProtection": U},
    ),
    "ack-private-api-server": (
        CLUSTER_HYGIENE_OK,
        {"slbInternetEnabled": True},
        "slbInternetEnabled",
        {"slbInternetEnabled": U},
    ),
    "ack-rrsa-enabled": (CLUSTER_HYGIENE_OK, {"enableRrsa": False}, "enableRrsa", {"enableRrsa": U}),
    "ack-control-plane-logs": (
        CLUSTER_HYGIENE_OK,
        {"controlPlaneLogComponents": []},
        "controlPlaneLogComponents",
        {"controlPlaneLogComponents": U},
    ),
    "nodepool-auto-repair": (
        NODEPOOL_OK,
        {"management": {"enable": True, "autoRepair": False}},
        "management.autoRepair",
        {"management": U},
    ),
    "nodepool-encrypted-system-disk": (
        NODEPOOL_OK,
        {"systemDiskEncrypted": False},
        "systemDiskEncrypted",
        {"systemDiskEncrypted": U},
    ),
    "sg-no-open-admin-ports": (
        SG_OK,
        {**SG_OK, "cidrIp": "0.0.0.0/0", "portRange": "1/1024"},
        "portRange",
        {**SG_OK, "cidrIp": U},
    ),
}


CASES.update(INFRAGUARD_CASES)  # IGD001-IGD010 (tests/policies/test_policies_infraguard.py) get the same generic tests


def test_every_policy_has_a_compliant_and_a_violating_case():
    from tests.policies.test_policies_stack import STACK_CASES

    assert {p.name for p in ALL_POLICIES} == set(CASES) | set(STACK_CASES)
    assert not set(CASES) & set(STACK_CASES)


def test_every_resource_policy_has_cases():
    resource_policies = {p.name for p in ALL_POLICIES if hasattr(p, "resource_types")}
    assert resource_policies == set(CASES)


def test_policy_metadata():
    names = [p.name for p in ALL_POLICIES]
    assert len(names) == len(set(names))
    for p in ALL_POLICIES:
        assert p.name == p.name.lower() and " " not in p.name
        assert p.description
        assert p.enforcement_level in (EnforcementLevel.MANDATORY, EnforcementLevel.ADVISORY)


@pytest.mark.parametrize("name", sorted(CASES))
def test_pass(name):
    assert POLICIES_BY_NAME[name].run_check(CASES[name][0]) == []


@pytest.mark.parametrize("name", sorted(CASES))
def test_fail_names_property(name):
    messages = POLICIES_BY_NAME[name].run_check(CASES[name][1])
    assert messages, name
    assert any(CASES[name][2] in m for m in messages), messages


@pytest.mark.parametrize("name", sorted(CASES))
def test_unknown_in_preview_is_silent(name):
    assert POLICIES_BY_NAME[name].run_check(CASES[name][3]) == []


@pytest.mark.parametrize("name", sorted(CASES))
def test_failing_case_with_every_top_level_value_unknown_is_silent(name):
    """In preview whole inputs can be unknown (outputs of other resources): never a violation."""
    failing = CASES[name][1]
    assert POLICIES_BY_NAME[name].run_check({k: U for k in failing}) == []


def test_terway_details():
    check = POLICIES_BY_NAME["terway-trunk-addons"].run_check
    assert check({"addons": [{"name": "kube-flannel-ds"}]}) == []  # not a terway cluster
    msgs = check({"addons": [{"name": "terway-eniip"}]})
    assert any("terway-controlplane" in m for m in msgs)
    assert any("podVswitchIds" in m for m in msgs)
    assert any("ENITrunking" in m for m in msgs)
    assert (
        check({**TERWAY_OK, "addons": [eniip(), {"name": "terway-controlplane"}], "podVswitchIds": U}) == []
    )
    assert check({**TERWAY_OK, "addons": U}) == []
    assert check({**TERWAY_OK, "addons": [eniip(), U]}) == []


def test_byocni_details():
    check = POLICIES_BY_NAME["byocni-no-builtin-cni"].run_check
    msgs = check({**BYOCNI_OK, "addons": [*BYOCNI_OK["addons"], eniip()], "nodeCidrMask": None})
    assert any("terway-eniip" in m for m in msgs) and any("nodeCidrMask" in m for m in msgs)
    assert check({**BYOCNI_OK, "addons": [{"name": "kube-flannel-ds", "disabled": U}]}) == []
    assert check({"addons": [{"name": "kube-flannel-ds", "disabled": False}]}) == []


def test_security_group_limit_follows_the_installed_controlplane():
    # one setting: the terway-controlplane version (webhook limit 5 up to v1.12, 10 from v1.13:
    # AliyunContainerService/terway pkg/controller/webhook/validate.go:46 at v1.12.1, :52 at v1.13.7)
    from ackstack_policies._common import StackResource

    policy = POLICIES_BY_NAME["podnetworking-security-groups"]
    pn = StackResource("urn:pn", "kubernetes:network.alibabacloud.com/v1beta1:PodNetworking", "pn",
                       {"spec": {"securityGroupIDs": [f"sg-{i}" for i in range(6)]}})

    def addon(version):
        return StackResource("urn:a", "alicloud:cs/kubernetesAddon:KubernetesAddon", "a",
                             {"name": "terway-controlplane", "version": version})

    # the stack's declared ECS quota (capacity.maxSecurityGroupsPerEni) reaches the pack on the parent component
    raised = StackResource("urn:comp", "ackstack:terway:PodNetworking", "pn", {"maxSecurityGroupsPerEni": 10})
    pn.parent = raised.urn
    old = policy.run_check([addon("v1.12.1"), raised, pn])
    assert old and old[0][1] == "urn:pn" and "exceed the 5" in old[0][0] and "v1.12.1" in old[0][0]
    assert policy.run_check([addon("v1.13.7"), raised, pn]) == []
    cluster = StackResource("urn:c", "alicloud:cs/managedKubernetes:ManagedKubernetes", "c",
                            {"addons": [{"name": "terway-controlplane", "version": "v1.11.5"}]})
    assert policy.run_check([cluster, raised, pn])
    assert policy.run_check([raised, pn]) == []  # unpinned: the newest modelled line admits 10
    # without a declared raise, ECS's default of 5 per ENI applies (as PNW001 says)
    default = StackResource("urn:comp", "ackstack:terway:PodNetworking", "pn", {"maxSecurityGroupsPerEni": 5})
    assert "ECS limit of 5" in policy.run_check([addon("v1.13.7"), default, pn])[0][0]
    pn.parent = None
    assert "ECS limit of 5" in policy.run_check([addon("v1.13.7"), pn])[0][0]
    empty = StackResource("urn:e", pn.type, "e", {"spec": {}})
    assert "missing" in policy.run_check([empty])[0][0]


def test_a_podnetworking_the_engine_could_not_compute_is_not_reported_missing():
    """In a real preview of a new stack the engine hands stack policies `{}` for every Kubernetes object (its
    provider's kubeconfig is unknown: pulumi sdk/v3@v3.276.0 provider_plugin.go:1419-1436); seen with the
    real CLI in the rehearsal, where the pack reported PNW001 "missing" for every PodNetworking."""
    from ackstack_policies._common import StackResource

    policy = POLICIES_BY_NAME["podnetworking-security-groups"]
    unknown = StackResource("urn:u", "kubernetes:network.alibabacloud.com/v1beta1:PodNetworking", "u", {})
    assert policy.run_check([unknown]) == []


@pytest.mark.parametrize(
    ("alloc", "ok"),
    [
        ({"type": "Elastic"}, True),
        ({"type": "Fixed", "releaseStrategy": "Never"}, True),
        ({"type": "Fixed", "releaseStrategy": "Never", "releaseAfter": "10m"}, False),
        ({"type": "Elastic", "releaseStrategy": "TTL"}, False),
        ({"type": "Elastic", "releaseAfter": "10m"}, False),
        ({"type": "Fixed", "releaseStrategy": "TTL", "releaseAfter": "5m0s"}, True),
        ({"type": "Fixed", "releaseStrategy": "TTL", "releaseAfter": "1h"}, True),
        ({"type": "Fixed", "releaseStrategy": "TTL", "releaseAfter": "299s"}, False),
        ({"type": "Fixed", "releaseStrategy": "TTL", "releaseAfter": "soon"}, False),
    ],
)
def test_release_strategy_matrix(alloc, ok):
    msgs = POLICIES_BY_NAME["podnetworking-release-strategy"].run_check({"spec": {"allocationType": alloc}})
    assert (msgs == []) is ok, msgs


def test_go_duration():
    assert parse_go_duration("1h30m") == 5400
    assert parse_go_duration("5m0s") == 300
    assert parse_go_duration("1.5m") == 90
    with pytest.raises(ValueError):
        parse_go_duration("5 minutes")


def test_cilium_chart_forms():
    check = POLICIES_BY_NAME["cilium-native-routing"].run_check
    assert check({"chart": "../charts/cilium", "values": {}})
    assert check({"chart": "oci://registry/cilium", "values": {"routingMode": "native"}})
    assert check({"chart": "ingress-nginx", "values": {}}) == []
    assert check({"chart": U, "values": {}}) == []
    assert check({"chart": "/srv/charts/cilium-1.19.6.tgz", "values": {"routingMode": "tunnel"}})  # cni.cilium.chartPath
    assert check({"chart": "/srv/charts/cilium-operator.tgz", "values": {}}) == []
    assert check({"chart": "/srv/charts/cilium.tgz", "values": {"routingMode": "tunnel"}})
    # a chartPath package named otherwise is still ackstack's Cilium release: the file name cannot skip the policy
    assert check({"chart": "/srv/vendor/mirror.tgz", "name": "cilium", "values": {"routingMode": "tunnel"}})
    assert check({"chart": "/srv/vendor/mirror.tgz", "name": "other", "values": {}}) == []


def test_cilium_native_routing_honours_an_accepted_overlay():
    """The mandatory policy and validation CIL004 agree: a tunnel accepted by cni.cilium.acceptOverlay (the
    program marks the release description) passes the policy; without the mark it is a violation."""
    from ackstack_core import constants as C

    check = POLICIES_BY_NAME["cilium-native-routing"].run_check
    tunnel = {"chart": "cilium", "values": {"routingMode": "tunnel", "ipv4NativeRoutingCIDR": "172.16.0.0/16"}}
    assert check({**tunnel, "description": C.CILIUM_OVERLAY_ACCEPTED_DESCRIPTION}) == []
    assert any("acceptOverlay" in problem for problem in check(tunnel))
    assert check({**tunnel, "description": "something else"})


@pytest.mark.parametrize(
    ("rule", "bad"),
    [
        ({"portRange": "22/22", "cidrIp": "0.0.0.0/0"}, True),
        ({"portRange": "3389/3389", "cidrIp": "0.0.0.0/0"}, True),
        ({"portRange": "-1/-1", "cidrIp": "0.0.0.0/0"}, True),
        ({"ipProtocol": "all", "portRange": "-1/-1", "cidrIp": "0.0.0.0/0"}, True),
        ({"portRange": "443/443", "cidrIp": "0.0.0.0/0"}, False),
        ({"portRange": "22/22", "cidrIp": "0.0.0.0/0", "type": "egress"}, False),
        ({"portRange": "22/22", "cidrIp": "0.0.0.0/0", "policy": "drop"}, False),
        ({"portRange": U, "cidrIp": "0.0.0.0/0"}, False),
    ],
)
def test_sg_rules(rule, bad):
    msgs = POLICIES_BY_NAME["sg-no-open-admin-ports"].run_check({**SG_OK, **rule})
    assert bool(msgs) is bad, msgs


def test_stack_policy_vswitch_known():
    policy = POLICIES_BY_NAME["podnetworking-vswitch-known"]
    vsw = StackResource("urn:v", "alicloud:vpc/switch:Switch", "v", {"id": "my-switch"})
    pn = StackResource(
        "urn:pn", PN, "pn", {"spec": {"vSwitchOptions": ["my-switch", "vsw-adopted", U, "typo"]}}
    )
    findings = policy.run_check([vsw, pn])
    assert findings == [(findings[0][0], "urn:pn")] and "'typo'" in findings[0][0]
    assert policy.run_check([pn, StackResource("urn:x", PN, "x", {"spec": U})]) != []
    assert policy.run_check([StackResource("urn:x", PN, "x", {"spec": U})]) == []


def test_plain_unwraps_pulumi_policy_proxies_and_secrets():
    from pulumi_policy.proxy import unknown_checking_proxy

    proxied = unknown_checking_proxy(
        {
            "a": {"b": [U, 1]},
            "s": {"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", "value": 2},
        }
    )
    assert plain(proxied) == {"a": {"b": [U, 1]}, "s": 2}


def test_pack_speedup_memoises_property_conversion_per_message(monkeypatch):
    """The pack reuses the dict of the message being analysed instead of converting it once per policy."""
    import pulumi_policy.policy as sdk
    from google.protobuf import json_format

    from ackstack.preview.analyzer import encode_properties
    from ackstack_policies._speedups import _MemoJsonFormat, install

    for name in ("json_format", "deserialize_properties", "unknown_checking_proxy"):  # restored afterwards
        monkeypatch.setattr(sdk, name, getattr(sdk, name))
    monkeypatch.setattr(sdk._PolicyAnalyzerServicer, "AnalyzeStack", sdk._PolicyAnalyzerServicer.AnalyzeStack)
    assert install() is True
    memo = sdk.json_format
    assert isinstance(memo, _MemoJsonFormat)
    a, b = encode_properties({"spec": {"x": 1}}), encode_properties({"spec": {"x": 2}})
    first = memo.MessageToDict(a)
    assert memo.MessageToDict(a) is first and first == json_format.MessageToDict(a)
    assert memo.MessageToDict(b) == {"spec": {"x": 2.0}} and memo.MessageToDict(a) is first
    assert install() is False  # never wraps twice
