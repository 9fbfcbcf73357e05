"""#21 §2: every component refuses bad Args with `pulumi.InputPropertiesError` (one detail per finding, property path
and reason) before it registers anything, with the same rule ids and reasons the program reports for the stack file."""

from __future__ import annotations

import pulumi
import pytest

from components.cilium import Cilium
from components.cluster import AckProCluster
from components.existing_cluster import ExistingTerwayCluster
from components.network import Network
from components.nodepool import NodePool
from components.terway import TerwayTrunk
from components.validation.rules_net import vpc_cidr_problem


def details(component, args: dict) -> list[tuple[str, str]]:
    """(property path, rule id) of every detail; the constructor must raise before touching the engine (no
    runtime or mocks are set up here: registering anything would fail differently)."""
    with pytest.raises(pulumi.InputPropertiesError) as raised:
        component("bad", args)
    errors = raised.value.errors
    assert errors and all(e["reason"] for e in errors)
    return [(e["property_path"], e["reason"].split(":", 1)[0]) for e in errors]


def test_network_bad_args():
    found = details(Network, {
        "vpc_cidr": "8.0.0.0/8",
        "vswitches": [{"name": "a", "role": "node", "zone_id": "z", "cidr": "10.0.0.0/24"},
                      {"name": "a", "role": "node", "zone_id": "z", "cidr": "10.0.0.128/25"},
                      {"name": "c", "role": "nodes", "zone_id": "z", "cidr": "10.0.1.0/30"}],
    })
    assert ("vpcCidr", "NET001") in found
    assert ("vswitches[1].cidr", "NET003") in found
    assert ("vswitches[1].name", "NET004") in found
    assert ("vswitches[2].role", "NET004") in found
    assert ("vswitches[2].cidr", "NET002") in found


def test_network_reason_is_the_programs():
    """The reason is the text the NET001 rule gives the program for `network.vpc.cidr`."""
    with pytest.raises(pulumi.InputPropertiesError) as raised:
        Network("bad", {"vpc_cidr": "8.0.0.0/8", "vswitches": []})
    assert raised.value.errors[0]["reason"] == f"NET001: {vpc_cidr_problem('8.0.0.0/8')}"
    assert "8.0.0.0/8 must be inside" in raised.value.errors[0]["reason"]


def cluster_args(**changes) -> dict:
    args = {"cluster_name": "c", "cluster_spec": "ack.pro.small", "kubernetes_version": "1.34.1-aliyun.1",
            "vswitch_ids": ["vsw-1"], "service_cidr": "192.168.0.0/16", "security_group_id": "sg-1",
            "addons": [], "pod_vswitch_ids": ["vsw-2"]}
    return {**args, **changes}


def test_cluster_bad_args():
    found = details(AckProCluster, cluster_args(cluster_spec="ack.standard", production=True, deletion_protection=False,
                                                vswitch_ids=[f"vsw-{i}" for i in range(6)], service_cidr="8.8.0.0/16",
                                                pod_cidr="172.16.0.0/12"))
    assert sorted(found) == sorted([("clusterSpec", "CLU001"), ("deletionProtection", "CLU005"),
                                    ("vswitchIds", "CLU008"), ("serviceCidr", "NET006"), ("podVswitchIds", "CFG002")])


def pool_args(**changes) -> dict:
    args = {"cluster_id": "c1", "node_pool_name": "p", "vswitch_ids": ["vsw-1"], "instance_types": ["ecs.g7.xlarge"],
            "system_disk": {"category": "cloud_essd", "size_gb": 120}, "management": {"enabled": True},
            "key_name": "k", "desired_size": 1}
    return {**args, **changes}


def test_node_pool_bad_args():
    args = pool_args(max_pods=11, instance_types=[])
    del args["key_name"]
    args["password"] = "secret-value"  # a managed pool takes only a key pair
    assert sorted(details(NodePool, args)) == [("instanceTypes", "CFG002"), ("keyName", "CLU007"), ("maxPods", "NOD001")]


def test_terway_trunk_bad_args():
    found = details(TerwayTrunk, {
        "namespaces": [{"name": "Bad_NS", "labels": {"-x": "ok"}}],
        "pod_networkings": [
            {"name": "a", "allocation_type": {"type": "Fixed"}, "security_group_ids": ["sg-1"],
             "vswitch_ids": ["vsw-1"]},
            {"name": "b", "allocation_type": {"type": "Elastic", "release_strategy": "TTL"},
             "security_group_ids": ["sg-1"], "vswitch_ids": ["vsw-1"], "pod_selector": {"match_labels": {"a": "b"}}},
        ],
    })
    assert ("namespaces[0].name", "K8S002") in found
    assert ("namespaces[0].labels.-x", "K8S003") in found
    assert ("podNetworkings[0].allocationType.releaseStrategy", "PNW007") in found
    assert ("podNetworkings[0].selector", "PNW011") in found
    assert ("podNetworkings[1].allocationType.releaseStrategy", "PNW004") in found


def test_terway_trunk_overlapping_selectors():
    entry = {"allocation_type": {"type": "Elastic"}, "security_group_ids": ["sg-1"], "vswitch_ids": ["vsw-1"],
             "pod_selector": {"match_labels": {"app": "db"}}}
    found = details(TerwayTrunk, {"pod_networkings": [{"name": "a", **entry}, {"name": "b", **entry}]})
    assert found == [("podNetworkings[1].selector", "SEL001")]


def test_cilium_bad_args():
    found = details(Cilium, {"chart_version": "1.19.6", "values": {"ipMasqAgent": {"enable": True},
                                                                   "operator": {"replicas": "2"}}})
    assert ("values.ipMasqAgent.enable", "CIL008") in found
    assert ("values.operator.replicas", "CIL009") in found


def test_existing_cluster_bad_args():
    found = details(ExistingTerwayCluster, {"cluster_id": "c123", "managed": False,
                                            "eni_conf": {"ip_stack": "ipv6"}})
    assert ("managed", "TWY023") in found
    assert ("eniConf.ip_stack", "TWY024") in found


def test_cilium_endpoint_values_are_what_the_plan_gives():
    """The program's values without the endpoint plus the component's k8sServiceHost/Port equal the plan's own
    values with the endpoint (one Helm release either way), for every BYOCNI example stack with kube-proxy
    replacement on or off."""
    from components.cilium import with_api_server
    from components.cilium_values import cilium_values
    from tests.components.test_cilium import plan_for, stack_config

    for kpr in (True, False):
        config = stack_config("staging")
        config["ackstack:cni"]["cilium"]["kubeProxyReplacement"] = kpr
        plan = plan_for(config)
        endpoint = "https://10.0.0.253:6443"
        expected = cilium_values(plan, endpoint)
        given = with_api_server(cilium_values(plan, None), endpoint) if kpr else cilium_values(plan, None)
        assert given == expected
        assert given.get("k8sServiceHost") == ("10.0.0.253" if kpr else None)
