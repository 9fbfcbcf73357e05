"""The offline engine as terway-controlplane: every validating-webhook rule at every modelled version,
admitted or refused with Terway's own reason, and the controller's Ready/Fail status.

Expected outcomes are read from AliyunContainerService/terway pkg/controller/webhook/validate.go at
v1.10.0 / v1.11.5 / v1.12.1 (lines 37-55), v1.13.7 / v1.14.5 / v1.15.3 (38-67) and v1.16.6 / v1.17.5 /
HEAD (39-68, selector check only when enableWebhookInjectResource is false, default true:
types/controlplane/config.go:96-97); readiness from pkg/controller/pod-networking/networking.go:109-132.
"""

from __future__ import annotations

import json

import pulumi
import pulumi_alicloud as alicloud
import pulumi_kubernetes as k8s
import pytest

from ackstack.engine.engine import run_program
from ackstack.engine.terway_controlplane import AdmissionDenied, NotReady
from ackstack.inputs.inventory import Inventory

VSW = "vsw-bp1known000000000001"
INVENTORY = Inventory(vswitches=[{"id": VSW, "vpcId": "vpc-1", "zoneId": "cn-hangzhou-h", "cidrBlock": "10.0.0.0/24"}])
GOOD = {
    "allocationType": {"type": "Fixed", "releaseStrategy": "TTL", "releaseAfter": "1h"},
    "selector": {"podSelector": {"matchLabels": {"app": "db"}}},
    "securityGroupIDs": ["sg-1"],
    "vSwitchOptions": [VSW],
    "eniOptions": {"eniType": "Trunk"},
}
SIX = [f"sg-{i}" for i in range(6)]
ELEVEN = [f"sg-{i}" for i in range(11)]

CASES = {  # name -> spec changes
    "valid": {},
    "no-selector-trunk": {"selector": {}},
    "no-selector-default": {"selector": {}, "eniOptions": {"eniType": "Default"}},
    "no-vswitches": {"vSwitchOptions": []},
    "no-security-groups": {"securityGroupIDs": []},
    "six-security-groups": {"securityGroupIDs": SIX},
    "eleven-security-groups": {"securityGroupIDs": ELEVEN},
    "ttl-not-a-go-duration": {"allocationType": {"type": "Fixed", "releaseStrategy": "TTL", "releaseAfter": "1 hour"}},
    "ttl-overflow": {"allocationType": {"type": "Fixed", "releaseStrategy": "TTL", "releaseAfter": "2562048h"}},
    "never-with-release-after": {"allocationType": {"type": "Fixed", "releaseStrategy": "Never",
                                                    "releaseAfter": "1h"}},
}
NEITHER = "neither the PodSelector nor the NamespaceSelector is set"
ATTACH = "attachType must be default when podSelector and namespaceSelector are not set"
OLD = {  # v1.10 - v1.12
    "valid": None, "no-selector-trunk": NEITHER, "no-selector-default": NEITHER,
    "no-vswitches": "vSwitchOptions is not set", "no-security-groups": "security group is not set",
    "six-security-groups": "security group can not more than 5",
    "eleven-security-groups": "security group can not more than 5",
    "ttl-not-a-go-duration": "invalid releaseAfter 1 hour", "ttl-overflow": "invalid releaseAfter 2562048h",
    "never-with-release-after": None,
}
MIDDLE = {**OLD, "no-selector-trunk": ATTACH, "no-selector-default": None, "six-security-groups": None,
          "eleven-security-groups": "security group can not more than 10",
          "never-with-release-after": "releaseAfter must be empty when releaseStrategy is never"}
NEW = {**MIDDLE, "no-selector-trunk": None}  # v1.16+: enableWebhookInjectResource defaults to true
EXPECTED = {"v1.10.0": OLD, "v1.11.5": OLD, "v1.12.1": OLD, "v1.13.7": MIDDLE, "v1.14.5": MIDDLE,
            "v1.15.3": MIDDLE, "v1.16.6": NEW, "v1.17.5": NEW, None: NEW}


def program(spec: dict, version: str | None, annotations: dict | None = None):
    def body():
        addon = alicloud.cs.KubernetesAddon("cp", cluster_id="c1", name="terway-controlplane", version=version)
        k8s.apiextensions.CustomResource("pn", api_version="network.alibabacloud.com/v1beta1", kind="PodNetworking",
                                         metadata={"name": "pn", "annotations": annotations or {}}, spec=spec,
                                         opts=pulumi.ResourceOptions(depends_on=[addon]))
    return body


@pytest.mark.parametrize("version", list(EXPECTED), ids=lambda v: v or "unpinned")
@pytest.mark.parametrize("case", list(CASES))
def test_webhook_rule_per_version(version, case):
    run = run_program(program({**GOOD, **CASES[case]}, version), config={}, inventory=INVENTORY)
    want = EXPECTED[version][case]
    if want is None:
        assert run.error is None, run.error
        assert run.one("kubernetes:network.alibabacloud.com/v1beta1:PodNetworking").outputs["status"]["status"] == "Ready"
    else:
        assert isinstance(run.error, AdmissionDenied), run.error
        assert f": {want} (terway-controlplane" in str(run.error)


def test_status_carries_vswitch_zones():
    run = run_program(program(GOOD, "v1.17.5"), config={}, inventory=INVENTORY)
    status = run.one("kubernetes:network.alibabacloud.com/v1beta1:PodNetworking").outputs["status"]
    assert status == {"status": "Ready", "vSwitches": [{"id": VSW, "zone": "cn-hangzhou-h"}], "message": ""}


