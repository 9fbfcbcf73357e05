"""`routingMode: null` / `""` in Cilium values against the real `helm template` (issue #25).

The chart's cilium-configmap.yaml:540 (cilium 1.19.6) writes `routing-mode: {{ .Values.routingMode | default
(ternary "native" "tunnel" (or .Values.eni.enabled .Values.gke.enabled)) }}`, and values.yaml:3064 has
`routingMode: ""`; helm drops a null key, so both fall back to tunnel. ackstack must read them the same way
(CIL004: an overlay on ACK managed Pro). Needs helm and the chart package (tests/components/test_cilium_render.py).
"""

from __future__ import annotations

import json

import pytest

from ackstack.engine.testing import findings_for, plan_for, require_reference, stack_config, with_value
from components import cilium_render
from components.cilium_values import cilium_values
from components.validation.rules_cil import _routing_mode

PATH = "ackstack:cni.cilium.values.routingMode"


@pytest.fixture(scope="module")
def helm() -> str:
    binary = cilium_render.helm_binary()
    require_reference(binary is not None, "helm binary (.venv/bin/python tools/install_helm.py)")
    return binary


def _rendered_config(helm: str, plan, values: dict) -> dict[str, str]:
    cilium = plan.config.cni.cilium
    package = cilium_render.chart_package(cilium.chart_version)
    require_reference(package is not None, f"official chart package cilium-{cilium.chart_version}.tgz")
    documents = cilium_render.render(values, package, plan.config.cluster.kubernetes_version, helm=helm)
    return cilium_render.configmap(documents, "cilium-config")


@pytest.mark.parametrize("mode", [None, ""], ids=["null", "empty"])
def test_an_unset_routing_mode_is_tunnel_as_helm_renders_it(helm, mode):
    """Kills `_routing_mode` reading null or "" as anything but the chart default (e.g. `or "native"`)."""
    cfg = with_value(stack_config("staging"), "ackstack:cni.cilium", {"values": {"routingMode": mode}})
    plan = plan_for(cfg)
    values = json.loads(json.dumps(cilium_values(plan, None)))
    assert "routingMode" in values and values["routingMode"] == mode  # the user's null reaches helm as null
    rendered = _rendered_config(helm, plan, values)
    assert rendered["routing-mode"] == "tunnel"
    assert _routing_mode(values) == "tunnel"
    assert [(f.level, f.path) for f in findings_for(cfg) if f.rule == "CIL004"] == [("error", PATH)]


def test_native_stays_native(helm):
    cfg = with_value(stack_config("staging"), "ackstack:cni.cilium", {"values": {"routingMode": "native"}})
    plan = plan_for(cfg)
    values = json.loads(json.dumps(cilium_values(plan, None)))
    rendered = _rendered_config(helm, plan, values)
    assert rendered["routing-mode"] == _routing_mode(values) == "native"
    assert [f for f in findings_for(cfg) if f.rule == "CIL004"] == []
