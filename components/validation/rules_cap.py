"""CAP: capacity: vSwitch IPs, ENI density, security-group members, node CIDRs, pods per node, routes (the model
is `components.capacity`, docs/capacity.md).
"""

from __future__ import annotations

from collections.abc import Iterator

from ackstack_core import constants as C
from components.capacity import VSwitchLoad, capacity_model
from components.plan import NetworkPlan
from components.validation.findings import Finding, config_path, rule


def _shares(shares, limit: int = 4) -> str:
    texts = [s.text() for s in shares]
    if len(texts) > limit:
        texts = texts[:limit] + [f"{len(shares) - limit} more pools"]
    return "; ".join(texts) or "no node pool"


def _usable_text(v: VSwitchLoad) -> str:
    own = f"{v.usable:,} usable IPs ({v.cidr} minus {C.VSWITCH_RESERVED_IPS} reserved)"
    if len(v.pool_members) > 1:
        others = ", ".join(f"`{k}`" for k in v.pool_members if k != v.key)
        return f"{own}, {v.pool_usable:,} together with {others}"
    return own


@rule("CAP001", "error", "vSwitch IPs cover the worst-case demand",
      "A vSwitch that runs out of addresses stops node scale-out (node vSwitches) or pod creation (pod and "
      "PodNetworking vSwitches) long after deployment; warning above capacity.vswitchUtilizationWarning.",
      "VPC CreateVSwitchCidrReservation (4 reserved IPv4 per vSwitch); ACK Manage pod capacity on nodes; "
      "docs/capacity.md")
def vswitch_capacity(plan: NetworkPlan) -> Iterator[Finding]:
    threshold = plan.config.capacity.vswitch_utilization_warning
    for v in capacity_model(plan).vswitches:
        util = v.utilization
        if util is None or util <= threshold:
            continue
        level = "error" if util > 1 else "warning"
        limit = "100%" if util > 1 else f"the {threshold:.0%} warning threshold (capacity.vswitchUtilizationWarning)"
        users = ""
        if v.podnetworkings:
            names = ", ".join(f"`{n}`" for n in v.podnetworkings[:3])
            more = f" and {len(v.podnetworkings) - 3} more" if len(v.podnetworkings) > 3 else ""
            users = f" (PodNetworkings {names}{more})"
        yield Finding("CAP001", level, v.path,
                      f"{v.role} vSwitch `{v.key}`{users} in {v.zone} has {_usable_text(v)} but worst-case demand "
                      f"is {v.demand:,} ({_shares(v.shares)}): {util:.1%} utilisation exceeds {limit}; "
                      f"use a larger CIDR, add a vSwitch in {v.zone}, or lower maxSize")


@rule("CAP002", "warning", "Pod density is known for every instance type and covers maxPods",
      "Terway's pods per node follow from the instance type's ENIs; an unknown type leaves the IP and "
      "security-group demand of its pool uncounted, and maxPods above the ENI density only adds hostNetwork pods.",
      "ACK Manage pod capacity on nodes ((EniQuantity - 1) x IPs per ENI; EniTotalQuantity - EniQuantity)")
def pod_density(plan: NetworkPlan) -> Iterator[Finding]:
    if not plan.config.is_terway:
        return
    trunking = plan.config.cni.trunking

    def pods(facts) -> tuple[int, int]:  # (shared-ENI pods, trunk member ENIs) per node
        return C.shared_eni_pods_per_node(facts), C.trunk_pods_per_node(facts) if trunking else 0

    for index, pool in enumerate(plan.config.cluster.node_pools):
        for type_index, name in enumerate(pool.instance_types):
            if name not in plan.instance_types:
                yield Finding("CAP002", "warning", config_path("cluster", "nodePools", index, "instanceTypes", type_index),
                              f"instance type `{name}` of node pool `{pool.name}` is not in ackstack's instance table, "
                              f"so its pod density and IP demand are unknown; add it under capacity.instanceTypes "
                              f"(eniQuantity, eniTotalQuantity, ipv4PerEni, trunkSupported from "
                              f"`aliyun ecs DescribeInstanceTypes`)")
        if pool.max_pods is None:
            continue
        known = [(t, plan.instance_types[t]) for t in pool.instance_types if t in plan.instance_types]
        if not known:
            continue
        name, facts = min(known, key=lambda item: sum(pods(item[1])))
        shared, trunk = pods(facts)
        if pool.max_pods > shared + trunk:
            yield Finding("CAP002", "warning", config_path("cluster", "nodePools", index, "maxPods"),
                          f"node pool `{pool.name}` sets maxPods {pool.max_pods} but instance type `{name}` gives at "
                          f"most {shared + trunk} pods with an ENI IP per node ({shared} shared-ENI + {trunk} trunk "
                          f"member ENIs); the other {pool.max_pods - shared - trunk} slots can only run hostNetwork pods")


