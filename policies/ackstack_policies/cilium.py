"""Cilium on BYOCNI: native routing over the VPC, never encapsulation on top of it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pulumi_policy import EnforcementLevel

from ._common import AckResourcePolicy, get, skip_unknown
from .types_ import HELM_CHART_V4, HELM_RELEASE


def is_cilium_chart(chart: Any) -> bool:
    """'cilium', 'cilium/cilium', 'oci://.../cilium' and local paths like '../charts/cilium' all count."""
    if not isinstance(chart, str):
        return False
    return chart.rstrip("/").rsplit("/", 1)[-1].split(":", 1)[0] == "cilium"


@skip_unknown
def check_native_routing(props: Mapping[str, Any], config: Mapping[str, Any]) -> list[str]:
    """VXLAN/Geneve tunnels double-encapsulate inside the VPC; native routing needs the routable CIDR."""
    if not is_cilium_chart(get(props, "chart")):
        return []
    problems = []
    mode = get(props, "values.routingMode")
    if mode != "native":
        problems.append(f"values.routingMode is {mode!r}; Cilium on ACK BYOCNI must use 'native'.")
    if not get(props, "values.ipv4NativeRoutingCIDR"):
        problems.append("values.ipv4NativeRoutingCIDR is not set; native routing needs the VPC/pod CIDR.")
    return problems


CILIUM_NATIVE_ROUTING = AckResourcePolicy(
    name="cilium-native-routing",
    description="The Cilium Helm release must use routingMode native with ipv4NativeRoutingCIDR.",
    enforcement_level=EnforcementLevel.MANDATORY,
    resource_types=[HELM_RELEASE, HELM_CHART_V4],
    check=check_native_routing,
)

POLICIES = [CILIUM_NATIVE_ROUTING]
