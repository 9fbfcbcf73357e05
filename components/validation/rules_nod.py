"""NOD: node pools: pods per node as ACK admits a node."""

from __future__ import annotations

from collections.abc import Iterator

from ackstack_core import constants as C
from components.plan import NetworkPlan
from components.validation.findings import Finding, config_path, rule


@rule("NOD001", "error", "Max pods per node is greater than 11",
      "ACK lets a node join only if its maximum pods per node is greater than 11; under Terway that maximum is "
      "(EniQuantity - 1) x private IPs per ENI of the instance type.",
      "ACK docs: Manage pod capacity on nodes, Terway table (" + C.ACK_MIN_MAX_PODS_DOC + ")")
def max_pods_above_minimum(plan: NetworkPlan) -> Iterator[Finding]:
    floor = C.ACK_MIN_MAX_PODS_EXCLUSIVE
    config = plan.config
    for index, pool in enumerate(config.cluster.node_pools):
        if problem := max_pods_problem(pool.name, pool.max_pods):
            yield Finding("NOD001", "error", config_path("cluster", "nodePools", index, "maxPods"), problem)
        if not config.is_terway:
            continue
        for type_index, name in enumerate(pool.instance_types):
            facts = plan.instance_types.get(name)
            pods = C.shared_eni_pods_per_node(facts) if facts is not None else None
            if pods is not None and pods <= floor:
                yield Finding("NOD001", "error",
                              config_path("cluster", "nodePools", index, "instanceTypes", type_index),
                              f"instance type `{name}` of node pool `{pool.name}` gives Terway {pods} pods per node "
                              f"((EniQuantity {facts.eni_quantity} - 1) x {facts.ipv4_per_eni} IPs per ENI); ACK "
                              f"requires more than {floor} for a node to join ({C.ACK_MIN_MAX_PODS_DOC})")
    if config.is_byocni and config.cni.max_pods_per_node <= floor:
        yield Finding("NOD001", "error", config_path("cni", "maxPodsPerNode"),
                      f"maxPodsPerNode {config.cni.max_pods_per_node}; ACK requires more than {floor} pods per node "
                      f"for a node to join ({C.ACK_MIN_MAX_PODS_DOC})")


def max_pods_problem(pool: str, max_pods: int | None) -> str | None:
    """NOD001 on a pool's maxPods (also the `NodePool` component's entry point)."""
    floor = C.ACK_MIN_MAX_PODS_EXCLUSIVE
    if max_pods is not None and max_pods <= floor:
        return (f"node pool `{pool}` sets maxPods {max_pods}; ACK requires more than {floor} "
                f"pods per node for a node to join ({C.ACK_MIN_MAX_PODS_DOC})")
    return None


RULES = (
    max_pods_above_minimum,
)
