"""`--compare` against what the real engine stores: the rehearsal's `pulumi stack export` of each deployed
example stack (tests/real_engine.py). The unchanged stack is no change; drift in the state shows; each
realistic edit shows exactly the steps the pinned CLI's own preview of that edit shows."""

from __future__ import annotations

import json

import pytest

from ackstack.preview.preview import run_preview
from tests.real_engine import ROOT, deployed, edited_stack_file, per_edit, per_stack

REPLACE_OPS = {"replace", "create-replacement", "delete-replaced"}
T_CLUSTER = "alicloud:cs/managedKubernetes:ManagedKubernetes"


def export_file(stack: str, tmp_path, change=None):
    document = json.loads(json.dumps(deployed(stack).export))
    if change is not None:
        change(document)
    path = tmp_path / f"{stack}-export.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


@pytest.mark.parametrize("stack", per_stack())
def test_the_unchanged_stack_is_no_change(stack, tmp_path):
    result = run_preview(stack, policy=False, compare_file=str(export_file(stack, tmp_path)))
    assert result.changes["resources"] == [], result.changes["resources"][:3]
    assert [f for f in result.findings if f.get("source") == "compare"] == []


@pytest.mark.parametrize("stack", per_stack(["dev", "staging", "prod"]))
def test_a_version_ack_upgraded_in_the_state_shows_as_an_update(stack, tmp_path):
    def upgrade(document):
        for resource in document["deployment"]["resources"]:
            if resource["type"] == T_CLUSTER:
                resource["outputs"]["version"] = "1.35.1-aliyun.1"

    result = run_preview(stack, policy=False, compare_file=str(export_file(stack, tmp_path, upgrade)))
    [entry] = result.changes["resources"]
    assert entry["type"] == T_CLUSTER and entry["action"] == "update"
    assert [(f["field"], f["old"]) for f in entry["fields"]] == [("version", "1.35.1-aliyun.1")]


def _real_steps(document: dict) -> dict[str, str]:
    steps = {}
    for step in document.get("steps", []):
        op = "replace" if step["op"] in REPLACE_OPS else step["op"]
        if op != "same" and step["newState" if op != "delete" else "oldState"]["type"] != "pulumi:pulumi:Stack" \
                and "::default_" not in step["urn"]:
            steps[step["urn"]] = op
    return steps


@pytest.mark.parametrize("edit", per_edit())
def test_compare_shows_the_real_previews_steps_for_each_edit(edit, tmp_path):
    real = deployed(edit.stack).edits[edit.name]
    assert real["exit"] == 0, real["stderr"]
    stack_file = edited_stack_file(ROOT / f"Pulumi.{edit.stack}.yaml", edit, tmp_path / f"Pulumi.{edit.stack}.yaml")
    result = run_preview(edit.stack, config_file=str(stack_file), policy=False,
                         compare_file=str(export_file(edit.stack, tmp_path)))
    offline = {e["urn"]: e["action"] for e in result.changes["resources"]}
    assert offline == _real_steps(real)
    if edit.changes:
        assert offline, "the edit changed nothing: the test would prove nothing"
    else:
        assert offline == {}, "the real engine shows no step for this edit"
