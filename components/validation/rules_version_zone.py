"""VER001 (PodNetworking fields newer than the configured Terway) and ASZ001 (autoscaling pools in zones a
PodNetworking cannot serve)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from ackstack_core import constants as C
from components.capacity import effective_vswitch_refs
from components.plan import NetworkPlan
from components.validation.findings import Finding, config_path, rule


def parse_version(text: str) -> tuple[int, int, int]:
    """`v1.10.3` / `1.10.3` -> (1, 10, 3); the config pattern already guarantees three numbers."""
    major, minor, patch = text.lstrip("v").split(".")[:3]
    return int(major), int(minor), int(patch)


def _v(version: tuple[int, int, int]) -> str:
    return "v" + ".".join(str(p) for p in version)


@rule("VER001", "error", "PodNetworking fields are supported by the configured Terway version",
      "vSwitchSelectOptions and eniOptions are ignored or rejected by Terway before v1.11.0. Without cni.version "
      "ACK installs its current Terway, which supports both, so no finding.",
      "seed terway-trunk-eni-podnetworking (vSwitchSelectOptions, eniOptions: Terway v1.11.0 and later)")
def terway_version_gates(plan: NetworkPlan) -> Iterator[Finding]:
    config = plan.config
    if not config.is_terway:
        return
    # terway-eniip (cni.version) and terway-controlplane (cni.controlplaneVersion, which serves the
    # PodNetworking CRD) both have to understand the fields; an unset version is ACK's current one.
    configured = [(key, value, parse_version(value))
                  for key, value in (("cni.version", config.cni.version),
                                     ("cni.controlplaneVersion", config.cni.controlplane_version)) if value]
    if not configured:
        return
    gates = (("v_switch_select_options", "vSwitchSelectOptions", C.TERWAY_MIN_VERSION_VSWITCH_SELECT_OPTIONS),
             ("eni_options", "eniOptions", C.TERWAY_MIN_VERSION_ENI_OPTIONS))
    for index, pn in enumerate(config.pod_networkings):
        for attr, key, minimum in gates:
            if getattr(pn, attr) is None:
                continue
            old = [f"{name} is {value}" for name, value, parsed in configured if parsed < minimum]
            if old:
                yield Finding("VER001", "error", config_path("podNetworkings", index, key),
                              f"PodNetworking `{pn.name}` sets {key}, which needs Terway {_v(minimum)} or later, but "
                              f"{' and '.join(old)}; upgrade the Terway add-ons or drop {key}")


@rule("ASZ001", "warning", "Autoscaling node pools only span zones their PodNetworkings cover",
      "Terway pins a PodNetworking's pods to the zones of its vSwitchOptions; an autoscaling pool that also spans "
      "other zones can add nodes there that those pods cannot use, so the scale-out does not help them.",
      "seed terway-trunk-eni-podnetworking (vSwitchOptions note: zone constraint can block node pool scale-out); "
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
                          f"them (seed note on vSwitchOptions and node autoscaling); add a vSwitch in {zone} to the "
                          f"PodNetworking or give the pool only covered zones")


RULES = (terway_version_gates, autoscaling_zones)
