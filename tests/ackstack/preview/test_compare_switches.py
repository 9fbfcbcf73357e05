"""`--compare`'s reading of what ACK sees on each side (ackstack/preview/compare.py): the CNI mode and Trunk ENI
flag of a cluster from its `addons` and its KubernetesAddon resources, the adopted cluster's eni-config ConfigMap,
REP011's version order and webhook source, a resource behind a provider that is not known, and how values are
shown. The resources are written by hand the way a preview document records them (`urn`, `type`, `name`,
`parent`, `inputs`); the add-on names and config keys are ACK's, spelled out here rather than taken from ackstack's
constants (terway-eniip's `ENITrunking`: ACK "Menggunakan Terway" add-on config; eni-config's
`enable_eni_trunking`: AliyunContainerService/terway v1.17.5 pkg/utils/eni_conf.go)."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest

from ackstack.engine import bridge
from ackstack.preview import compare as cmp
from ackstack_core import terway_webhook as W

PARENT = "urn:pulumi:dev::ackstack::ackstack:cluster:AckProCluster::dev-ack"
CLUSTER_URN = "urn:pulumi:dev::ackstack::ackstack:cluster:AckProCluster$alicloud:cs/managedKubernetes:ManagedKubernetes::dev-ack"
CLUSTER_TYPE = "alicloud:cs/managedKubernetes:ManagedKubernetes"
ADDON_TYPE = "alicloud:cs/kubernetesAddon:KubernetesAddon"


def cluster(addons=None, **inputs) -> dict:
    return {"urn": CLUSTER_URN, "type": CLUSTER_TYPE, "name": "dev-ack", "parent": PARENT,
            "inputs": {**({"addons": addons} if addons is not None else {}), **inputs}}


def addon(name: str, parent: str = PARENT, type_: str = ADDON_TYPE, **inputs) -> dict:
    return {"urn": f"urn:pulumi:dev::ackstack::{type_}::addon-{name}", "type": type_, "name": f"addon-{name}",
            "parent": parent, "inputs": {"name": name, **inputs}}


def keyed(*resources: dict) -> dict[str, dict]:
    return {r["urn"]: r for r in resources}


TRUNK_ON = json.dumps({"ENITrunking": "true"})
TRUNK_OFF = json.dumps({"ENITrunking": "false"})


# ---------------------------------------------------------------- the CNI mode
def test_an_enabled_terway_addon_makes_a_terway_cluster_without_pod_vswitches():
    """Terway is recognised by its add-on alone (kills dropping the `not` of the disabled filter)."""
    c = cluster([{"name": "terway-eniip", "config": TRUNK_ON}])
    assert cmp.cni_mode(c, keyed(c)) == "terway"


def test_a_disabled_terway_addon_does_not_make_terway():
    """A disabled terway-eniip with a pod CIDR and flannel disabled is a BYOCNI cluster."""
    c = cluster([{"name": "terway-eniip", "disabled": True}, {"name": "kube-flannel-ds", "disabled": True}],
                podCidr="10.128.0.0/14")
    assert cmp.cni_mode(c, keyed(c)) == "byocni"


def test_a_pod_cidr_with_flannel_enabled_is_not_byocni():
    c = cluster([{"name": "kube-flannel-ds"}], podCidr="10.128.0.0/14")
    assert cmp.cni_mode(c, keyed(c)) is None


def test_addons_that_are_not_objects_with_a_name_are_skipped():
    """State can hold anything; an entry without a name (or not an object) is not an add-on (kills `and` -> `or`
    in _addons: the entry would be indexed by a missing name)."""
    c = cluster(["terway-eniip", {"config": TRUNK_ON}, {"name": 7}, {"name": "terway-eniip", "config": TRUNK_ON}])
    assert cmp.cni_mode(c, keyed(c)) == "terway"
    assert cmp.trunking(c, keyed(c)) is True


def test_a_kubernetes_addon_resource_overlays_the_creation_time_addon():
    """After creation a KubernetesAddon owns the add-on's config: its ENITrunking is what ACK sees (kills negating
    either condition of the overlay, or skipping it)."""
    c = cluster([{"name": "terway-eniip", "config": TRUNK_ON}])
    assert cmp.trunking(c, keyed(c, addon("terway-eniip", config=TRUNK_OFF))) is False


def test_only_kubernetes_addons_of_the_same_component_overlay():
    """Another cluster's add-on, or a resource of another type that happens to have a `name` input, says nothing
    about this cluster."""
    c = cluster([{"name": "terway-eniip", "config": TRUNK_ON}])
    other_cluster = addon("terway-eniip", parent="urn:pulumi:dev::ackstack::ackstack:cluster:AckProCluster::other",
                          config=TRUNK_OFF)
    assert cmp.trunking(c, keyed(c, other_cluster)) is True
    byocni = cluster([{"name": "kube-flannel-ds", "disabled": True}], podCidr="10.128.0.0/14")
    namespace = addon("terway-eniip", type_="kubernetes:core/v1:Namespace")
    assert cmp.cni_mode(byocni, keyed(byocni, namespace)) == "byocni"


def test_addon_config_given_as_an_object_is_read():
    """The provider takes `config` as a JSON string, but a base written by hand or another tool may hold the
    object itself (kills skipping _json_object's object branch)."""
    c = cluster([{"name": "terway-eniip", "config": {"ENITrunking": "true"}}])
    assert cmp.trunking(c, keyed(c)) is True


@pytest.mark.parametrize("config", ["not json", "[1, 2]", None, 5])
def test_addon_config_that_is_no_json_object_says_nothing(config):
    c = cluster([{"name": "terway-eniip", "config": config}])
    assert cmp.trunking(c, keyed(c)) is None


# ---------------------------------------------------------------- REP002 on the adopted cluster's eni-config
def eni_config(trunking, name: str = "eni-config", type_: str = "kubernetes:core/v1:ConfigMapPatch") -> dict:
    conf = {"version": "1", "max_pool_size": 5}
    if trunking is not None:
        conf["enable_eni_trunking"] = trunking
    return {"urn": f"urn:pulumi:existing::ackstack::{type_}::{name}", "type": type_, "name": name,
            "inputs": {"metadata": {"name": name, "namespace": "kube-system"}, "data": {"eni_conf": json.dumps(conf)}}}


def rep002(before: dict, now: dict) -> list[dict]:
    return [f for f in cmp._eni_conf_trunking(keyed(before), keyed(now)) if f["rule"] == "REP002"]


@pytest.mark.parametrize("on", [True, "true", "True"])
def test_turning_trunking_off_in_eni_config_is_rep002(on):
    """enable_eni_trunking true -> false on the adopted cluster's eni-config is the one-way switch (kills
    True -> False in the comparison and the missing ConfigMap-type check)."""
    found = rep002(eni_config(on), eni_config(False))
    assert len(found) == 1 and found[0]["level"] == "error" and found[0]["path"] == "ackstack:cni.trunking"
    assert "eni-config" in found[0]["message"] and "enable_eni_trunking" in found[0]["message"]


@pytest.mark.parametrize("before, after", [(False, True), (None, False), (True, True), (False, False),
                                           (True, None)])
def test_other_eni_config_changes_are_not_rep002(before, after):
    assert rep002(eni_config(before), eni_config(after)) == []


def test_only_the_eni_config_configmap_counts():
    """Another ConfigMap with the same key, or a resource that is not a ConfigMap, is not Terway's config (kills
    negating the name check and the type check)."""
    assert rep002(eni_config(True, name="my-app"), eni_config(False, name="my-app")) == []
    other = "kubernetes:apps/v1:Deployment"
    assert rep002(eni_config(True, type_=other), eni_config(False, type_=other)) == []


def test_a_configmap_without_inputs_is_read_as_unset():
    """A base resource recorded with `inputs: null` (kills `or` -> `and` in reading them)."""
    bare = {**eni_config(True), "inputs": None}
    assert rep002(bare, eni_config(False)) == []
    assert cmp._eni_conf_flag(bare) is None


# ---------------------------------------------------------------- REP011
def controlplane(version: str) -> dict:
    return addon("terway-controlplane", version=version)


PODNETWORKING = {"urn": "urn:pulumi:dev::ackstack::kubernetes:network.alibabacloud.com/v1beta1:PodNetworking::db",
                 "type": "kubernetes:network.alibabacloud.com/v1beta1:PodNetworking", "name": "db", "inputs": {}}


def rep011(old: str, new: str, plan=None) -> list[dict]:
    return cmp._controlplane_upgrade(keyed(controlplane(old), PODNETWORKING), keyed(controlplane(new), PODNETWORKING),
                                     plan)


def test_a_downgrade_of_terway_controlplane_is_not_rep011():
    """Only a move to a newer version is the upgrade window (kills `or` -> `and` in the version fallback, which
    compares the new version against nothing)."""
    assert rep011("v1.17.5", "v1.16.6") == []
    assert rep011("v1.17.5", "v1.17.5") == []
    assert len(rep011("v1.16.6", "v1.17.5")) == 1


def test_rep011_names_the_clusters_own_webhook_registrations():
    """With a plan, REP011 describes the cluster's registrations (an adopted cluster's inventory), not the chart's:
    a cluster with no pod webhook registered (kills `is not` -> `is`)."""
    none_registered = W.webhook_configurations(None, None, "the adopted cluster's webhook configurations (test)")
    plan = SimpleNamespace(webhooks=lambda: none_registered)
    found = rep011("v1.16.6", "v1.17.5", plan)
    assert len(found) == 1 and "no pod webhook is registered" in found[0]["message"]
    assert "the adopted cluster's webhook configurations (test)" in found[0]["message"]
    chart = rep011("v1.16.6", "v1.17.5")
    assert "failurePolicy Ignore" in chart[0]["message"]


# ---------------------------------------------------------------- behind a provider that is not known
def test_a_resource_behind_an_unknown_provider_is_an_update_that_replaces_nothing():
    """The engine cannot diff it (DiffUnavailable) and shows an update; nothing says it is replaced (kills
    `replaces: False` -> True, which the report would show as a replacement)."""
    provider_urn = "urn:pulumi:dev::ackstack::pulumi:providers:kubernetes::dev-k8s"
    entries = [{"urn": provider_urn, "type": "pulumi:providers:kubernetes", "action": "update",
                "fields": [{"field": "kubeconfig", "old": "[secret]", "new": bridge.UNKNOWN}]},
               {"urn": PODNETWORKING["urn"], "type": PODNETWORKING["type"], "action": "same", "fields": []}]
    current = {PODNETWORKING["urn"]: {**PODNETWORKING, "provider": f"{provider_urn}::0b5c6e1d"}}
    out = cmp._behind_unknown_providers(entries, current)
    assert out[1]["action"] == "update"
    assert out[1]["fields"] == [{"field": "(provider configuration)", "old": None, "new": bridge.UNKNOWN,
                                 "replaces": False, "ignored": False}]


# ---------------------------------------------------------------- the project a base must belong to
def test_the_base_must_be_of_the_programs_own_project(tmp_path):
    """A program whose Pulumi.yaml names another project compares against that project's export (kills `or` ->
    `and` in picking the run's project, which would insist on `ackstack`)."""
    export = tmp_path / "export.json"
    export.write_text(json.dumps({"version": 3, "deployment": {"manifest": {"time": "t"}, "resources": [
        {"urn": "urn:pulumi:dev::platform-net::alicloud:vpc/network:Network::dev-vpc",
         "type": "alicloud:vpc/network:Network", "id": "vpc-1", "inputs": {"cidrBlock": "10.0.0.0/8"}}]}}))
    result = SimpleNamespace(stack="dev", run=SimpleNamespace(project="platform-net"), resources=[], config=None,
                             plan=None)
    changes = cmp.compare(result, export).changes
    assert changes["source"] == "pulumi stack export"
    unnamed = SimpleNamespace(stack="dev", run=SimpleNamespace(project=None), resources=[], config=None, plan=None)
    with pytest.raises(cmp.InputError, match="of project `platform-net`, not stack `dev` of project `ackstack`"):
        cmp.compare(unnamed, export)


# ---------------------------------------------------------------- how a value is shown
def test_values_are_shown_whole_up_to_120_characters():
    """A field's old and new value is shown as JSON, whole when it fits in 120 characters, else cut to 117 and
    `...` (kills `<=` -> `<` and 117 -> 118)."""
    fits = "x" * 118  # 120 characters with its quotes
    assert cmp._show(fits) == json.dumps(fits)
    longer = "y" * 119
    shown = cmp._show(longer)
    assert len(shown) == 120 and shown.endswith("...") and shown == '"' + "y" * 116 + "..."
    assert cmp._show(None) == "(unset)"
    assert cmp._show(bridge.UNKNOWN).startswith("(not known")


# ---------------------------------------------------------------- a field the base did not know
VSWITCH = "urn:pulumi:dev::ackstack::ackstack:network:Network$alicloud:vpc/switch:Switch::dev-node-a"


@pytest.mark.parametrize("unknown", [frozenset(), frozenset({"<id of urn:pulumi:dev::ackstack::other::x>"})])
def test_a_field_the_base_preview_did_not_know_is_no_change(unknown):
    """A base that is a preview document shows `[unknown]` where its VPC was still to be created; the new preview
    knows the id. Nothing says the value differs, so no replacement is claimed (vpcId is ForceNew), whether or
    not this preview creates something else (kills skipping the `continue` of hidden fields, and `and` -> `or` in
    the exception for values this preview makes unknown)."""
    fields = {"zoneId": "cn-hangzhou-j", "cidrBlock": "10.0.0.0/21", "vswitchName": "dev-node-a"}
    before = {"urn": VSWITCH, "type": "alicloud:vpc/switch:Switch", "name": "dev-node-a", "state": None,
              "inputs": {**fields, "vpcId": "[unknown]"}}
    now = {**before, "inputs": {**fields, "vpcId": "vpc-bp1abc"}}
    change = cmp.resource_change(before, now, {}, unknown)
    assert (change["action"], change["fields"]) == ("same", [])
    # the same field with a value on both sides that differs is a replacement
    moved = cmp.resource_change({**before, "inputs": {**fields, "vpcId": "vpc-bp1old"}}, now, {}, unknown)
    assert moved["action"] == "replace" and [f["field"] for f in moved["fields"]] == ["vpcId"]


# ---------------------------------------------------------------- REP011: only terway-controlplane, only a real upgrade
def test_an_upgrade_of_another_addon_is_not_rep011():
    """The window is terway-controlplane's restart: terway-eniip moving to a newer version is not it (kills `==` ->
    `!=` in picking the controlplane's versions)."""
    def with_eniip(version):
        return {**controlplane("v1.17.5"), "urn": CLUSTER_URN, "type": CLUSTER_TYPE,
                "inputs": {"addons": [{"name": "terway-eniip", "version": version},
                                      {"name": "terway-controlplane", "version": "v1.17.5"}]}}
    assert cmp._controlplane_upgrade(keyed(with_eniip("v1.16.6"), PODNETWORKING),
                                     keyed(with_eniip("v1.17.5"), PODNETWORKING), None) == []


def test_an_upgrade_in_the_clusters_own_addons_is_rep011():
    """A cluster created with terway-controlplane among its `addons` (the creation-time path) upgrades it there
    (kills `==` -> `!=` in reading the cluster's add-ons)."""
    def cluster_with(version):
        return {"urn": CLUSTER_URN, "type": CLUSTER_TYPE, "name": "dev-ack",
                "inputs": {"addons": [{"name": "terway-eniip"}, {"name": "terway-controlplane", "version": version}]}}
    found = cmp._controlplane_upgrade(keyed(cluster_with("v1.16.6"), PODNETWORKING),
                                      keyed(cluster_with("v1.17.5"), PODNETWORKING), None)
    assert [f["urn"] for f in found] == [CLUSTER_URN] and "v1.16.6 -> v1.17.5" in found[0]["message"]


def test_a_controlplane_that_moves_out_of_the_cluster_addons_is_no_finding():
    """A base whose cluster listed terway-controlplane among its addons, and a program that no longer does (fewer
    versions on one side: kills `strict=False` -> True, which would raise)."""
    def cluster_with(*addons):
        return {"urn": CLUSTER_URN, "type": CLUSTER_TYPE, "name": "dev-ack", "inputs": {"addons": list(addons)}}
    before = cluster_with({"name": "terway-eniip"}, {"name": "terway-controlplane", "version": "v1.16.6"})
    assert cmp._controlplane_upgrade(keyed(before, PODNETWORKING),
                                     keyed(cluster_with({"name": "terway-eniip"}), PODNETWORKING), None) == []


@pytest.mark.parametrize("old, new", [("custom-a", "custom-b"), ("custom-a", "v1.17.5"), ("v1.17.5", "latest")])
def test_a_version_that_cannot_be_read_is_no_upgrade_claim(old, new):
    """As TWY026 does: with either version unreadable nothing says the controlplane moves forward."""
    assert rep011(old, new) == []


# ---------------------------------------------------------------- REP004 / REP016: which fields of which resources
def entry(type_, action, *fields, name="dev-ack", urn=CLUSTER_URN) -> dict:
    return {"urn": urn, "type": type_, "name": name, "action": action, "protect": False,
            "fields": [{"field": f, "old": ["vsw-a"], "new": ["vsw-b"], "replaces": False, "ignored": ignored}
                       for f, ignored in fields]}


def change_rules(*entries) -> list[tuple[str, str]]:
    current = {e["urn"]: {"urn": e["urn"], "type": e["type"], "name": e["name"]} for e in entries}
    found = cmp._change_findings(list(entries), current, current, cmp._ConfigPaths(None))
    return [(f["rule"], f["message"].split(":")[0]) for f in found]


def test_the_clusters_addons_are_not_rep004_but_its_other_create_only_fields_are():
    """The program manages add-ons after creation through KubernetesAddon resources, so a change of the cluster's
    create-only `addons` is no lost change; `podVswitchIds`, also create-only, is (kills `==` -> `!=` in that
    exception)."""
    assert change_rules(entry(CLUSTER_TYPE, "update", ("addons[0].config", True))) == []
    assert [r for r, _ in change_rules(entry(CLUSTER_TYPE, "update", ("podVswitchIds[0]", True)))] == ["REP004"]


def test_rep016_is_the_clusters_control_plane_vswitches_only():
    """A node pool's vSwitches move in place without touching the control plane, and a cluster update of another
    field says nothing about it (kills `==` -> `!=` and `and` -> `or` in choosing the resource and the field)."""
    nodepool = entry("alicloud:cs/nodePool:NodePool", "update", ("vswitchIds[0]", False), name="dev-np",
                     urn="urn:pulumi:dev::ackstack::alicloud:cs/nodePool:NodePool::dev-np")
    assert change_rules(nodepool) == []
    assert change_rules(entry(CLUSTER_TYPE, "update", ("deletionProtection", False))) == []
    found = change_rules(entry(CLUSTER_TYPE, "update", ("deletionProtection", False), ("vswitchIds[0]", False)))
    assert [r for r, _ in found] == ["REP016"]
    replaced = entry(CLUSTER_TYPE, "replace", ("vswitchIds[0]", False))
    replaced["fields"][0]["replaces"] = True
    assert "REP016" not in [r for r, _ in change_rules(replaced)]


# ---------------------------------------------------------------- the report's words
def test_a_comparison_that_did_not_run_says_so_rather_than_no_change():
    """A blocked preview records no changes (preview.py): the summary must not read as `no change`."""
    blocked = {"summary": {}, "resources": [], "notRun": cmp.COMPARISON_NOT_RUN}
    assert cmp.change_summary(blocked).startswith("comparison did not run")
    assert cmp.change_summary({"summary": {}, "resources": []}) == "no change"
    assert cmp.change_summary({"summary": {"create": 2, "delete": 1, "same": 5}}) == "2 to create, 1 to delete"


def test_an_object_value_is_shown_with_sorted_keys():
    """The same value reads the same in every report, whatever order the program or the export gave its keys."""
    assert cmp._show({"b": 1, "a": [2]}) == '{"a": [2], "b": 1}'


def test_a_resource_no_config_entry_made_has_no_config_path():
    """REP findings name the config entry behind a resource; for one no entry made (a base-only resource) the path
    is empty, never a dangling `.cidr`."""
    from ackstack.engine.testing import stack_config
    from components.config_loader import load

    paths = cmp._ConfigPaths(load(stack_config("dev")).config)
    # dev's first vSwitch entry (Pulumi.dev.yaml: node-h, the Switch `dev-vsw-node-h`)
    assert paths.path({"type": "alicloud:vpc/switch:Switch", "name": "dev-vsw-node-h"}, "cidrBlock") == \
        "ackstack:network.vswitches[0].cidr"
    assert paths.path({"type": "alicloud:vpc/switch:Switch", "name": "someone-elses"}, "cidrBlock") == ""


def test_rep011s_advice_is_a_command_that_runs(tmp_path):
    """The advice once named `python -m offline verify`, which does not exist. The command in the message, its
    placeholders filled, gets past ackstack's argument parsing and stops only at the missing kubeconfig."""
    import re
    import subprocess
    import sys
    from pathlib import Path

    message = rep011("v1.16.6", "v1.17.5")[0]["message"]
    command = next(c for c in re.findall(r"`([^`]+)`", message) if c.startswith("ackstack "))
    outputs = tmp_path / "outputs.json"
    outputs.write_text("{}", encoding="utf-8")
    filled = (command.replace("<stack>", "existing").replace("<kubeconfig>", str(tmp_path / "kubeconfig"))
              .replace("<outputs.json>", str(outputs)))
    assert "<" not in filled, filled
    proc = subprocess.run([sys.executable, "-m", *filled.split()], capture_output=True, text=True, timeout=60,
                          cwd=Path(__file__).resolve().parents[3])
    assert proc.returncode == 2 and "usage:" not in proc.stderr, proc.stderr
    assert proc.stderr.strip() == f"ackstack: kubeconfig {tmp_path / 'kubeconfig'} does not exist"
