"""Cilium on BYOCNI: native routing over the VPC, never encapsulation on top of it."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from pulumi_policy import EnforcementLevel

from ackstack_core import constants as C

from ._common import AckResourcePolicy, get, skip_unknown
from .types_ import HELM_CHART_V4, HELM_RELEASE


def is_cilium_chart(chart: Any) -> bool:
    """'cilium', 'cilium/cilium', 'oci://.../cilium', local paths like '../charts/cilium' and local
    packages like '/charts/cilium-1.19.6.tgz' all count."""
    if not isinstance(chart, str):
        return False
    last = chart.rstrip("/").rsplit("/", 1)[-1].split(":", 1)[0]
    return re.fullmatch(r"cilium((-\d[0-9A-Za-z.+-]*)?\.tgz)?", last) is not None


def is_cilium_release(props: Mapping[str, Any]) -> bool:
    """The chart reference names cilium, or it is ackstack's release of a local package named otherwise
    (`cni.cilium.chartPath: vendor/mirror.tgz`; CIL016 checked its content): no file name skips the policy."""
    chart = get(props, "chart")
    return is_cilium_chart(chart) or (isinstance(chart, str) and chart.endswith(".tgz")
                                      and get(props, "name") == C.CILIUM_RELEASE_NAME)


@skip_unknown
def check_native_routing(props: Mapping[str, Any], config: Mapping[str, Any]) -> list[str]:
    """VXLAN/Geneve tunnels double-encapsulate inside the VPC; native routing needs the routable CIDR."""
    if not is_cilium_release(props):
        return []
    problems = []
    mode = get(props, "values.routingMode")
    if mode != "native":
        if get(props, "description") == C.CILIUM_OVERLAY_ACCEPTED_DESCRIPTION:
            return []  # accepted in config (cni.cilium.acceptOverlay); validation CIL004 warns instead
        problems.append(f"values.routingMode is {mode!r}; Cilium on ACK BYOCNI must use 'native' "
                        "(or accept the overlay with cni.cilium.acceptOverlay: true).")
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
