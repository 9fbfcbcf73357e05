"""Stack-level policies: checks that need several resources at once.

The zone and selector-overlap policies re-check validation rules PNW009 and SEL001 on the resources
the program actually registered, with the same functions (`components.validation`) and rule ids.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pulumi_policy import EnforcementLevel

from ackstack_core.podnetworking_checks import (
    grouped_overlap_message,
    grouped_overlaps,
    zone_without_nodes_message,
    zones_without_nodes,
)
from ackstack_core.selectors import find_overlaps

from ._common import AckStackPolicy, StackResource, contains_unknown, is_unknown
from .types_ import NODE_POOL, POD_NETWORKING, VSWITCH


def _known_vswitch_ids(resources: Sequence[StackResource]) -> set[str]:
    ids = set()
    for r in resources:
        if r.type == VSWITCH:
            vid = r.props.get("id")
            if isinstance(vid, str) and vid and not is_unknown(vid):
                ids.add(vid)
    return ids


def check_vswitch_known(
    resources: Sequence[StackResource], config: Mapping[str, Any]
) -> list[tuple[str, str | None]]:
    """A typo'd vSwitch id makes Terway fail pod IP allocation only at runtime."""
    known = _known_vswitch_ids(resources)
    findings: list[tuple[str, str | None]] = []
    for r in resources:
        if r.type != POD_NETWORKING:
            continue
        spec = r.props.get("spec")
        options = spec.get("vSwitchOptions") if isinstance(spec, Mapping) else None
        if not isinstance(options, list):
            continue
        for vsw in options:
            if not isinstance(vsw, str) or not vsw or is_unknown(vsw):
                continue
            if vsw in known or vsw.startswith("vsw-"):
                continue
            findings.append(
                (
                    f"spec.vSwitchOptions entry {vsw!r} of PodNetworking '{r.name}' is neither a vSwitch of this "
                    "stack nor an adopted vsw-* id.",
                    r.urn,
                )
            )
    return findings


PODNETWORKING_VSWITCH_KNOWN = AckStackPolicy(
    name="podnetworking-vswitch-known",
    description="PodNetworking vSwitchOptions must reference vSwitches of this stack or adopted vsw-* ids.",
    enforcement_level=EnforcementLevel.MANDATORY,
    check=check_vswitch_known,
)

def _zones_by_switch_urn(resources: Sequence[StackResource]) -> dict[str, str]:
    zones = {}
    for r in resources:
        zone = r.props.get("zoneId") if r.type == VSWITCH else None
        if isinstance(zone, str) and zone and not is_unknown(zone):
            zones[r.urn] = zone
    return zones


def _names(resources: Sequence[StackResource]) -> dict[str, str]:
    return {r.urn: r.name for r in resources}


def check_vswitch_zones(
    resources: Sequence[StackResource], config: Mapping[str, Any]
) -> list[tuple[str, str | None]]:
    """PNW009 on the registered graph: a PodNetworking's vSwitches (the Switch resources its spec depends
    on) must be in zones where node pools have vSwitches. Adopted vSwitches (no resource) are skipped."""
    zones = _zones_by_switch_urn(resources)
    names = _names(resources)
    worker = {zones[u] for r in resources if r.type == NODE_POOL
              for u in r.property_dependencies.get("vswitchIds", []) if u in zones}
    if not worker:
        return []
    findings = []
    for r in resources:
        if r.type != POD_NETWORKING:
            continue
        used = {names[u]: zones[u] for u in r.property_dependencies.get("spec", []) if u in zones}
        for vswitch, zone in zones_without_nodes(used, worker):
            findings.append((f"PNW009: PodNetworking '{r.name}': {zone_without_nodes_message(vswitch, zone, worker)}",
                             r.urn))
    return findings


def check_selector_overlap(
    resources: Sequence[StackResource], config: Mapping[str, Any]
) -> list[tuple[str, str | None]]:
    """SEL001 on the registered PodNetworkings: no pod may match two of them (Terway picks one at random)."""
    entries, urns = [], {}
    for r in resources:
        if r.type != POD_NETWORKING:
            continue
        selector = (r.props.get("spec") or {}).get("selector")
        if not isinstance(selector, Mapping) or contains_unknown(selector):
            continue
        name = (r.props.get("metadata") or {}).get("name") or r.name
        urns[name] = r.urn
        entries.append((name, selector.get("podSelector"), selector.get("namespaceSelector")))
    grouped = grouped_overlaps(find_overlaps(entries), [name for name, _pod, _ns in entries])
    return [(f"SEL001: {grouped_overlap_message(name, others, example)}", urns[name])
            for name, others, example in grouped]


PODNETWORKING_VSWITCH_ZONES = AckStackPolicy(
    name="podnetworking-vswitch-zones",
    description="PodNetworking vSwitches must be in zones where the cluster has nodes (rule PNW009).",
    enforcement_level=EnforcementLevel.MANDATORY,
    check=check_vswitch_zones,
)

PODNETWORKING_SELECTOR_OVERLAP = AckStackPolicy(
    name="podnetworking-selector-overlap",
    description="No pod may match two PodNetworkings; Terway would pick one at random (rule SEL001).",
    enforcement_level=EnforcementLevel.MANDATORY,
    check=check_selector_overlap,
)

POLICIES = [PODNETWORKING_VSWITCH_KNOWN, PODNETWORKING_VSWITCH_ZONES, PODNETWORKING_SELECTOR_OVERLAP]
