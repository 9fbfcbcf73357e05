"""Reading the `--compare` file (ackstack/preview/compare.py load_baseline): secrets wherever they sit, URNs that
are not Pulumi's, the export's time. The documents are written by hand the way the CLI writes them: a secret is
`{"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", "ciphertext": ...}` (pulumi/pulumi
sdk/go/common/resource/sig/sig.go: Key and Secret), an export is `{"version": 3, "deployment": {...}}`
(apitype.DeploymentV3)."""

from __future__ import annotations

import json

import pytest

from ackstack.preview.compare import load_baseline
from ackstack.preview.preview import InputError

SECRET = {"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", "ciphertext": "v1:c2VjcmV0LWJsb2I="}
VPC = "urn:pulumi:dev::ackstack::alicloud:vpc/network:Network::dev-vpc"


def _export(tmp_path, resources: list[dict], manifest: dict | None = None):
    path = tmp_path / "export.json"
    deployment = {"manifest": manifest or {"time": "2026-12-01T10:00:00Z"}, "resources": resources}
    path.write_text(json.dumps({"version": 3, "deployment": deployment}), encoding="utf-8")
    return path


def test_secrets_are_masked_in_maps_and_in_lists(tmp_path):
    """Kills skipping the list branch of _mask_export: a secret inside a list is masked too, in inputs and state."""
    resource = {"urn": VPC, "type": "alicloud:vpc/network:Network",
                "inputs": {"password": SECRET, "tags": [{"k": SECRET}, "plain"]},
                "outputs": {"keys": [SECRET]}}
    baseline = load_baseline(_export(tmp_path, [resource]), stack="dev")
    stored = baseline.resources[VPC]
    assert stored["inputs"] == {"password": "[secret]", "tags": [{"k": "[secret]"}, "plain"]}
    assert stored["state"] == {"keys": ["[secret]"]}
    assert "c2VjcmV0LWJsb2I" not in json.dumps(baseline.resources)


def test_the_export_time_is_kept(tmp_path):
    """The manifest's time names the base in the report (kills `or` -> `and` in reading it)."""
    assert load_baseline(_export(tmp_path, []), stack="dev").time == "2026-12-01T10:00:00Z"
    assert load_baseline(_export(tmp_path, [], {"magic": "x"}), stack="dev").time == ""


@pytest.mark.parametrize("urn", ["dev-vpc", "urn:other:dev::ackstack::alicloud:vpc/network:Network::dev-vpc",
                                 "urn:pulumi:dev::ackstack::dev-vpc"])
def test_a_urn_that_is_not_pulumis_is_refused(tmp_path, urn):
    """`urn:pulumi:<stack>::<project>::<type>::<name>` (pulumi sdk/go/common/resource/urn.go): a wrong prefix or
    fewer than four parts is refused with exit 2 (kills `or` -> `and` and skipping the check)."""
    path = _export(tmp_path, [{"urn": urn, "type": "alicloud:vpc/network:Network"}])
    with pytest.raises(InputError, match="is not a Pulumi URN"):
        load_baseline(path, stack="dev")


def test_another_projects_export_is_named_in_the_refusal(tmp_path):
    """The refusal names the file's stack and project (kills parts[1] -> parts[2])."""
    path = _export(tmp_path, [{"urn": "urn:pulumi:dev::other::alicloud:vpc/network:Network::dev-vpc",
                               "type": "alicloud:vpc/network:Network"}])
    with pytest.raises(InputError, match="describes stack `dev` of project `other`, not stack `dev` of project "
                                         "`ackstack`"):
        load_baseline(path, stack="dev")


def test_external_resources_are_not_part_of_the_base_and_ids_are_kept(tmp_path):
    """A resource read with `.get` (`external: true` in the export) is never created or deleted by the stack, so it
    is not compared (kills skipping that check); a managed resource keeps its cloud id (kills `or` -> `and`)."""
    read = {"urn": "urn:pulumi:dev::ackstack::alicloud:vpc/switch:Switch::legacy", "type": "alicloud:vpc/switch:Switch",
            "id": "vsw-legacy", "external": True}
    managed = {"urn": VPC, "type": "alicloud:vpc/network:Network", "id": "vpc-1"}
    baseline = load_baseline(_export(tmp_path, [read, managed]), stack="dev")
    assert list(baseline.resources) == [VPC] and baseline.resources[VPC]["id"] == "vpc-1"


