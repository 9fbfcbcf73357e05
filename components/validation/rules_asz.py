"""ASZ: autoscaling node pools and the zones their PodNetworkings cover."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from components.capacity import effective_vswitch_refs
from components.plan import NetworkPlan
from components.validation.findings import Finding, config_path, rule


@rule("ASZ001", "warning", "Autoscaling node pools only span zones their PodNetworkings cover",
      "Terway pins a PodNetworking's pods to the zones of its vSwitchOptions; an autoscaling pool that also spans "
      "other zones can add nodes there that those pods cannot use, so the scale-out does not help them.",
      "ACK guide terway-trunk-eni-podnetworking (vSwitchOptions note: zone constraint can block node pool scale-out); "
      "ACK Implement rapid elastic scaling across multiple zones")
def autoscaling_zones(plan: NetworkPlan) -> Iterator[Finding]:
    config = plan.config
    if not config.is_terway:
        return
    pools = [(i, p) for i, p in enumerate(config.cluster.node_pools) if p.autoscaling]
    if not pools:
        return
    by_id = {v.id: v for v in plan.vswitches.values() if v.id}
    # PodNetworkings grouped by the zone set of their vSwitches: a few distinct sets, whatever their number.
    by_zones: dict[frozenset[str], list[str]] = defaultdict(list)
    for pn in config.pod_networkings:
        zones = set()
        for ref in effective_vswitch_refs(plan, pn):
            fact = plan.vswitches.get(ref) or by_id.get(ref)
            if fact is not None and fact.zone_id:
                zones.add(fact.zone_id)
        if zones:
            by_zones[frozenset(zones)].append(pn.name)
    for index, pool in pools:
        pool_zones = set(pool.zones)
        missing: dict[str, list[tuple[str, frozenset[str]]]] = defaultdict(list)
        for zones, names in by_zones.items():
            if not zones & pool_zones:
                continue  # this pool never serves these pods: nothing to scale out for
            for zone in pool_zones - zones:
                missing[zone] += [(name, zones) for name in names]
        for zone_index, zone in enumerate(pool.zones):
            if zone not in missing:
                continue
            pns = missing.pop(zone)
            shown = ", ".join(f"`{name}` (vSwitches in {', '.join(sorted(z))})" for name, z in pns[:3])
            more = f" and {len(pns) - 3} more" if len(pns) > 3 else ""
            yield Finding("ASZ001", "warning", config_path("cluster", "nodePools", index, "zones", zone_index),
                          f"autoscaling node pool `{pool.name}` can add nodes in zone {zone}, where PodNetworking "
                          f"{shown}{more} has no vSwitch: a scale-out for those pods can land in {zone} and not help "
                          f"them (ACK guide note on vSwitchOptions and node autoscaling); add a vSwitch in {zone} to the "
                          f"PodNetworking or give the pool only covered zones")


RULES = (
    autoscaling_zones,
)
