"""Hand-written expected fragments of the generated artefacts (issue #25).

tests/tools/test_config_schema.py, test_docs.py and test_cilium_chart_facts.py check that the committed files equal
what the generators produce now; a generator bug would pass them, since the expected text is the generator's.
These fragments were written by hand from the sources named beside each, not produced by the generators.
"""

from __future__ import annotations

import json
from pathlib import Path

from ackstack_core import cilium_chart

ROOT = Path(__file__).resolve().parents[2]


def _schema() -> dict:
    return json.loads((ROOT / "docs" / "stack-file.schema.json").read_text(encoding="utf-8"))


def test_schema_node_cidr_mask_fragment():
    """Default 24: terraform-provider-alicloud's KubernetesClusterNodeCIDRMasksByDefault (constants.py
    NODE_CIDR_MASK_DEFAULT); the config model's range 16-30 (components/config.py ByocniCiliumCni), wider than the
    provider's 24-28 on purpose: BYO rules report the provider's range with a config path."""
    assert _schema()["$defs"]["ByocniCiliumCni"]["properties"]["nodeCidrMask"] == {
        "default": 24, "maximum": 30, "minimum": 16, "title": "Nodecidrmask", "type": "integer"}


def test_schema_cni_is_one_of_the_two_modes():
    """README: `cni.mode: terway-trunk` or `cni.mode: byocni-cilium`, nothing else."""
    defs = _schema()["$defs"]
    modes = {defs[name]["properties"]["mode"]["const"] for name in ("TerwayTrunkCni", "ByocniCiliumCni")}
    assert modes == {"terway-trunk", "byocni-cilium"}
    assert "mode" in defs["TerwayTrunkCni"]["required"] and "mode" in defs["ByocniCiliumCni"]["required"]


def test_configuration_reference_fragments():
    text = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
    assert "## `ackstack:cni` (TerwayTrunkCni)" in text and "## `ackstack:cni` (ByocniCiliumCni)" in text
    assert "| `nodeCidrMask` | int | `24` | >= 16, <= 30 |" in text
    assert "| `mode` | `byocni-cilium` | **required** |  |" in text


def test_cilium_1_19_6_facts_fragment():
    """Read by hand from cilium-1.19.6.tgz: values.schema.json:5885-5887 (routingMode string), :454-459
    (autoDirectNodeRoutes boolean or string), :1312 (a `replicas` integer); values.yaml:244-249 (image
    quay.io/cilium/cilium), :1351-1356 (certgen.image quay.io/cilium/certgen); scheduling.mode's enum
    (values.yaml `enum: ["anti-affinity", "kube-scheduler"]`)."""
    facts = cilium_chart.load("1.19.6")
    assert facts.paths["routingMode"] == "string"
    assert facts.paths["autoDirectNodeRoutes"] == "boolean|string"
    assert facts.paths["operator.replicas"] == "integer"
    assert facts.images["image"] == "quay.io/cilium/cilium"
    assert facts.images["certgen.image"] == "quay.io/cilium/certgen"
    assert facts.enums["scheduling.mode"] == ["anti-affinity", "kube-scheduler"]