@rule("CAP003", "error", "Security groups hold every ENI / private IP placed in them",
      "A full security group makes ECS refuse new nodes and Terway refuse new ENIs; a basic group in a VPC holds "
      "6,000 private IPs (every IP of every ENI), an enterprise group 65,536 ENIs.",
      "ECS Basic and advanced security groups (private IP capacity; quota q_vpc-normal-security-group-ip-count)")
def security_group_capacity(plan: NetworkPlan) -> Iterator[Finding]:
    for g in capacity_model(plan).groups:
        if g.members <= g.capacity:
            continue
        advice = ("use an enterprise (advanced) security group (type: enterprise, 65,536 ENIs) or split the "
                  "nodes and PodNetworkings over several groups" if g.type == "basic"
                  else "split the nodes and PodNetworkings over several enterprise groups")
        yield Finding("CAP003", "error", g.path,
                      f"{g.type} security group `{g.key}` holds {g.capacity:,} {g.unit} but worst-case membership is "
                      f"{g.members:,} {g.unit} ({_shares(g.shares)}); {advice}")


@rule("CAP004", "error", "The BYOCNI pod CIDR has a node CIDR for every node",
      "Each node gets a /nodeCidrMask block of the pod CIDR; when they run out, new nodes get no PodCIDR and "
      "stay NotReady.",
      "CreateCluster container_cidr / node_cidr_mask; ACK guide byocni-custom-cni (PodCIDR per node)")
def pod_cidr_nodes(plan: NetworkPlan) -> Iterator[Finding]:
    pc = capacity_model(plan).pod_cidr
    if pc is None or pc.nodes_needed <= pc.nodes_capacity:
        return
    yield Finding("CAP004", "error", config_path("cni", "podCidr"),
                  f"pod CIDR {pc.cidr} holds 2^({pc.node_mask} - {pc.cidr.split('/')[1]}) = {pc.nodes_capacity:,} "
                  f"node CIDRs of /{pc.node_mask}, but the node pools' maxSize adds up to {pc.nodes_needed:,} nodes; "
                  f"use a larger pod CIDR or a longer cni.nodeCidrMask (fewer pods per node)")


@rule("CAP005", "error", "The node CIDR mask leaves an IP for every pod",
      "A node's pods take addresses from its /nodeCidrMask block; max pods above that leaves pods without IPs.",
      "Cilium host-scope IPAM (pkg/ipam/hostscope.go, ipallocator; router and health IPs), v1.19.6/v1.20.0: "
      "2^(32 - mask) - 4 (/24 -> 252)")
def pod_ips_per_node(plan: NetworkPlan) -> Iterator[Finding]:
    capacity = capacity_model(plan).pod_cidr
    if capacity is None:  # Terway: no node CIDRs
        return
    cni = plan.config.cni
    limit = capacity.ips_per_node
    mask = cni.node_cidr_mask
    if cni.max_pods_per_node > limit:
        yield Finding("CAP005", "error", config_path("cni", "maxPodsPerNode"),
                      f"maxPodsPerNode {cni.max_pods_per_node} exceeds the {limit} pod IPs of a /{mask} node CIDR "
                      f"(2^(32 - {mask}) - {C.CILIUM_NODE_CIDR_RESERVED_IPS}: network, broadcast, Cilium's router and health "
                      "IPs); lower it or use a shorter nodeCidrMask")
    for index, pool in enumerate(plan.config.cluster.node_pools):
        if pool.max_pods is not None and pool.max_pods > limit:
            yield Finding("CAP005", "error", config_path("cluster", "nodePools", index, "maxPods"),
                          f"node pool `{pool.name}` maxPods {pool.max_pods} exceeds the {limit} pod IPs of a /{mask} "
                          f"node CIDR (2^(32 - {mask}) - {C.CILIUM_NODE_CIDR_RESERVED_IPS})")


@rule("CAP006", "error", "The VPC route table has room for a route per node",
      "With cloud routes, cloud-controller-manager adds one custom route per node; past the quota new nodes "
      "get no route and their pods are unreachable.",
      "VPC CreateRouteEntries (200 custom routes per route table); ACK guide byocni-custom-cni (EnableCloudRoutes)")
def route_table_quota(plan: NetworkPlan) -> Iterator[Finding]:
    rt = capacity_model(plan).routes
    if rt is None or rt.failing_route is None:
        return
    where = (f"node {rt.failing_node}'s route (route {rt.failing_route}) fails" if rt.failing_node
             else f"the {rt.other_routes} other routes alone exceed it")
    yield Finding("CAP006", "error", config_path("capacity", "routeTableQuota"),
                  f"cloud routes need {rt.needed} custom routes ({rt.nodes} nodes at maxSize + {rt.other_routes} "
                  f"cni.otherCustomRoutes) but the route table quota is {rt.quota} (capacity.routeTableQuota): "
                  f"{where}; lower maxSize, or raise the quota in Quota Center and set capacity.routeTableQuota")


RULES = (
    vswitch_capacity,
    pod_density,
    security_group_capacity,
    pod_cidr_nodes,
    pod_ips_per_node,
    route_table_quota,
)
