"""Terway Trunk ENI: terway-eniip with trunking and terway-controlplane, pod vSwitches per zone."""

from __future__ import annotations

import pulumi

from ackstack_core import constants as C
from ackstack_core.go_json import go_json
from components.plan import NetworkPlan


def terway_eniip_config(plan: NetworkPlan) -> str:
    """The add-on config ACK reads at creation: string values, as the console and API send them, in the
    compact form the provider reads back (no diff on the next run)."""
    cni = plan.config.cni
    return go_json(
        {
            C.TERWAY_CONFIG_KEY_IPVLAN: str(cni.ipvlan).lower(),
            C.TERWAY_CONFIG_KEY_NETWORK_POLICY: str(cni.network_policy).lower(),
            C.TERWAY_CONFIG_KEY_TRUNKING: str(cni.trunking).lower(),
        }
    )


def terway_addons(plan: NetworkPlan) -> list[dict]:
    cni = plan.config.cni
    eniip = {"name": C.ADDON_TERWAY_ENIIP, "config": terway_eniip_config(plan)}
    if cni.version:
        eniip["version"] = cni.version
    controlplane = {"name": C.ADDON_TERWAY_CONTROLPLANE}
    if cni.controlplane_version:
        controlplane["version"] = cni.controlplane_version
    config = terway_controlplane_config(plan)
    if config is not None:
        controlplane["config"] = config
    return [eniip, controlplane]


def terway_controlplane_config(plan: NetworkPlan) -> str | None:
    """terway-controlplane's add-on config, only when `cni.customStatefulWorkloadKinds` is set: the key is
    Terway's own config field (types/controlplane/config_default.go:69); that ACK's add-on config passes it
    through under that name is unverified (docs/terway.md)."""
    kinds = plan.config.cni.custom_stateful_workload_kinds
    if not kinds:
        return None
    return go_json({C.CONTROLPLANE_CUSTOM_STATEFUL_KINDS_KEY: list(kinds)})


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
