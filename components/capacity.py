"""One worst-case capacity model, shared by the CAPxxx rules and the preview's capacity table.

Why one model: a rule that says "vSwitch pod-h overflows" and a table that shows pod-h at 60 % would
be worse than no check at all, so both read the figures computed here, once per plan.

Worst case, stated once (docs/capacity.md has the long form):

* Every node pool is at `maxSize`.
* A node pool spread over N zones may put *all* its `maxSize` nodes in any one of them (ACK "Implement
  rapid elastic scaling across multiple zones": a multi-zone scaling group cannot tell which zone needs
  nodes, so scaled-out instances may concentrate in one zone). So a zone's demand is the full
  `maxSize` of every pool in that zone, never `maxSize / N`. Security groups are not per zone: there
  each node counts once.
* Every node is filled to its instance type's ENI density (the largest of the pool's instance types):
  shared ENIs hold (EniQuantity - 1) x IPv4-per-ENI addresses from the cluster pod vSwitches, trunk
  member ENIs (EniTotalQuantity - EniQuantity, one address each) come from PodNetworking vSwitches.
  `maxPods` does not lower this: ACK says it only changes how many hostNetwork pods fit.
* vSwitches of one zone that serve exactly the same consumers (all node vSwitches of a zone, all
  cluster pod vSwitches of a zone, PodNetworking vSwitches listed by the same PodNetworkings) pool
  their addresses: ESS and Terway move on to the next vSwitch when one is exhausted.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from ackstack_core import constants as C
from components import netmath
from components.plan import NetworkPlan
from components.podnetworking_reach import podnetworking_reach
from components.validation.findings import config_path

_ROLE_ORDER = {"node": 0, "pod": 1, "podnetworking": 2, "external": 3}


@dataclass(frozen=True)
class PoolDensity:
    """Per-node figures of one node pool (max over its known instance types)."""

    index: int
    name: str
    instance_types: tuple[str, ...]
    unknown_types: tuple[str, ...]
    zones: tuple[str, ...]
    max_size: int
    autoscaling: bool
    max_pods: int | None  # configured (pool, or cni.maxPodsPerNode under BYOCNI)
    shared: int | None = None  # shared-ENI pod IPs: (EniQuantity - 1) x IPv4 per ENI
    trunk: int | None = None  # trunk member ENIs: EniTotalQuantity - EniQuantity (0 without trunk support)
    exclusive: int | None = None  # exclusive ENIs = secondary ENIs: EniQuantity - 1
    pods_per_node: int | None = None
    mode: str = "unknown"


@dataclass(frozen=True)
class Share:
    """One node pool's contribution to a demand figure: `nodes` x `per_node`."""

    pool: str
    nodes: int
    per_node: int
    what: str

    def text(self) -> str:
        return f"{self.pool}: {self.nodes} nodes x {self.per_node} {self.what}"


@dataclass(frozen=True)
class VSwitchLoad:
    key: str
    role: str
    zone: str | None
    cidr: str | None
    id: str | None
    path: str
    usable: int | None
    pool_members: tuple[str, ...]  # vSwitches whose addresses this one pools with (itself included)
    pool_usable: int | None
    demand: int
    shares: tuple[Share, ...]
    podnetworkings: tuple[str, ...]
    unknown_pools: tuple[str, ...]  # pools whose density is unknown (their demand is missing)

    @property
    def utilization(self) -> float | None:
        if not self.pool_usable:
            return None
        return self.demand / self.pool_usable


@dataclass(frozen=True)
class GroupLoad:
    key: str
    id: str | None
    type: str
    unit: str  # "private IPs" (basic) or "ENIs" (enterprise)
    capacity: int
    members: int
    shares: tuple[Share, ...]
    path: str
    unknown_pools: tuple[str, ...]

    @property
    def utilization(self) -> float:
        return self.members / self.capacity


