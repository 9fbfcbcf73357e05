"""The adopted-cluster path: eni-config patch (other keys untouched), Terway roll, terway-controlplane, in
that dependency order, then PodNetworkings."""

from __future__ import annotations

import json

import pytest

from ackstack.engine.testing import run, stack_config, stack_inventory, with_value
from components.existing_cluster import eni_conf_hash, merged_eni_conf
from components.validation.findings import ValidationFailed

CM = "kubernetes:core/v1:ConfigMapPatch"
DS = "kubernetes:apps/v1:DaemonSetPatch"
ADDON = "alicloud:cs/kubernetesAddon:KubernetesAddon"


@pytest.fixture(scope="module")
def existing_run():
    result = run(stack_config("existing"), stack="existing", inventory=stack_inventory("existing"))
    assert result.error is None, result.error
    return result


def live_eni_conf() -> dict:
    return stack_inventory("existing").clusters[0]["eniConf"]


def test_eni_config_patch_merges_two_keys(existing_run):
    patch = existing_run.one(CM)
    meta = patch.inputs["metadata"]
    assert (meta["namespace"], meta["name"]) == ("kube-system", "eni-config")
    assert meta["annotations"] == {"pulumi.com/patchForce": "true"}
    assert set(patch.inputs["data"]) == {"eni_conf"}
    conf = json.loads(patch.inputs["data"]["eni_conf"])
    assert conf.pop("enable_eni_trunking") is True
    assert conf.pop("credential_path") == "/var/addon/token-config"
    # cni.eniSecurityGroups [cluster] reaches Terway as eni_conf security_groups (the adopted group's id)
    assert conf.pop("security_groups") == ["sg-bp1existcluster0000001"]
    assert conf == live_eni_conf()  # every other key exactly as in the cluster
    assert list(conf) == sorted(conf)  # canonical key order: reordering YAML never rewrites the ConfigMap
    assert patch.options.get("retainOnDelete") is True


def test_dedicated_cluster_gets_no_credential_path():
    conf = merged_eni_conf('{"min_pool_size": 0, "enable_eni_trunking": false}', managed=False)
    assert conf == {"min_pool_size": 0, "enable_eni_trunking": True}


def test_terway_roll_annotation_is_hash_of_new_conf(existing_run):
    roll = existing_run.one(DS)
    assert roll.inputs["metadata"] == {"name": "terway-eniip", "namespace": "kube-system"}
    text = existing_run.one(CM).inputs["data"]["eni_conf"]
    annotations = roll.inputs["spec"]["template"]["metadata"]["annotations"]
    assert annotations == {"ackstack.io/eni-conf-sha256": eni_conf_hash(text)}


def test_dependency_order(existing_run):
    patch, roll = existing_run.one(CM), existing_run.one(DS)
    addon = existing_run.one(ADDON, "legacy-ack-addon-terway-controlplane")
    assert patch.urn in roll.dependencies
    assert roll.urn in addon.dependencies
    assert addon.inputs["clusterId"] == "c0123456789abcdef0123456789abcdef"
    pn = existing_run.one("kubernetes:network.alibabacloud.com/v1beta1:PodNetworking", "legacy-mysql")
    assert addon.urn in pn.dependencies
    assert pn.inputs["spec"]["vSwitchOptions"] == ["vsw-bp1existdbh0000000001", "vsw-bp1existdbi0000000001"]
    assert pn.inputs["spec"]["securityGroupIDs"] == ["sg-bp1existdbclients00001"]
    ns = existing_run.one("kubernetes:core/v1:NamespacePatch", "ns-databases-labels")
    assert ns.urn in pn.dependencies
    # nothing of the cluster itself is created or replaced
    assert not existing_run.of_type("alicloud:cs/managedKubernetes:ManagedKubernetes")
    assert not existing_run.of_type("alicloud:cs/nodePool:NodePool")


def test_outputs(existing_run):
    assert existing_run.outputs["clusterId"] == "c0123456789abcdef0123456789abcdef"
    assert "kubeconfig" in existing_run.secret_outputs
    tokens = [t for t, _ in existing_run.invokes]
    assert "alicloud:cs/getClusters:getClusters" in tokens
    assert "alicloud:cs/getClusterCredential:getClusterCredential" in tokens


def test_unknown_cluster_stops_before_anything_is_registered(run_stack):
    cfg = with_value(stack_config("existing"), "ackstack:cluster.existing.clusterId", "cdeadbeef000000000000")
    result = run_stack(cfg, stack="existing", inventory=stack_inventory("existing"))
    assert isinstance(result.error, ValidationFailed)
    finding = result.error.findings[0]
    assert (finding.rule, finding.path) == ("NET015", "ackstack:cluster.existing.clusterId")
    assert "cdeadbeef000000000000" in finding.message
    assert result.registrations == []


def test_non_pro_cluster_is_refused_before_anything_is_registered(run_stack):
    inv = stack_inventory("existing")
    inv.clusters[0] = {**inv.clusters[0], "clusterSpec": "ack.standard"}
    result = run_stack(stack_config("existing"), stack="existing", inventory=inv)
    assert isinstance(result.error, ValidationFailed)
    finding = result.error.findings[0]
    assert (finding.rule, finding.path) == ("TWY020", "ackstack:cluster.existing.clusterId")
    assert "ack.standard" in finding.message and "ack.pro." in finding.message
    assert result.registrations == []


def test_cluster_in_another_vpc_is_refused(run_stack):
    inv = stack_inventory("existing")
    inv.clusters[0] = {**inv.clusters[0], "vpcId": "vpc-elsewhere"}
    result = run_stack(stack_config("existing"), stack="existing", inventory=inv)
    assert isinstance(result.error, ValidationFailed)
    errors = [f for f in result.error.findings if f.level == "error"]
    assert "vpc-elsewhere" in errors[0].message
    assert result.registrations == []
