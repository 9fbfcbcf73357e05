"""`--compare` against the deployed state (`pulumi stack export`, deployment v3) and a base-branch preview:
create, update (field diff), replace, delete, protected replace/delete (errors), no change, another
stack's or project's file refused (exit 2), secrets never shown.

The export is written the way the CLI writes one: cloud ids (not the offline engine's), secrets as
signed ciphertext objects, the root Stack and a default provider that the program never registers.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from ackstack.engine.testing import stack_config, with_value
from ackstack.preview.compare import STATEFUL_TYPES, load_baseline
from ackstack.preview.preview import InputError, render_tree, run_preview
from tests.real_engine import deployed, stack_group

ROOT = Path(__file__).resolve().parents[3]
pytestmark = stack_group("dev")  # the export is the real engine's (tests/real_engine.py)


def preview(tmp_path: Path, config: dict, name: str, compare: Path | None = None, stack: str = "dev"):
    path = tmp_path / f"Pulumi.{name}.yaml"
    path.write_text(yaml.safe_dump({"config": config}, sort_keys=False))
    return run_preview(stack, config_file=str(path), policy=False, compare_file=str(compare) if compare else None)


@pytest.fixture(scope="module")
def dev_base(tmp_path_factory):
    """The dev stack as the real engine stores it (the rehearsal's `pulumi stack export`), the same with every
    resource protected, and an offline `--json` preview of it (a base-branch preview)."""
    tmp = tmp_path_factory.mktemp("base")
    base = preview(tmp, stack_config("dev"), "base")
    assert not base.blocked, base.findings
    preview_json = tmp / "base.json"
    preview_json.write_text(json.dumps(base.document()))
    real = deployed("dev").export
    export, protected = tmp / "export.json", tmp / "protected.json"
    export.write_text(json.dumps(real), encoding="utf-8")
    all_protected = json.loads(json.dumps(real))
    for resource in all_protected["deployment"]["resources"]:
        if resource["type"] != "pulumi:pulumi:Stack":
            resource["protect"] = True
    protected.write_text(json.dumps(all_protected), encoding="utf-8")
    return {"export": export, "preview": preview_json, "protected": protected, "tmp": tmp}


def preview_document(result, path: Path) -> Path:
    """A base-branch `--json` preview, the other base `--compare` takes."""
    path.write_text(json.dumps(result.document()), encoding="utf-8")
    return path


def entries(result, action: str) -> list[dict]:
    return [e for e in result.changes["resources"] if e["action"] == action]


def compare_rules(result) -> list[tuple[str, str]]:
    return sorted((f["rule"], f["level"]) for f in result.findings if f["source"] == "compare")


@pytest.mark.parametrize("base", ["export", "preview"])
def test_no_change_is_said(tmp_path, dev_base, base):
    result = preview(tmp_path, stack_config("dev"), "same", dev_base[base])
    assert result.changes["resources"] == []
    assert result.changes["summary"]["same"] == len(result.resources)
    assert compare_rules(result) == []
    assert "no change" in render_tree(result)


@pytest.mark.parametrize("base", ["export", "preview"])
def test_update_in_place_shows_the_field_old_and_new(tmp_path, dev_base, base):
    result = preview(tmp_path, with_value(stack_config("dev"), "ackstack:cluster.nodePools[0].desiredSize", 3), "upd",
                     dev_base[base])
    updated = entries(result, "update")
    assert [e["name"] for e in updated] == ["dev-ack-np-general"]
    fields = {f["field"]: (f["old"], f["new"]) for f in updated[0]["fields"]}
    assert fields == {"desiredSize": ("2", "3")}, fields
    assert all(not f["replaces"] for f in updated[0]["fields"])
    assert result.changes["summary"]["update"] == 1 and compare_rules(result) == []


def test_create_of_a_new_node_pool(tmp_path, dev_base):
    config = stack_config("dev")
    pools = config["ackstack:cluster"]["nodePools"]
    pools.append({**pools[0], "name": "batch"})
    result = preview(tmp_path, config, "create", dev_base["export"])
    # The NodePool component (#21 §2) and the provider's node pool under it, both new.
    assert sorted((e["type"], e["name"]) for e in entries(result, "create")) == [
        ("ackstack:cluster:NodePool", "dev-ack-np-batch"), ("alicloud:cs/nodePool:NodePool", "dev-ack-np-batch")]
    assert "+  create" in render_tree(result)


@pytest.mark.parametrize("base", ["export", "preview"])
def test_replace_names_the_forcing_field(tmp_path, dev_base, base):
    result = preview(tmp_path, with_value(stack_config("dev"), "ackstack:cluster.serviceCidr", "172.21.0.0/20"),
                     "rep", dev_base[base])
    replaced = {e["name"]: e for e in entries(result, "replace")}
    # As the real engine plans it (tests/ackstack/preview/test_compare_real_engine.py, proxyMode): the cluster's new id is unknown in
    # the preview, so what takes it as a ForceNew `clusterId` (add-ons, node pools) is replaced with it.
    assert set(replaced) == {"dev-ack", "dev-ack-np-general", "dev-ack-addon-terway-eniip",
                             "dev-ack-addon-terway-controlplane"}
    forcing = [f for f in replaced["dev-ack"]["fields"] if f["replaces"]]
    assert [(f["field"], f["new"]) for f in forcing] == [("serviceCidr", "172.21.0.0/20")]
    assert [f["field"] for f in replaced["dev-ack-np-general"]["fields"] if f["replaces"]] == ["clusterId"]
    assert {rule for rule, _ in compare_rules(result)} == {"REP001"}


@pytest.mark.parametrize("stateful", ["node pool", "security group", "vSwitch"])
def test_deleting_a_stateful_resource_is_an_error(tmp_path, dev_base, stateful):
    config = stack_config("dev")
    if stateful == "node pool":
        config = with_value(config, "ackstack:cluster.nodePools[0].name", "general2")
        gone = "dev-ack-np-general"
    elif stateful == "security group":
        config = with_value(config, "ackstack:network.securityGroups[1].name", "db-clients2")
        config = json.loads(json.dumps(config).replace('"db-clients"', '"db-clients2"'))
        gone = "dev-sg-db-clients"
    else:
        config = with_value(config, "ackstack:network.vswitches[4].name", "db-h2")
        config = with_value(config, "ackstack:podNetworkings[0].vSwitchOptions", ["db-h2", "db-i"])
        gone = "dev-vsw-db-h"
    result = preview(tmp_path, config, "del", dev_base["export"])
    assert gone in [e["name"] for e in entries(result, "delete")]
    rep = [f for f in result.findings if f["rule"] == "REP003"]
    assert [f["urn"].rsplit("::", 1)[1] for f in rep] == [gone]
    assert rep[0]["level"] == "error" and "DELETE" in rep[0]["message"] and result.blocked


def test_protected_replace_and_delete_are_errors(tmp_path, dev_base):
    config = with_value(stack_config("dev"), "ackstack:cluster.serviceCidr", "172.21.0.0/20")
    config = with_value(config, "ackstack:cluster.nodePools[0].name", "general2")
    result = preview(tmp_path, config, "prot", dev_base["protected"])
    errors = {f["urn"].rsplit("::", 1)[1]: f for f in result.findings if f["rule"] == "REP015"}
    assert set(errors) >= {"dev-ack", "dev-ack-np-general"}
    assert "REPLACED" in errors["dev-ack"]["message"] and "serviceCidr" in errors["dev-ack"]["message"]
    assert errors["dev-ack"]["path"] == "ackstack:cluster.serviceCidr"
    assert "DELETED" in errors["dev-ack-np-general"]["message"]
    assert all(f["level"] == "error" for f in errors.values()) and result.blocked
    assert not [f for f in result.findings if f["rule"] in ("REP001", "REP003")]


def test_secrets_are_masked_in_changes(tmp_path, dev_base):
    result = preview(tmp_path, with_value(stack_config("dev"), "ackstack:cluster.nodePools[0].desiredSize", 3), "sec",
                     dev_base["export"])
    text = json.dumps(result.document()) + render_tree(result)
    export = json.loads(dev_base["export"].read_text())
    ciphertexts = [v["ciphertext"] for r in export["deployment"]["resources"] for v in r.get("inputs", {}).values()
                   if isinstance(v, dict) and "ciphertext" in v]
    assert ciphertexts and not any(c in text for c in ciphertexts)
    baseline = load_baseline(dev_base["export"], stack="dev")
    provider = next(r for r in baseline.resources.values() if r["type"] == "pulumi:providers:kubernetes")
    assert provider["inputs"]["kubeconfig"] == "[secret]"


@pytest.mark.parametrize(("stack", "project"), [("prod", "ackstack"), ("dev", "other-project")])
def test_another_stack_or_project_is_refused(tmp_path, dev_base, stack, project):
    text = dev_base["export"].read_text().replace("urn:pulumi:dev::ackstack::", f"urn:pulumi:{stack}::{project}::")
    export = tmp_path / "other.json"
    export.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as info:
        load_baseline(export, stack="dev")
    assert "refusing to compare" in str(info.value) and f"`{stack}`" in str(info.value)
    proc = subprocess.run([sys.executable, "-m", "ackstack", "preview", "dev", "--no-policy", "--compare", str(export)],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2 and "refusing to compare" in proc.stderr and "Traceback" not in proc.stderr


def test_export_of_another_version_is_refused(tmp_path):
    path = tmp_path / "v2.json"
    path.write_text(json.dumps({"version": 2, "deployment": {"resources": []}}))
    with pytest.raises(InputError, match="version 2"):
        load_baseline(path, stack="dev")


def test_empty_deployed_stack_creates_everything(tmp_path):
    path = tmp_path / "empty.json"
    path.write_text(json.dumps({"version": 3, "deployment": {"manifest": {}, "resources": None}}))
    result = preview(tmp_path, stack_config("dev"), "fresh", path)
    assert result.changes["summary"]["create"] == len(result.resources)


def test_the_step_is_the_providers_diff_of_the_state():
    """ForceNew fields (resource_alicloud_cs_managed_kubernetes.go service_cidr, resource_alicloud_vswitch.go
    cidr_block) replace; a node pool's scaling config updates in place."""
    from ackstack.engine.plan_steps import planned_diff, step_op

    cluster = "alicloud:cs/managedKubernetes:ManagedKubernetes"
    assert step_op(planned_diff(cluster, {"serviceCidr": "172.21.0.0/20"}, {"serviceCidr": "172.22.0.0/20"})) == "replace"
    assert step_op(planned_diff("alicloud:vpc/switch:Switch", {"cidrBlock": "10.0.0.0/24"},
                                {"cidrBlock": "10.0.1.0/24"})) == "replace"
    assert step_op(planned_diff("alicloud:cs/nodePool:NodePool", {"scalingConfig": {"maxSize": 3}},
                                {"scalingConfig": {"maxSize": 4}})) == "update"
    assert "kubernetes:network.alibabacloud.com/v1beta1:PodNetworking" in STATEFUL_TYPES


def test_preview_of_another_stack_is_refused_even_when_empty(tmp_path):
    path = tmp_path / "blocked.json"
    path.write_text(json.dumps({"stack": "staging", "resources": [], "findings": []}))
    with pytest.raises(InputError, match="stack `staging`, not stack `dev`"):
        load_baseline(path, stack="dev")


def test_against_a_base_branch_preview_protected_replace_delete_and_create(tmp_path):
    """The base-branch path of the PR workflow: a production base preview, a head that renames a node pool
    (delete + create) and changes a replace-forcing field of the protected cluster."""
    production = with_value(with_value(stack_config("dev"), "ackstack:environment.production", True),
                            "ackstack:cluster.deletionProtection", True)
    base = preview(tmp_path, production, "prodbase")
    assert not base.blocked, base.findings
    (tmp_path / "base.json").write_text(json.dumps(base.document()))
    head = with_value(with_value(production, "ackstack:cluster.serviceCidr", "172.21.0.0/20"),
                      "ackstack:cluster.nodePools[0].name", "general2")
    result = preview(tmp_path, head, "prodhead", tmp_path / "base.json")
    actions = {e["name"]: e["action"] for e in result.changes["resources"]}
    assert actions["dev-ack"] == "replace" and actions["dev-ack-np-general"] == "delete"
    assert actions["dev-ack-np-general2"] == "create"
    # The replaced cluster takes its add-ons with it (their clusterId forces replacement); the CNI add-ons are
    # protected in production (issue #24 §3), so `pulumi up` refuses those replacements too.
    assert sorted(f["urn"].rsplit("::", 1)[1] for f in result.findings if f["rule"] == "REP015") == [
        "dev-ack", "dev-ack-addon-terway-controlplane", "dev-ack-addon-terway-eniip", "dev-ack-np-general"]
    assert result.blocked


def test_a_control_plane_vswitch_change_warns(tmp_path, dev_base):
    """Before issue #23 a `vswitchIds` update of the cluster showed as a plain update; ModifyCluster moves the
    control plane, so the comparison warns (REP016) and names the field."""
    cfg = stack_config("dev")
    node = next(v for v in cfg["ackstack:network"]["vswitches"] if v["role"] == "node")
    extra = {**node, "name": "node-extra", "cidr": "10.0.250.0/24"}
    cfg["ackstack:network"]["vswitches"] = [*cfg["ackstack:network"]["vswitches"], extra]
    result = preview(tmp_path, cfg, "vsw", dev_base["export"])
    found = [f for f in result.findings if f["rule"] == "REP016"]
    assert found and found[0]["level"] == "warning" and "ModifyCluster" in found[0]["message"], result.findings
    unchanged = preview(tmp_path, stack_config("dev"), "same", dev_base["export"])
    assert not [f for f in unchanged.findings if f["rule"] == "REP016"]


def test_upgrading_terway_controlplane_with_podnetworkings_is_rep011(tmp_path):
    """The chart's pod webhook has failurePolicy Ignore (AliyunContainerService/terway v1.17.5
    charts/terway/values.yaml:99): pods created while terway-controlplane restarts keep the shared ENI."""
    old = with_value(stack_config("dev"), "ackstack:cni.controlplaneVersion", "v1.16.6")
    export = preview_document(preview(tmp_path, old, "cp-old"), tmp_path / "cp-base.json")
    result = preview(tmp_path, with_value(old, "ackstack:cni.controlplaneVersion", "v1.17.5"), "cp-new", export)
    found = [f for f in result.findings if f["rule"] == "REP011"]
    assert found and found[0]["level"] == "warning" and found[0]["path"] == "ackstack:cni.controlplaneVersion"
    assert "v1.16.6 -> v1.17.5" in found[0]["message"] and "failurePolicy Ignore" in found[0]["message"]
    assert "shared ENI" in found[0]["message"]
    # a downgrade or the same version is not this warning; neither is an upgrade without PodNetworkings
    same = preview(tmp_path, old, "cp-same", export)
    assert not [f for f in same.findings if f["rule"] == "REP011"]
    bare = with_value(old, "ackstack:podNetworkings", [])
    bare_export = preview_document(preview(tmp_path, bare, "bare-old"), tmp_path / "bare-base.json")
    bare_new = preview(tmp_path, with_value(bare, "ackstack:cni.controlplaneVersion", "v1.17.5"), "bare-new",
                       bare_export)
    assert not [f for f in bare_new.findings if f["rule"] == "REP011"]
