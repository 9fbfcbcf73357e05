"""`--compare` of the staging stack (Cilium) against the real engine's export of it: the Helm release as
pulumi-kubernetes stored it. Apart from tests/ackstack/preview/test_compare_deployed.py (dev) so that each module runs
in its stack's xdist group, where that stack's rehearsal is made once (pytest-xdist 3.8 joins every group mark of a
test into one group name, so a module mark and a test mark would make a third group and a second rehearsal)."""

from __future__ import annotations

import json

from ackstack.engine.testing import stack_config, with_value
from tests.ackstack.preview.test_compare_deployed import preview
from tests.real_engine import deployed, stack_group

pytestmark = stack_group("staging")


def test_a_helm_release_as_the_provider_stored_it_is_no_change(tmp_path):
    """pulumi-kubernetes' Check stores `checksum` and `resourceNames` among the Release's inputs and drops every
    false bool (C.HELM_RELEASE_CHECK_COMPUTED_INPUTS): against the real engine's export the Cilium release must not
    show an update on every run, while a real values change still does, leaf by leaf."""
    path = tmp_path / "export.json"
    path.write_text(json.dumps(deployed("staging").export), encoding="utf-8")
    same = preview(tmp_path, stack_config("staging"), "sthead", path, stack="staging")
    assert same.changes["summary"]["update"] == 0 and same.changes["resources"] == []
    changed = preview(tmp_path, with_value(stack_config("staging"), "ackstack:cni.cilium.hubble", False), "sthubble",
                      path, stack="staging")
    fields = [f["field"] for e in changed.changes["resources"] for f in e["fields"]]
    assert fields and all(f.startswith("values.hubble") for f in fields), fields