@dataclass(frozen=True)
class PodCidrCapacity:
    cidr: str
    node_mask: int
    nodes_capacity: int  # 2^(mask - prefix)
    nodes_needed: int  # sum of maxSize
    ips_per_node: int  # 2^(32 - mask) - 4: network, broadcast, Cilium's router and health IPs
    max_pods: int  # largest configured max pods per node


@dataclass(frozen=True)
class RouteCapacity:
    nodes: int
    other_routes: int
    quota: int

    @property
    def needed(self) -> int:
        return self.nodes + self.other_routes

    @property
    def failing_route(self) -> int | None:
        """The first route number that does not fit, or None."""
        return self.quota + 1 if self.needed > self.quota else None

    @property
    def failing_node(self) -> int | None:
        """The node whose route is the first that does not fit (None if it fits or other routes alone fail)."""
        if self.needed <= self.quota:
            return None
        node = self.quota + 1 - self.other_routes
        return node if node >= 1 else None


@dataclass
class CapacityModel:
    pools: list[PoolDensity]
    vswitches: list[VSwitchLoad]
    groups: list[GroupLoad]
    pod_cidr: PodCidrCapacity | None = None
    routes: RouteCapacity | None = None
    zone_nodes: dict[str, int] = field(default_factory=dict)


# ---------------------------------------------------------------- model
def capacity_model(plan: NetworkPlan) -> CapacityModel:
    """The model of `plan`, computed once and kept on the plan (rules and report share it)."""
    return plan.derived("_capacity_model", _build)


def _build(plan: NetworkPlan) -> CapacityModel:
    pools = [_pool_density(plan, index) for index in range(len(plan.config.cluster.node_pools))]
    zone_nodes: dict[str, int] = defaultdict(int)
    for pool in pools:
        for zone in dict.fromkeys(pool.zones):
            zone_nodes[zone] += pool.max_size
    pn_usage = _podnetworking_usage(plan)
    model = CapacityModel(pools, _vswitch_loads(plan, pools, pn_usage), _group_loads(plan, pools, pn_usage),
                          zone_nodes=dict(zone_nodes))
    cni = plan.config.cni
    if plan.config.is_byocni:
        mask = cni.node_cidr_mask
        max_pods = max([cni.max_pods_per_node, *(p.max_pods for p in pools)])  # a BYOCNI pool's is never None
        model.pod_cidr = PodCidrCapacity(cni.pod_cidr, mask, netmath.nodes_in_pod_cidr(cni.pod_cidr, mask),
                                         sum(p.max_size for p in pools),
                                         netmath.pod_ips_per_node(mask, C.CILIUM_NODE_CIDR_RESERVED_IPS), max_pods)
        if cni.cloud_routes:
            model.routes = RouteCapacity(sum(p.max_size for p in pools), cni.other_custom_routes,
                                         plan.config.capacity.route_table_quota)
    return model


def _pool_density(plan: NetworkPlan, index: int) -> PoolDensity:
    pool = plan.config.cluster.node_pools[index]
    known = [plan.instance_types[t] for t in pool.instance_types if t in plan.instance_types]
    unknown = tuple(t for t in pool.instance_types if t not in plan.instance_types)
    base = dict(index=index, name=pool.name, instance_types=tuple(pool.instance_types), unknown_types=unknown,
                zones=tuple(pool.zones), max_size=pool.max_size, autoscaling=pool.autoscaling)
    if plan.config.is_byocni:
        max_pods = pool.max_pods if pool.max_pods is not None else plan.config.cni.max_pods_per_node
        per_node = min(max_pods, netmath.pod_ips_per_node(plan.config.cni.node_cidr_mask, C.CILIUM_NODE_CIDR_RESERVED_IPS))
        return PoolDensity(**base, max_pods=max_pods, pods_per_node=per_node, mode="node pod CIDR")
    if not known:
        return PoolDensity(**base, max_pods=pool.max_pods)
    shared = max(C.shared_eni_pods_per_node(f) for f in known)
    trunk = max(C.trunk_pods_per_node(f) for f in known) if plan.config.cni.trunking else 0
    exclusive = max(C.exclusive_eni_pods_per_node(f) for f in known)
    return PoolDensity(**base, max_pods=pool.max_pods, shared=shared, trunk=trunk, exclusive=exclusive,
                       pods_per_node=shared + trunk, mode="shared ENI + trunk" if trunk else "shared ENI")


