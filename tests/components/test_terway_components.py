"""Terway Trunk ENI components under the offline engine: cluster add-ons, pod vSwitches, namespaces and
PodNetworkings (exact bodies, dependencies, stable URNs)."""

from __future__ import annotations

import json

import pytest

from ackstack.engine.testing import plan_for, run, stack_config, with_value

ADDON = "alicloud:cs/kubernetesAddon:KubernetesAddon"
PN_TYPE = "kubernetes:network.alibabacloud.com/v1beta1:PodNetworking"


@pytest.fixture(scope="module")
def dev_run():
    result = run(stack_config("dev"))
    assert result.error is None, result.error
    return result


@pytest.fixture(scope="module")
def prod_run():
    result = run(stack_config("prod"), stack="prod")
    assert result.error is None, result.error
    return result


def test_cluster_is_pro_with_terway_addons_and_pod_vswitches(dev_run):
    cluster = dev_run.one("alicloud:cs/managedKubernetes:ManagedKubernetes")
    assert cluster.inputs["clusterSpec"].startswith("ack.pro.")
    addons = {a["name"]: a for a in cluster.inputs["addons"]}
    assert set(addons) == {"terway-eniip", "terway-controlplane"}
    assert json.loads(addons["terway-eniip"]["config"])["ENITrunking"] == "true"
    ids = dev_run.outputs["vswitchIds"]
    assert cluster.inputs["podVswitchIds"] == [ids["pod-h"], ids["pod-i"]]
    assert {a.inputs["name"] for a in dev_run.of_type(ADDON)} == {"terway-eniip", "terway-controlplane"}


def test_kubeconfig_is_secret(dev_run):
    assert "kubeconfig" in dev_run.secret_outputs


def test_podnetworking_body_is_what_kubectl_applies(dev_run):
    ids, sgs = dev_run.outputs["vswitchIds"], dev_run.outputs["securityGroupIds"]
    pn = dev_run.one(PN_TYPE, "mysql")
    assert pn.inputs == {
        "apiVersion": "network.alibabacloud.com/v1beta1",
        "kind": "PodNetworking",
        "metadata": {"name": "mysql", "annotations": {"pulumi.com/waitFor": "jsonpath={.status.status}=Ready"}},
        "spec": {
            "allocationType": {"type": "Fixed", "releaseStrategy": "TTL", "releaseAfter": "1h"},
            "selector": {"podSelector": {"matchLabels": {"app": "mysql"}},
                         "namespaceSelector": {"matchLabels": {"network": "isolated"}}},
            "securityGroupIDs": [sgs["db-clients"]],
            "vSwitchOptions": [ids["db-h"], ids["db-i"]],
            "vSwitchSelectOptions": {"vSwitchSelectionPolicy": "most"},
            "eniOptions": {"eniType": "Trunk"},
        },
    }
    component = dev_run.one("ackstack:terway:PodNetworking", "mysql")
    assert pn.parent == component.urn


def test_podnetworking_after_controlplane_and_its_namespace(dev_run):
    pn = dev_run.one(PN_TYPE, "mysql")
    controlplane = dev_run.one(ADDON, "dev-ack-addon-terway-controlplane")
    namespace = dev_run.one("kubernetes:core/v1:Namespace", "ns-databases")
    assert controlplane.urn in pn.dependencies and namespace.urn in pn.dependencies
    provider = dev_run.one("pulumi:providers:kubernetes")
    assert pn.provider.startswith(provider.urn) and namespace.provider.startswith(provider.urn)
    assert namespace.inputs["metadata"] == {"name": "databases", "labels": {"network": "isolated"}}


def test_defaults_are_explicit(dev_run):
    cfg = with_value(stack_config("dev"), "ackstack:podNetworkings[0]",
                     {"name": "plain", "selector": {"podSelector": {"matchLabels": {"app": "web"}}}})
    result = run(cfg)
    assert result.error is None, result.error
    ids, sgs = result.outputs["vswitchIds"], result.outputs["securityGroupIds"]
    spec = result.one(PN_TYPE, "plain").inputs["spec"]
    assert spec["securityGroupIDs"] == [sgs["cluster"]]
    assert spec["vSwitchOptions"] == [ids["pod-h"], ids["pod-i"]]
    assert spec["eniOptions"] == {"eniType": "Default"}
    assert spec["vSwitchSelectOptions"] == {"vSwitchSelectionPolicy": "ordered"}
    assert spec["allocationType"] == {"type": "Elastic"}
    assert spec["selector"] == {"podSelector": {"matchLabels": {"app": "web"}}}
    pn = result.one(PN_TYPE, "plain")
    assert not [d for d in pn.dependencies if "Namespace" in d]  # no namespaceSelector: no namespace to wait for


def test_prod_one_podnetworking_per_entry_and_namespaces(prod_run):
    assert sorted(r.name for r in prod_run.of_type(PN_TYPE)) == ["batch", "mysql", "payments", "redis"]
    assert sorted(r.name for r in prod_run.of_type("kubernetes:core/v1:Namespace")) == [
        "ns-batch", "ns-databases", "ns-payments"]
    patch = prod_run.one("kubernetes:core/v1:NamespacePatch", "ns-reporting-labels")
    assert patch.inputs["metadata"] == {"name": "reporting", "labels": {"tier": "batch"}}
    batch = prod_run.one(PN_TYPE, "batch")
    assert "podSelector" not in batch.inputs["spec"]["selector"]
    assert patch.urn in batch.dependencies
    assert prod_run.one("kubernetes:core/v1:Namespace", "ns-batch").urn in batch.dependencies
    assert prod_run.one("kubernetes:core/v1:Namespace", "ns-payments").urn not in batch.dependencies
    payments = prod_run.one(PN_TYPE, "payments").inputs["spec"]["selector"]["podSelector"]
    assert payments["matchExpressions"][0] == {"key": "app", "operator": "In",
                                               "values": ["payments-api", "payments-worker"]}
    cluster = prod_run.one("alicloud:cs/managedKubernetes:ManagedKubernetes")
    assert cluster.protect and cluster.inputs["deletionProtection"] is True
    assert cluster.inputs["slbInternetEnabled"] is False
    assert len(cluster.inputs["podVswitchIds"]) == 3


def test_reordering_lists_keeps_urns(prod_run):
    cfg = stack_config("prod")
    cfg["ackstack:podNetworkings"] = list(reversed(cfg["ackstack:podNetworkings"]))
    cfg["ackstack:namespaces"] = list(reversed(cfg["ackstack:namespaces"]))
    reordered = run(cfg, stack="prod")
    assert reordered.error is None
    assert {r.urn for r in reordered.registrations} == {r.urn for r in prod_run.registrations}
    before = {r.urn: sorted(r.dependencies) for r in prod_run.registrations}
    assert {r.urn: sorted(r.dependencies) for r in reordered.registrations} == before


def test_spec_function_matches_the_registered_body(prod_run):
    from components.podnetworking import podnetworking_spec

    plan = plan_for(stack_config("prod"))
    ids, sgs = prod_run.outputs["vswitchIds"], prod_run.outputs["securityGroupIds"]
    for entry in plan.config.pod_networkings:
        spec = podnetworking_spec(entry, plan, vswitch=ids.get, security_group=sgs.get)
        assert prod_run.one(PN_TYPE, entry.name).inputs["spec"] == spec
