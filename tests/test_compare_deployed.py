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
from types import SimpleNamespace

import pytest
import yaml

from ackstack_core import constants as C
from offline.compare import STATEFUL_TYPES, classify_field, load_baseline
from offline.preview import InputError, render_tree, run_preview
from offline.testing import stack_config, with_value

ROOT = Path(__file__).resolve().parent.parent
CIPHERTEXT = "v1:Zm9vYmFyYmF6cXV4:secret-ciphertext-never-shown"


def preview(tmp_path: Path, config: dict, name: str, compare: Path | None = None, stack: str = "dev"):
    path = tmp_path / f"Pulumi.{name}.yaml"
    path.write_text(yaml.safe_dump({"config": config}, sort_keys=False))
    return run_preview(stack, config_file=str(path), policy=False, compare_file=str(compare) if compare else None)


def _secretise(value):
    if value == "[secret]":
        return {C.PULUMI_SIG_KEY: C.PULUMI_SECRET_SIG, "ciphertext": CIPHERTEXT}
    if isinstance(value, dict):
        return {k: _secretise(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_secretise(v) for v in value]
    return value


def _rename_ids(value, ids: dict[str, str]):
    if isinstance(value, str):
        return ids.get(value, value)
    if isinstance(value, dict):
        return {k: _rename_ids(v, ids) for k, v in value.items()}
    if isinstance(value, list):
        return [_rename_ids(v, ids) for v in value]
    return value


def stack_export(result, path: Path, *, protect_all: bool = False, stack: str | None = None,
                 project: str = "ackstack") -> Path:
    """`pulumi stack export` of what `result` would have deployed."""
    stack = stack or result.stack
    ids = {r["id"]: f"{r['id'].split('-')[0]}-cloud{i:04d}" for i, r in enumerate(result.resources) if r["id"]}
    root = f"urn:pulumi:{stack}::{project}::pulumi:pulumi:Stack::{project}-{stack}"
    resources = [
        {"urn": root, "custom": False, "type": "pulumi:pulumi:Stack", "outputs": {}},
        {"urn": f"urn:pulumi:{stack}::{project}::pulumi:providers:alicloud::default_4_0_0", "custom": True,
         "id": "0b5a", "type": "pulumi:providers:alicloud", "inputs": {"version": "4.0.0"}, "outputs": {}},
    ]
    for r in result.resources:
        urn = r["urn"].replace(f"urn:pulumi:{result.stack}::ackstack::", f"urn:pulumi:{stack}::{project}::")
        inputs = _secretise(_rename_ids(r["inputs"], ids))
        resources.append({
            "urn": urn, "custom": r["custom"], "id": ids.get(r["id"], ""), "type": r["type"],
            "inputs": {**inputs, "__defaults": []} if r["custom"] else inputs,
            "outputs": {**inputs, "id": ids.get(r["id"], "")}, "parent": r["parent"] or root,
            "protect": protect_all or r["protect"], "dependencies": r["dependencies"],
        })
    document = {"version": 3, "deployment": {"manifest": {"time": "2026-11-30T10:00:00Z", "version": "v3.272.0"},
                                             "secrets_providers": {"type": "passphrase"}, "resources": resources}}
    path.write_text(json.dumps(document, indent=2))
    return path


@pytest.fixture(scope="module")
def dev_base(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("base")
    base = preview(tmp, stack_config("dev"), "base")
    assert not base.blocked, base.findings
    preview_json = tmp / "base.json"
    preview_json.write_text(json.dumps(base.document()))
    return {"export": stack_export(base, tmp / "export.json"), "preview": preview_json,
            "protected": stack_export(base, tmp / "protected.json", protect_all=True), "tmp": tmp}


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
    assert [e["name"] for e in entries(result, "create")] == ["dev-ack-np-batch"]
    assert "+  create" in render_tree(result)


@pytest.mark.parametrize("base", ["export", "preview"])
def test_replace_names_the_forcing_field(tmp_path, dev_base, base):
    result = preview(tmp_path, with_value(stack_config("dev"), "ackstack:cluster.serviceCidr", "172.21.0.0/20"),
                     "rep", dev_base[base])
    replaced = entries(result, "replace")
    assert [e["name"] for e in replaced] == ["dev-ack"]
    forcing = [f for f in replaced[0]["fields"] if f["replaces"]]
    assert [(f["field"], f["new"]) for f in forcing] == [("serviceCidr", "172.21.0.0/20")]
    assert compare_rules(result) == [("REP001", "warning")]


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
    assert set(errors) == {"dev-ack", "dev-ack-np-general"}
    assert "REPLACED" in errors["dev-ack"]["message"] and "serviceCidr" in errors["dev-ack"]["message"]
    assert errors["dev-ack"]["path"] == "ackstack:cluster.serviceCidr"
    assert "DELETED" in errors["dev-ack-np-general"]["message"]
    assert all(f["level"] == "error" for f in errors.values()) and result.blocked
    assert not [f for f in result.findings if f["rule"] in ("REP001", "REP003")]


def test_secrets_are_masked_in_changes(tmp_path, dev_base):
    result = preview(tmp_path, with_value(stack_config("dev"), "ackstack:cluster.nodePools[0].desiredSize", 3), "sec",
                     dev_base["export"])
    text = json.dumps(result.document()) + render_tree(result)
    assert CIPHERTEXT not in text
    baseline = load_baseline(dev_base["export"], stack="dev")
    provider = next(r for r in baseline.resources.values() if r["type"] == "pulumi:providers:kubernetes")
    assert provider["inputs"]["kubeconfig"] == "[secret]"


@pytest.mark.parametrize(("stack", "project"), [("prod", "ackstack"), ("dev", "other-project")])
def test_another_stack_or_project_is_refused(tmp_path, dev_base, stack, project):
    document = json.loads(dev_base["preview"].read_text())
    base = SimpleNamespace(stack="dev", resources=document["resources"])
    export = stack_export(base, tmp_path / "other.json", stack=stack, project=project)
    with pytest.raises(InputError) as info:
        load_baseline(export, stack="dev")
    assert "refusing to compare" in str(info.value) and f"`{stack}`" in str(info.value)
    proc = subprocess.run([sys.executable, "-m", "offline", "preview", "dev", "--no-policy", "--compare", str(export)],
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


def test_field_classification_is_one_function_over_the_replace_constants():
    assert classify_field("alicloud:cs/managedKubernetes:ManagedKubernetes", "serviceCidr") == "replace"
    assert classify_field("alicloud:vpc/switch:Switch", "cidrBlock") == "replace"
    assert classify_field("alicloud:cs/nodePool:NodePool", "scalingConfig.maxSize") == "update"
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
    assert sorted(f["urn"].rsplit("::", 1)[1] for f in result.findings if f["rule"] == "REP015") == [
        "dev-ack", "dev-ack-np-general"]
    assert result.blocked


def test_a_helm_release_as_the_provider_stored_it_is_no_change(tmp_path):
    """pulumi-kubernetes' Check stores `checksum` and `resourceNames` among the Release's inputs and drops every
    false bool (C.HELM_RELEASE_CHECK_COMPUTED_INPUTS): against a real export the Cilium release must not show
    an update on every run, while a real values change still does."""
    base = preview(tmp_path, stack_config("staging"), "stbase", stack="staging")
    path = stack_export(base, tmp_path / "export.json")
    document = json.loads(path.read_text())
    for res in document["deployment"]["resources"]:
        if res["type"] == "kubernetes:helm.sh/v3:Release":
            res["inputs"] = {**{k: v for k, v in res["inputs"].items() if v is not False},
                             "checksum": "9c" * 32, "resourceNames": {"ConfigMap/v1": ["kube-system/cilium-config"]}}
    path.write_text(json.dumps(document))
    same = preview(tmp_path, stack_config("staging"), "sthead", path, stack="staging")
    assert same.changes["summary"]["update"] == 0 and same.changes["resources"] == []
    changed = preview(tmp_path, with_value(stack_config("staging"), "ackstack:cni.cilium.hubble", False), "sthubble",
                      path, stack="staging")
    fields = [f["field"] for e in changed.changes["resources"] for f in e["fields"]]
    assert fields and all(f.startswith("values.") for f in fields), fields


def test_upgrading_terway_controlplane_with_podnetworkings_is_rep011(tmp_path):
    """The chart's pod webhook has failurePolicy Ignore (AliyunContainerService/terway v1.17.5
    charts/terway/values.yaml:99): pods created while terway-controlplane restarts keep the shared ENI."""
    old = with_value(stack_config("dev"), "ackstack:cni.controlplaneVersion", "v1.16.6")
    base = preview(tmp_path, old, "cp-old")
    export = stack_export(base, tmp_path / "cp-export.json")
    result = preview(tmp_path, with_value(old, "ackstack:cni.controlplaneVersion", "v1.17.5"), "cp-new", export)
    found = [f for f in result.findings if f["rule"] == "REP011"]
    assert found and found[0]["level"] == "warning" and found[0]["path"] == "ackstack:cni.controlplaneVersion"
    assert "v1.16.6 -> v1.17.5" in found[0]["message"] and "failurePolicy Ignore" in found[0]["message"]
    assert "shared ENI" in found[0]["message"]
    # a downgrade or the same version is not this warning; neither is an upgrade without PodNetworkings
    same = preview(tmp_path, old, "cp-same", export)
    assert not [f for f in same.findings if f["rule"] == "REP011"]
    bare = with_value(old, "ackstack:podNetworkings", [])
    bare_export = stack_export(preview(tmp_path, bare, "bare-old"), tmp_path / "bare-export.json")
    bare_new = preview(tmp_path, with_value(bare, "ackstack:cni.controlplaneVersion", "v1.17.5"), "bare-new",
                       bare_export)
    assert not [f for f in bare_new.findings if f["rule"] == "REP011"]