@dataclass
class _PnUsage:
    """Which PodNetworkings use which vSwitch / security group, and the zones they reach."""

    by_vswitch: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    by_group: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    # By PodNetworking index, for those whose pods get it (podnetworking_reach): the zones of its vSwitches, and
    # whether it takes exclusive ENIs (eniType ENI) rather than trunk member ENIs.
    zones: dict[int, frozenset[str]] = field(default_factory=dict)
    exclusive: dict[int, bool] = field(default_factory=dict)


def effective_vswitch_refs(plan: NetworkPlan, pn) -> list[str]:
    """A PodNetworking's vSwitchOptions, else the cluster pod vSwitches (eni-config), as Terway does."""
    return list(dict.fromkeys(pn.v_switch_options)) or [v.key for v in plan.by_role("pod")]


def _podnetworking_usage(plan: NetworkPlan) -> _PnUsage:
    usage = _PnUsage()
    if not plan.config.is_terway:
        return usage
    by_id = {v.id: v for v in plan.vswitches.values() if v.id}
    groups_by_id = {g.id: g for g in plan.security_groups.values() if g.id}
    default_groups = plan.eni_security_groups()
    pod_vswitches = [v.key for v in plan.by_role("pod")]
    for index, pn in enumerate(plan.config.pod_networkings):
        if not podnetworking_reach(pn, plan).applies:  # its pods keep the shared ENI: no member-ENI demand
            continue
        zones: set[str] = set()
        for ref in dict.fromkeys(pn.v_switch_options or pod_vswitches):
            fact = plan.vswitches.get(ref) or by_id.get(ref)
            if fact is None:
                continue
            usage.by_vswitch[fact.key].append(index)
            if fact.zone_id:
                zones.add(fact.zone_id)
        usage.zones[index] = frozenset(zones)
        usage.exclusive[index] = pn.eni_options is not None and pn.eni_options.eni_type == "ENI"
        for ref in dict.fromkeys(pn.security_group_ids or default_groups):
            group = plan.security_groups.get(ref) or groups_by_id.get(ref)
            if group is not None:
                usage.by_group[group.key].append(index)
    return usage


def _member_enis(pool: PoolDensity, exclusive_kinds: set[bool]) -> int | None:
    """Per-node member/exclusive ENIs available to PodNetworking pods of the given ENI kinds."""
    if pool.trunk is None:
        return None
    return (pool.trunk if False in exclusive_kinds else 0) + (pool.exclusive if True in exclusive_kinds else 0)


