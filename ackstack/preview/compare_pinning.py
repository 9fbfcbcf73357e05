"""REP010 for `--compare`: a Fixed pod is pinned to the zone of its first IP.

terway-controlplane's pod webhook reads the zone of a fixed-name pod's existing PodENI and pins the
recreated pod to it with node affinity (AliyunContainerService/terway v1.17.5
pkg/controller/webhook/mutating.go:106-112, :188-196 and getPreviousZone :348-371,
setNodeAffinityByZones :405). A later change that takes that zone out of the PodNetworking's
vSwitches, or out of the cluster's node zones, leaves such pods Pending. Called by
`ackstack.preview.compare.compare_findings`; kept apart so that module's other checks can change freely.
"""

from __future__ import annotations

from collections.abc import Mapping

T_PODNETWORKING = "kubernetes:network.alibabacloud.com/v1beta1:PodNetworking"
T_NODEPOOL = "alicloud:cs/nodePool:NodePool"
T_VSWITCH = "alicloud:vpc/switch:Switch"


def _fixed(resource: Mapping) -> bool:
    spec = (resource.get("inputs") or {}).get("spec") or {}
    return (spec.get("allocationType") or {}).get("type") == "Fixed"


def _zones(resource: Mapping | None) -> set[str]:
    status = (resource or {}).get("status") or {}
    return {v["zone"] for v in status.get("vSwitches") or [] if isinstance(v, Mapping) and v.get("zone")}


def _node_zones(resources: Mapping[str, Mapping]) -> set[str] | None:
    """Zones of the node pools' vSwitches (vSwitches ackstack creates); None when not determinable."""
    zone_of = {r.get("id"): (r.get("inputs") or {}).get("zoneId") for r in resources.values()
               if r.get("type") == T_VSWITCH and r.get("id")}
    pools = [r for r in resources.values() if r.get("type") == T_NODEPOOL]
    zones = {zone_of.get(v) for p in pools for v in (p.get("inputs") or {}).get("vswitchIds") or []}
    return None if not pools or None in zones else zones


def fixed_zone_pinning(previous: Mapping[str, Mapping], current: Mapping[str, Mapping]) -> list[dict]:
    """REP010 warnings: a zone a Fixed PodNetworking used before is gone from it or from the node zones."""
    findings = []
    node_zones = _node_zones(current)
    for urn, before in previous.items():
        if before.get("type") != T_PODNETWORKING or not _fixed(before):
            continue
        now = current.get(urn)
        old_zones = _zones(before)
        still = _zones(now) if now is not None and _fixed(now) else set()
        for zone in sorted(old_zones):
            if now is None or not _fixed(now):
                why = "is no longer a Fixed PodNetworking" if now is not None else "is removed"
            elif zone not in still:
                why = f"no longer has a vSwitch in {zone}"
            elif node_zones is not None and zone not in node_zones:
                why = f"keeps {zone}, but no node pool has nodes there any more"
            else:
                continue
            findings.append({
                "source": "compare", "rule": "REP010", "level": "warning", "path": "", "urn": urn,
                "message": (f"PodNetworking `{before.get('name', '')}` {why}: its Fixed pods are pinned to the zone "
                            f"of their first IP ({zone}) by terway-controlplane's pod webhook, so recreated pods "
                            f"stay Pending there; move or drain them first (release their PodENI), see "
                            f"docs/terway.md"),
            })
            if now is None or not _fixed(now):
                break  # one finding per removed PodNetworking
    return findings