def test_ids_of_either_side_become_the_urn_they_belong_to():
    """The export's cloud id, the offline engine's fake id and a preview document's id of one URN compare equal
    (kills skipping any of the three sources, and `or` -> `and` for a run's registrations)."""
    from types import SimpleNamespace

    from ackstack.preview.compare import Baseline, _id_tokens, _tokenise

    baseline = Baseline(source="pulumi stack export", path="export.json")
    baseline.resources[VPC] = {"urn": VPC, "id": "vpc-cloud"}
    baseline.resources["urn:b"] = {"urn": "urn:b", "id": ""}  # no id yet: no token
    run = SimpleNamespace(registrations=[SimpleNamespace(id="vpc-fake", urn=VPC), SimpleNamespace(id="", urn="urn:c")])
    tokens = _id_tokens([{"urn": "urn:d", "id": "d-1"}, {"urn": "urn:e"}], baseline, run)
    assert tokens == {"vpc-cloud": f"<id of {VPC}>", "vpc-fake": f"<id of {VPC}>", "d-1": "<id of urn:d>"}
    assert _tokenise({"vpcId": "vpc-fake", "refs": ["vpc-cloud", {"id": "d-1"}], "n": 3}, tokens) == {
        "vpcId": f"<id of {VPC}>", "refs": [f"<id of {VPC}>", {"id": "<id of urn:d>"}], "n": 3}


def test_a_deleted_protected_resource_stays_protected():
    """The entry is protected when either side is (kills `or` -> `and`): deleting a protected resource is the error
    the report must show (issue #24 §3)."""
    from ackstack.preview.compare import resource_change

    before = {"urn": VPC, "type": "alicloud:vpc/network:Network", "protect": True, "inputs": {}}
    assert resource_change(before, None, {}) == {"urn": VPC, "type": "alicloud:vpc/network:Network", "name": "",
                                                 "protect": True, "fields": [], "action": "delete"}


def test_a_resource_behind_a_provider_whose_configuration_is_unknown_shows_as_an_update():
    """pulumi sdk/v3@v3.276.0 go/common/resource/plugin/provider_plugin.go:1303-1310 (DiffUnavailable): a resource
    whose provider's configuration is unknown in the preview cannot be diffed and is shown as an update; one whose
    provider is known stays `same` (kills the provider lookup's mutants and the `same` test)."""
    from ackstack.engine import bridge
    from ackstack.preview.compare import _behind_unknown_providers

    k8s = "urn:pulumi:dev::ackstack::pulumi:providers:kubernetes::k8s"
    known = "urn:pulumi:dev::ackstack::pulumi:providers:kubernetes::other"
    entries = [
        {"urn": k8s, "type": "pulumi:providers:kubernetes", "action": "update",
         "fields": [{"field": "kubeconfig", "old": "[secret]", "new": bridge.UNKNOWN}]},
        {"urn": "urn:ns", "type": "kubernetes:core/v1:Namespace", "action": "same", "fields": []},
        {"urn": "urn:other", "type": "kubernetes:core/v1:Namespace", "action": "same", "fields": []},
    ]
    current = {"urn:ns": {"provider": f"{k8s}::4b0c8b2e-id"}, "urn:other": {"provider": f"{known}::5e1d-id"}}
    out = _behind_unknown_providers(entries, current)
    assert out[1]["action"] == "update" and [f["field"] for f in out[1]["fields"]] == ["(provider configuration)"]
    assert out[1]["fields"][0]["new"] == bridge.UNKNOWN
    assert out[2] == entries[2] and out[0] == entries[0]


K8S = "urn:pulumi:dev::ackstack::pulumi:providers:kubernetes::k8s"
CLUSTER = "urn:pulumi:dev::ackstack::alicloud:cs/managedKubernetes:ManagedKubernetes::dev-ack"


def test_a_secret_fed_by_a_replaced_resource_is_unknown():
    """The provider's kubeconfig is a secret on both sides; it is unknown in the preview only when the cluster it
    comes from is replaced or created (its id among the unknowns): then the provider updates, else nothing shows
    (a secret against a secret is hidden). Kills the propertyDependencies and hidden-field mutants."""
    from ackstack.engine import bridge
    from ackstack.preview.compare import resource_change

    before = {"urn": K8S, "type": "pulumi:providers:kubernetes", "inputs": {"kubeconfig": "[secret]"}, "state": None}
    now = {"urn": K8S, "type": "pulumi:providers:kubernetes", "inputs": {"kubeconfig": "[secret]"},
           "propertyDependencies": {"kubeconfig": [CLUSTER]}}
    replaced = resource_change(before, now, {}, {f"<id of {CLUSTER}>"})
    assert replaced["action"] == "update"
    assert [(f["field"], f["old"], f["new"]) for f in replaced["fields"]] == [("kubeconfig", "[secret]", bridge.UNKNOWN)]
    kept = resource_change(before, now, {}, set())
    assert (kept["action"], kept["fields"]) == ("same", [])