def _vswitch_loads(plan: NetworkPlan, pools: list[PoolDensity], usage: _PnUsage) -> list[VSwitchLoad]:
    terway = plan.config.is_terway
    pools_in_zone: dict[str, list[PoolDensity]] = defaultdict(list)
    for pool in pools:
        for zone in dict.fromkeys(pool.zones):
            pools_in_zone[zone].append(pool)
    names = plan.config.pod_networkings
    rows: list[tuple] = []
    for fact in plan.vswitches.values():
        pn_users = tuple(usage.by_vswitch.get(fact.key, ()))
        kinds = {usage.exclusive[i] for i in pn_users}
        shares: list[Share] = []
        unknown: list[str] = []
        for pool in pools_in_zone.get(fact.zone_id or "", []):
            if fact.role == "node":
                shares.append(Share(pool.name, pool.max_size, 1, "node IP"))
            if terway and fact.role == "pod":
                if pool.shared is None:
                    unknown.append(pool.name)
                elif pool.shared:
                    shares.append(Share(pool.name, pool.max_size, pool.shared, "shared-ENI pod IPs"))
            if terway and pn_users:
                members = _member_enis(pool, kinds)
                if members is None:
                    unknown.append(pool.name)
                elif members:
                    shares.append(Share(pool.name, pool.max_size, members, "member-ENI pod IPs"))
        usable = netmath.usable_vswitch_ips(fact.cidr, C.VSWITCH_RESERVED_IPS) if fact.cidr else None
        rows.append((fact, usable, tuple(shares), tuple(dict.fromkeys(unknown)),
                     tuple(names[i].name for i in pn_users), frozenset(pn_users)))

    # vSwitches of one zone and role serving the same PodNetworkings pool their addresses.
    pooled: dict[tuple, list[tuple]] = defaultdict(list)
    for row in rows:
        fact = row[0]
        role = "podnetworking" if fact.role == "external" else fact.role
        pooled[(fact.zone_id, role, row[5])].append(row)
    loads: list[VSwitchLoad] = []
    for members in pooled.values():
        keys = tuple(r[0].key for r in members)
        usable_all = [r[1] for r in members if r[1] is not None]
        pool_usable = sum(usable_all) if usable_all else None
        for fact, usable, shares, unknown, pn_names, _users in members:
            demand = sum(s.nodes * s.per_node for s in shares)
            loads.append(VSwitchLoad(fact.key, fact.role, fact.zone_id, fact.cidr, fact.id, _vswitch_path(fact),
                                     usable, keys, pool_usable if usable is not None else None, demand, shares,
                                     pn_names, unknown))
    loads.sort(key=lambda v: (v.zone or "", _ROLE_ORDER[v.role], v.key))
    return loads


def _vswitch_path(fact) -> str:
    if fact.role == "external":
        return fact.path
    return f"{fact.path}.cidr" if fact.id is None else f"{fact.path}.id"


def _group_loads(plan: NetworkPlan, pools: list[PoolDensity], usage: _PnUsage) -> list[GroupLoad]:
    config = plan.config
    terway = config.is_terway
    first_ref: dict[str, str] = {}

    def key_of(ref: str, path: str) -> str | None:
        group = plan.security_group(ref)
        if group is not None:
            first_ref.setdefault(group.key, path)
        return group.key if group else None

    node_groups: list[set[str]] = []
    for index, pool_cfg in enumerate(config.cluster.node_pools):
        keys: set[str] = set()
        if pool_cfg.security_groups:
            for i, ref in enumerate(pool_cfg.security_groups):
                keys.add(key_of(ref, config_path("cluster", "nodePools", index, "securityGroups", i)) or "")
        else:
            keys.add(key_of(config.cluster.security_group, config_path("cluster", "securityGroup")) or "")
        node_groups.append(keys)
    eni_groups: set[str] = set()
    if terway:
        explicit = getattr(config.cni, "eni_security_groups", [])
        for i, ref in enumerate(plan.eni_security_groups()):
            path = config_path("cni", "eniSecurityGroups", i) if explicit else config_path("cluster", "securityGroup")
            if (k := key_of(ref, path)) is not None:
                eni_groups.add(k)

    loads: list[GroupLoad] = []
    for group in plan.security_groups.values():
        basic = group.type == "basic"
        unit = "private IPs" if basic else "ENIs"
        capacity = C.BASIC_SG_PRIVATE_IP_CAPACITY if basic else C.ENTERPRISE_SG_PRIVATE_IP_CAPACITY
        pn_users = usage.by_group.get(group.key, [])
        pn_zones: set[str] = set()
        for i in pn_users:
            pn_zones |= usage.zones[i]
        kinds = {usage.exclusive[i] for i in pn_users}
        shares: list[Share] = []
        unknown: list[str] = []
        for pool, groups in zip(pools, node_groups, strict=True):
            if group.key in groups:
                shares.append(Share(pool.name, pool.max_size, 1, "primary ENIs" if not basic else "primary IPs"))
            if group.key in eni_groups:  # filled under Terway only
                if pool.exclusive is None:
                    unknown.append(pool.name)
                elif basic and pool.shared:
                    shares.append(Share(pool.name, pool.max_size, pool.shared, "shared-ENI IPs"))
                elif not basic and pool.exclusive:
                    shares.append(Share(pool.name, pool.max_size, pool.exclusive, "secondary ENIs"))
            if terway and pn_users and pn_zones.intersection(pool.zones):
                members = _member_enis(pool, kinds)
                if members is None:
                    unknown.append(pool.name)
                elif members:
                    shares.append(Share(pool.name, pool.max_size, members, "member ENIs"))
        path = f"{group.path}.type" if group.path else first_ref.get(group.key, "")
        loads.append(GroupLoad(group.key, group.id, group.type, unit, capacity,
                               sum(s.nodes * s.per_node for s in shares), tuple(shares), path,
                               tuple(dict.fromkeys(unknown))))
    return loads


