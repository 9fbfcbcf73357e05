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
