"""Terway Trunk ENI: PodNetworking needs terway-eniip with ENITrunking and terway-controlplane."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from pulumi_policy import EnforcementLevel

from ackstack_core import constants as C

from ._common import AckResourcePolicy, get, is_unknown, skip_unknown
from .addons import addon_list, find_addon, is_terway
from .types_ import MANAGED_KUBERNETES


@skip_unknown
def check_terway_trunk(props: Mapping[str, Any], config: Mapping[str, Any]) -> list[str]:
    """When Terway is used, Trunk ENI mode must be fully wired (add-ons + pod vSwitches)."""
    addons = addon_list(props)
    if not any(is_terway(a) for a in addons):
        return []
    problems: list[str] = []
    eniip = find_addon(addons, C.ADDON_TERWAY_ENIIP)
    if eniip is None:
        problems.append("addons: 'terway-eniip' is missing; Trunk ENI needs the terway-eniip add-on.")
    else:
        problems.extend(_eni_trunking_problems(eniip.get("config")))
    if find_addon(addons, C.ADDON_TERWAY_CONTROLPLANE) is None:
        problems.append(
            "addons: 'terway-controlplane' is missing; Trunk ENI needs the terway-controlplane add-on."
        )
    pod_vswitches = get(props, "podVswitchIds")
    if not pod_vswitches:
        problems.append("podVswitchIds is empty; Terway needs dedicated pod vSwitches.")
    return problems


def _eni_trunking_problems(raw: Any) -> list[str]:
    if is_unknown(raw):
        return []
    try:
        cfg = json.loads(raw) if isinstance(raw, str) and raw.strip() else {}
    except ValueError:
        return ["addons['terway-eniip'].config is not valid JSON; it must set ENITrunking."]
    value = cfg.get(C.TERWAY_CONFIG_KEY_TRUNKING) if isinstance(cfg, dict) else None
    if is_unknown(value) or value == "true":
        return []
    return [f"addons['terway-eniip'].config ENITrunking is {value!r}; it must be the string \"true\"."]


TERWAY_TRUNK_ADDONS = AckResourcePolicy(
    name="terway-trunk-addons",
    description="Terway clusters must enable Trunk ENI (terway-eniip ENITrunking, terway-controlplane, podVswitchIds).",
    enforcement_level=EnforcementLevel.MANDATORY,
    resource_types=[MANAGED_KUBERNETES],
    check=check_terway_trunk,
    remediation_steps='Add terway-eniip with config {"ENITrunking": "true"}, terway-controlplane and podVswitchIds.',
)

POLICIES = [TERWAY_TRUNK_ADDONS]