# ---------------------------------------------------------------- report
# An adopted cluster's node pools are not part of the stack, so nothing here knows its nodes or pods.
DEMAND_UNKNOWN = ("demand unknown: the adopted cluster's node pools are not in this stack, so its nodes and pods "
                  "are not counted; a demand of 0 (0+?) means unknown, not free")


def capacity_report(plan: NetworkPlan) -> dict:
    """JSON-able capacity figures (the preview's `capacity` key)."""
    model = capacity_model(plan)
    report: dict = {
        "assumptions": "every node pool at maxSize; a multi-zone pool may place all its nodes in one zone; "
                       "nodes filled to their instance type's ENI density (see docs/capacity.md)",
        "zones": [_vswitch_row(v) for v in model.vswitches],
        "securityGroups": [
            {"name": g.key, "id": g.id, "type": g.type, "unit": g.unit, "capacity": g.capacity,
             "worstCaseMembers": g.members, "utilization": round(g.utilization, 4),
             "breakdown": [s.text() for s in g.shares], "unknownPools": list(g.unknown_pools)}
            for g in model.groups
        ],
        "nodePools": [
            {"name": p.name, "instanceTypes": list(p.instance_types), "maxSize": p.max_size,
             "podsPerNode": p.pods_per_node, "mode": p.mode, "sharedEniPods": p.shared,
             "trunkMemberEnis": p.trunk, "maxPods": p.max_pods, "unknownInstanceTypes": list(p.unknown_types)}
            for p in model.pools
        ],
        "podCidr": {},
        "routeTable": {},
    }
    if plan.config.cluster.existing is not None and not plan.config.cluster.node_pools:
        report["demandUnknown"] = DEMAND_UNKNOWN
    if model.pod_cidr is not None:
        pc = model.pod_cidr
        report["podCidr"] = {"cidr": pc.cidr, "nodeCidrMask": pc.node_mask, "nodesCapacity": pc.nodes_capacity,
                             "nodesNeeded": pc.nodes_needed, "podIpsPerNode": pc.ips_per_node,
                             "maxPodsPerNode": pc.max_pods}
    if model.routes is not None:
        rt = model.routes
        report["routeTable"] = {"routesNeeded": rt.needed, "nodeRoutes": rt.nodes, "otherRoutes": rt.other_routes,
                                "quota": rt.quota, "failingRoute": rt.failing_route, "failingNode": rt.failing_node}
    return report


