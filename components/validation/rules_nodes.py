"""Node rules (NOD0xx): what keeps a node from joining an ACK cluster."""

from __future__ import annotations

from collections.abc import Iterator

from ackstack_core import constants as C
from components.plan import NetworkPlan
from components.validation.findings import Finding, config_path, rule


@rule("NOD001", "error", "Max pods per node is greater than 11",
      "ACK does not let a node with 11 or fewer pods per node join the cluster.",
      "ACK node pool docs (max pods per node > 11; unverified: page not found in the index)")
def max_pods_above_minimum(plan: NetworkPlan) -> Iterator[Finding]:
    floor = C.ACK_MIN_MAX_PODS_EXCLUSIVE
    config = plan.config
    for index, pool in enumerate(config.cluster.node_pools):
        if pool.max_pods is not None and pool.max_pods <= floor:
            yield Finding("NOD001", "error", config_path("cluster", "nodePools", index, "maxPods"),
                          f"node pool `{pool.name}` sets maxPods {pool.max_pods}; ACK requires more than {floor} "
                          f"pods per node for a node to join (unverified source)")
    if config.is_byocni and config.cni.max_pods_per_node <= floor:
        yield Finding("NOD001", "error", config_path("cni", "maxPodsPerNode"),
                      f"maxPodsPerNode {config.cni.max_pods_per_node}; ACK requires more than {floor} pods per node "
                      f"for a node to join (unverified source)")


RULES = (max_pods_above_minimum,)
