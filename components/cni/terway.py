"""Terway Trunk ENI: terway-eniip with trunking and terway-controlplane, pod vSwitches per zone."""

from __future__ import annotations

import pulumi

from ackstack_core import constants as C
from components.plan import NetworkPlan
from components.terway import controlplane_config, terway_trunk_addons


def terway_addons(plan: NetworkPlan) -> list[dict]:
    """The trunk add-ons for the stack's `cni` settings (`terway_trunk_addons` holds the facts)."""
    cni = plan.config.cni
    return [dict(a) for a in terway_trunk_addons(
        version=cni.version, controlplane_version=cni.controlplane_version, ipvlan=cni.ipvlan,
        network_policy=cni.network_policy, trunking=cni.trunking,
        custom_stateful_workload_kinds=cni.custom_stateful_workload_kinds)]


def terway_controlplane_config(plan: NetworkPlan) -> str | None:
    return controlplane_config(plan.config.cni.custom_stateful_workload_kinds)


class TerwayTrunk:
    mode = "terway-trunk"

    def cluster_args(self, plan: NetworkPlan, network) -> dict:
        zones = plan.node_zones
        pod_vswitches = sorted((v for v in plan.by_role("pod") if v.zone_id in zones), key=lambda v: v.key)
        return {"pod_vswitch_ids": [network.vswitch(v.key) for v in pod_vswitches]}

    def addons(self, plan: NetworkPlan) -> list[dict]:
        return terway_addons(plan)

    def install(self, plan: NetworkPlan, network, cluster) -> list[pulumi.Resource]:
        """A `TerwayTrunk` on the cluster, through its Kubernetes provider, after terway-controlplane."""
        return [terway_trunk(plan, network, cluster)]


def terway_trunk(plan: NetworkPlan, network, cluster) -> pulumi.Resource:
    """The in-cluster objects of a new or adopted cluster (both expose `provider` and `addons`)."""
    from components.stack_adapter import terway_trunk_args
    from components.terway import TerwayTrunk

    return TerwayTrunk(f"{plan.config.cluster.name}-terway", terway_trunk_args(plan, network),
                       opts=pulumi.ResourceOptions(parent=cluster, provider=cluster.provider,
                                                   depends_on=[cluster.addons[C.ADDON_TERWAY_CONTROLPLANE]]))
