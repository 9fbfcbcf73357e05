"""Stack-level policies (whole-stack views). Add cross-resource checks here and list them in POLICIES.

Planned by the lead: vSwitch zones vs node-pool zones, PodNetworking selector overlap.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pulumi_policy import EnforcementLevel

from ._common import AckStackPolicy, StackResource, is_unknown
from .types_ import POD_NETWORKING, VSWITCH


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

POLICIES = [PODNETWORKING_VSWITCH_KNOWN]