def test_ignore_changes_hides_a_field_change():
    """`ignoreChanges: [vpcName]` (Pulumi resource option): a new name is not a change (kills `or` -> `and` in
    reading the options)."""
    from ackstack.preview.compare import resource_change

    before = {"urn": VPC, "type": "alicloud:vpc/network:Network", "inputs": {"vpcName": "a", "cidrBlock": "10.0.0.0/8"},
              "state": None}
    now = {"urn": VPC, "type": "alicloud:vpc/network:Network", "inputs": {"vpcName": "b", "cidrBlock": "10.0.0.0/8"}}
    assert resource_change(before, {**now, "options": {"ignoreChanges": ["vpcName"]}}, {})["action"] == "same"
    changed = resource_change(before, now, {})
    assert changed["action"] == "update" and [f["field"] for f in changed["fields"]] == ["vpcName"]


def test_a_replaced_resource_makes_its_id_and_computed_only_outputs_unknown():
    """What a preview cannot know: the id and the computed-only outputs (the provider schema's `computed` without
    `optional`/`required`: routeTableId, createTime, status of a VPC) of a resource being replaced; not its
    optional inputs, not another resource's id it reports, nothing of a resource updated in place."""
    from ackstack.preview.compare import _unknown_texts

    other = "urn:pulumi:dev::ackstack::alicloud:vpc/network:Network::other"
    state = {"routeTableId": "vtb-1", "createTime": "2026-01-01T00:00:00Z", "status": "Available",
             "cidrBlock": "10.0.0.0/8", "routerId": "vrt-other", "resourceGroupId": "rg-1"}
    entries = [{"urn": VPC, "type": "alicloud:vpc/network:Network", "action": "replace"},
               {"urn": other, "type": "alicloud:vpc/network:Network", "action": "update"}]
    previous = {VPC: {"state": state}, other: {"state": {"routeTableId": "vtb-2"}}}
    tokens = {"vrt-other": f"<id of {other}>"}
    assert _unknown_texts(entries, previous, tokens) == {f"<id of {VPC}>", "vtb-1", "2026-01-01T00:00:00Z",
                                                         "Available"}


def test_preview_masks_read_back_as_the_engine_sees_them():
    """A base preview's `[unknown]` is the engine's unknown, in maps and lists, and its `__meta` records are not
    inputs (kills skipping any branch of _comparable)."""
    from ackstack.engine import bridge
    from ackstack.preview.compare import _comparable

    assert _comparable({"a": "[unknown]", "__meta": {"x": 1}, "l": ["[unknown]", 1, {"b": "[unknown]"}]}) == {
        "a": bridge.UNKNOWN, "l": [bridge.UNKNOWN, 1, {"b": bridge.UNKNOWN}]}


@pytest.mark.parametrize(("old", "new", "hidden"), [
    ("[secret]", "[secret]", True), ("[secret]", "b", False), ("a", "[secret]", False), ("a", "b", False),
    ("UNKNOWN", "b", True), ("a", "UNKNOWN", True),
])
def test_a_change_is_hidden_only_when_neither_side_can_be_read(old, new, hidden):
    from ackstack.engine import bridge
    from ackstack.preview.compare import _hidden

    old, new = (bridge.UNKNOWN if v == "UNKNOWN" else v for v in (old, new))
    assert _hidden(old, new) is hidden


def test_a_diff_path_reaches_map_keys_and_list_items():
    """`tags.team`, `vswitchIds[1]` (the paths of ackstack's planned diff); a path past the end is absent."""
    from ackstack.preview.compare import _ABSENT, _at

    value = {"tags": {"team": "net"}, "vswitchIds": ["v0", "v1"]}
    assert [_at(value, p) for p in ("tags.team", "vswitchIds[1]", "vswitchIds[0]")] == ["net", "v1", "v0"]
    assert _at(value, "vswitchIds[2]") is _ABSENT and _at(value, "tags.nope") is _ABSENT
    assert _at(value, "tags[0]") is _ABSENT and _at(value, "vswitchIds.team") is _ABSENT
