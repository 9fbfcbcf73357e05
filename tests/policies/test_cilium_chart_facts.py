"""The per-release chart facts (policies/ackstack_core/cilium_charts/*.json) are exactly what the generator
derives from the official chart packages in ../shared/reference/cilium, and facts rather than a chart copy."""

from __future__ import annotations

import hashlib
import json

import pytest

from ackstack.engine.testing import require_reference
from ackstack_core import cilium_chart
from ackstack_core import constants as C
from components.cilium_render import REFERENCE_CHARTS
from tools.cilium_chart_facts import derive, dumps


@pytest.mark.parametrize("version", C.CILIUM_CHART_FACTS_VERSIONS)
def test_facts_regenerate_byte_identical_from_the_official_package(version):
    package = REFERENCE_CHARTS / f"cilium-{version}.tgz"
    require_reference(package.is_file(), f"official chart package {package}")
    stored = cilium_chart.facts_file(version).read_text(encoding="utf-8")
    assert dumps(derive(package)) == stored, (
        f"regenerate: .venv/bin/python -m tools.cilium_chart_facts {package}")
    assert json.loads(stored)["sha256"] == hashlib.sha256(package.read_bytes()).hexdigest()


@pytest.mark.parametrize("version", C.CILIUM_CHART_FACTS_VERSIONS)
def test_facts_name_their_package_and_hold_no_chart_defaults(version):
    raw = json.loads(cilium_chart.facts_file(version).read_text(encoding="utf-8"))
    assert next(iter(raw)) == "source" and f"cilium-{version}.tgz (sha256 {raw['sha256']})" in raw["source"]
    # A path maps to its schema type only ("" when untyped): no default value of the chart is stored.
    allowed = {"", "boolean", "integer", "number", "string", "null", "array", "object"}
    assert all(set(kind.split("|")) <= allowed for kind in raw["paths"].values())


def test_the_pin_and_every_tested_line_have_facts():
    assert C.CILIUM_CHART_VERSION in C.CILIUM_CHART_FACTS_VERSIONS
    lines = {cilium_chart.release_line(v) for v in C.CILIUM_CHART_FACTS_VERSIONS}
    assert lines == set(C.CILIUM_K8S_TESTED)
    facts = cilium_chart.load(C.CILIUM_CHART_VERSION)
    assert facts.paths["operator.replicas"] == "integer"
    assert "ipMasqAgent.config.nonMasqueradeCIDRs" in facts.commented  # comment-only in values.yaml
    assert facts.images["image"] == "quay.io/cilium/cilium"


def test_the_default_pin_is_tested_on_the_default_kubernetes():
    from components.config import _parse_k8s_minor

    oldest, newest = C.CILIUM_K8S_TESTED[cilium_chart.release_line(C.CILIUM_CHART_VERSION)]
    assert oldest <= _parse_k8s_minor(C.DEFAULT_K8S_VERSION) <= newest