def _vswitch_row(v: VSwitchLoad) -> dict:
    row = {"zone": v.zone, "vswitch": v.key, "id": v.id, "role": v.role, "cidr": v.cidr, "usableIps": v.usable,
           "worstCaseDemand": v.demand,
           "utilization": None if v.utilization is None else round(v.utilization, 4),
           "breakdown": [s.text() for s in v.shares], "unknownPools": list(v.unknown_pools)}
    if len(v.pool_members) > 1:
        row["pooledWith"] = [k for k in v.pool_members if k != v.key]
        row["pooledUsableIps"] = v.pool_usable
    if v.podnetworkings:
        row["podNetworkings"] = len(v.podnetworkings)
    return row


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value * 100:.1f}%"


def _num(value: int | None) -> str:
    return "-" if value is None else f"{value:,}"


def _table(headers: list[str], rows: list[list[str]], right: set[int]) -> list[str]:
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(headers)]

    def fmt(cells: list[str]) -> str:
        return "  ".join(c.rjust(w) if i in right else c.ljust(w) for i, (c, w) in enumerate(zip(cells, widths,
                                                                                                  strict=True)))

    return ["    " + fmt(headers).rstrip(), *("    " + fmt(r).rstrip() for r in rows)]


def render_capacity_text(report: dict) -> str:
    """Aligned text tables of a `capacity_report`."""
    lines = ["Capacity (worst case: every node pool at maxSize, all of a pool's nodes in any one of its zones, "
             "nodes at full ENI density)"]
    unknown = "+?" if report.get("demandUnknown") else ""
    if unknown:
        lines.append(f"  Note: {report['demandUnknown']}")
    if report.get("zones"):
        lines.append("  vSwitches:")
        rows = []
        for v in report["zones"]:
            usable = _num(v["usableIps"])
            if v.get("pooledWith"):
                usable += f" (pool {_num(v['pooledUsableIps'])})"
            demand = _num(v["worstCaseDemand"]) + ("+?" if v["unknownPools"] or unknown else "")
            rows.append([v["zone"] or "-", v["vswitch"], v["role"], v["cidr"] or "-", usable, demand,
                         _pct(v["utilization"])])
        lines += _table(["ZONE", "VSWITCH", "ROLE", "CIDR", "USABLE IPS", "WORST-CASE DEMAND", "UTIL"], rows,
                        {4, 5, 6})
    if report.get("securityGroups"):
        lines.append("  Security groups:")
        rows = [[g["name"], g["id"] or "(created)", g["type"], f"{_num(g['capacity'])} {g['unit']}",
                 _num(g["worstCaseMembers"]) + ("+?" if g["unknownPools"] or unknown else ""),
                 _pct(g["utilization"])]
                for g in report["securityGroups"]]
        lines += _table(["NAME", "ID", "TYPE", "CAPACITY", "WORST-CASE MEMBERS", "UTIL"], rows, {3, 4, 5})
    if report.get("nodePools"):
        lines.append("  Node pools:")
        rows = [[p["name"], ",".join(p["instanceTypes"]), str(p["maxSize"]),
                 "?" if p["podsPerNode"] is None else str(p["podsPerNode"]), p["mode"]]
                for p in report["nodePools"]]
        lines += _table(["NAME", "INSTANCE TYPES", "MAX SIZE", "PODS/NODE", "MODE"], rows, {2, 3})
    pc = report.get("podCidr")
    if pc:
        lines.append(f"  Pod CIDR {pc['cidr']} /{pc['nodeCidrMask']} per node: holds {_num(pc['nodesCapacity'])} "
                     f"nodes, node pools need {_num(pc['nodesNeeded'])}; {pc['podIpsPerNode']} pod IPs per node, "
                     f"max pods {pc['maxPodsPerNode']}")
    rt = report.get("routeTable")
    if rt:
        verdict = "fits" if rt["failingRoute"] is None else f"route {rt['failingRoute']} fails"
        lines.append(f"  Route table: {rt['routesNeeded']} custom routes needed ({rt['nodeRoutes']} node routes + "
                     f"{rt['otherRoutes']} other) vs quota {rt['quota']}: {verdict}")
    return "\n".join(lines)