def test_unknown_vswitch_never_ready_and_waitfor_times_out():
    spec = {**GOOD, "vSwitchOptions": ["vsw-bp1missing00000000001"]}
    run = run_program(program(spec, "v1.17.5"), config={}, inventory=INVENTORY)
    assert run.error is None  # without waitFor the object is created and stays Fail
    status = run.one("kubernetes:network.alibabacloud.com/v1beta1:PodNetworking").outputs["status"]
    assert status["status"] == "Fail" and "vsw-bp1missing00000000001" in status["message"]
    run = run_program(program(spec, "v1.17.5", {"pulumi.com/waitFor": "jsonpath={.status.status}=Ready"}),
                      config={}, inventory=INVENTORY)
    assert isinstance(run.error, NotReady) and "Fail" in str(run.error)


def test_vswitch_ids_not_known_in_a_preview_are_not_a_failure():
    """In a real preview of a new stack every vSwitch id is the engine's unknown: nothing to predict (was a
    false PNW019, a NotReady raised for `error get vSwitch <unknown>`)."""
    from pulumi.runtime import rpc

    from ackstack.engine.terway_controlplane import admit

    wait = {"metadata": {"annotations": {"pulumi.com/waitFor": "jsonpath={.status.status}=Ready"}}}
    status = admit("pn", {**wait, "spec": {**GOOD, "vSwitchOptions": [rpc.UNKNOWN]}}, "v1.17.5", {VSW: "cn-hangzhou-h"})
    assert status["status"] == "" and "not known" in status["message"]
    with pytest.raises(NotReady):  # a known id that is not there still fails
        admit("pn", {**wait, "spec": {**GOOD, "vSwitchOptions": ["vsw-missing"]}}, "v1.17.5", {VSW: "cn-hangzhou-h"})


def test_version_from_managed_kubernetes_addons():
    def body():
        cluster = alicloud.cs.ManagedKubernetes("c", cluster_spec="ack.pro.small", vswitch_ids=[VSW],
                                                addons=[{"name": "terway-controlplane", "version": "v1.12.1"}])
        k8s.apiextensions.CustomResource("pn", api_version="network.alibabacloud.com/v1beta1", kind="PodNetworking",
                                         metadata={"name": "pn"}, spec={**GOOD, "securityGroupIDs": SIX},
                                         opts=pulumi.ResourceOptions(depends_on=[cluster]))
    run = run_program(body, config={}, inventory=INVENTORY)
    assert isinstance(run.error, AdmissionDenied) and "can not more than 5" in str(run.error)


def test_unversioned_addon_keeps_the_installed_controlplane():
    """An unversioned KubernetesAddon does not upgrade an installed add-on (terraform-provider-alicloud@ace5bcf8777e
    resource_alicloud_cs_kubernetes_addon.go:261-266), so the installed v1.12.1 webhook still admits."""
    installed = Inventory(vswitches=INVENTORY.vswitches,
                          clusters=[{"id": "c1", "addons": {"terway-controlplane": "v1.12.1"}}])
    spec = {**GOOD, "securityGroupIDs": SIX}
    run = run_program(program(spec, None), config={}, inventory=installed)
    assert isinstance(run.error, AdmissionDenied) and "can not more than 5" in str(run.error)
    run = run_program(program(spec, "v1.13.7"), config={}, inventory=installed)
    assert run.error is None, run.error


def _with_eni_config(spec: dict, version: str, eni_conf: str):
    """`program`, with kube-system/eni-config patched first (as the adopted-cluster path writes it)."""
    def body():
        k8s.core.v1.ConfigMapPatch("eni", metadata={"name": "eni-config", "namespace": "kube-system"},
                                   data={"eni_conf": eni_conf})
        program(spec, version)()
    return body


def test_mutating_webhook_fills_empty_lists_from_the_eni_config_the_run_wrote():
    """v1.17.5 mutating.go:245-285 (checked against the real code by tests/policies/test_oracle_terway.py): empty
    securityGroupIDs / vSwitchOptions get eni-config's groups (union) and vswitches before validation."""
    conf = json.dumps({"security_group": "sg-b", "security_groups": ["sg-a", "sg-b"], "vswitches": {"h": [VSW]}})
    spec = {**GOOD, "securityGroupIDs": [], "vSwitchOptions": []}
    run = run_program(_with_eni_config(spec, "v1.17.5", conf), config={}, inventory=INVENTORY)
    assert run.error is None, run.error
    status = run.one("kubernetes:network.alibabacloud.com/v1beta1:PodNetworking").outputs["status"]
    assert status["status"] == "Ready" and status["vSwitches"] == [{"id": VSW, "zone": "cn-hangzhou-h"}]
    # an eni_conf terway-controlplane cannot read makes the mutating webhook refuse the PodNetworking
    run = run_program(_with_eni_config(spec, "v1.17.5", '{"ip_stack": "v6"}'), config={}, inventory=INVENTORY)
    assert isinstance(run.error, AdmissionDenied) and "terway-controlplane.mutating.k8s.io" in str(run.error)
    assert "'oneof'" in str(run.error)
    # nothing empty: eni-config is not read (a broken one does not matter)
    run = run_program(_with_eni_config(GOOD, "v1.17.5", '{"ip_stack": "v6"}'), config={}, inventory=INVENTORY)
    assert run.error is None, run.error
