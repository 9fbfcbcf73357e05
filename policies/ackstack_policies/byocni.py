"""BYOCNI (Cilium): built-in CNIs stay off and the cluster gets an explicit pod CIDR layout."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pulumi_policy import EnforcementLevel

from ackstack_core import constants as C

from ._common import AckResourcePolicy, get, skip_unknown
from .addons import addon_list, find_addon, is_disabled, is_terway
from .types_ import MANAGED_KUBERNETES


def is_byocni(props: Mapping[str, Any]) -> bool:
    """BYOCNI is signalled by listing kube-flannel-ds with disabled=true (ACK's documented switch)."""
    flannel = find_addon(addon_list(props), C.ADDON_FLANNEL)
    return flannel is not None and is_disabled(flannel)


@skip_unknown
def check_byocni(props: Mapping[str, Any], config: Mapping[str, Any]) -> list[str]:
    """Two CNIs fight over pod routes; and without podCidr/nodeCidrMask ACK cannot size node ranges."""
    if not is_byocni(props):
        return []
    problems = [
        f"addons: '{a['name']}' is enabled on a BYOCNI cluster (kube-flannel-ds disabled); remove the Terway add-on."
        for a in addon_list(props)
        if is_terway(a) and not is_disabled(a)
    ]
    if not get(props, "podCidr"):
        problems.append("podCidr is not set; BYOCNI clusters need an explicit pod CIDR for Cilium.")
    mask = get(props, "nodeCidrMask")
    if mask in (None, "", 0):
        problems.append("nodeCidrMask is not set; BYOCNI clusters need a per-node pod CIDR mask.")
    return problems


BYOCNI_NO_BUILTIN_CNI = AckResourcePolicy(
    name="byocni-no-builtin-cni",
    description="BYOCNI clusters must not run Terway and must set podCidr and nodeCidrMask.",
    enforcement_level=EnforcementLevel.MANDATORY,
    resource_types=[MANAGED_KUBERNETES],
    check=check_byocni,
)

POLICIES = [BYOCNI_NO_BUILTIN_CNI]
