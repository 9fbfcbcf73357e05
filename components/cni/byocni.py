"""BYOCNI: no built-in CNI (kube-flannel-ds disabled), optional VPC routes, then Cilium."""

from __future__ import annotations

import json

import pulumi

from components import constants as C
from components.plan import NetworkPlan


def ccm_config(plan: NetworkPlan) -> str:
    cni = plan.config.cni
    return json.dumps(
        {C.CCM_CONFIG_KEY_ENABLE_CLOUD_ROUTES: str(cni.cloud_routes).lower(),
         C.CCM_CONFIG_KEY_BACKEND_TYPE: cni.backend_type},
        sort_keys=True,
    )


def byocni_addons(plan: NetworkPlan) -> list[dict]:
    return [
        {"name": C.ADDON_FLANNEL, "disabled": True},
        {"name": C.ADDON_CCM, "config": ccm_config(plan)},
    ]


class ByocniCilium:
    mode = "byocni-cilium"

    def cluster_args(self, plan: NetworkPlan, network) -> dict:
        cni = plan.config.cni
        # Without these ACK assigns no PodCIDR to nodes and Cilium's Kubernetes IPAM waits forever.
        return {"pod_cidr": cni.pod_cidr, "node_cidr_mask": cni.node_cidr_mask}

    def addons(self, plan: NetworkPlan) -> list[dict]:
        return byocni_addons(plan)

    def install(self, plan: NetworkPlan, network, cluster) -> list[pulumi.Resource]:
        from components.cilium import Cilium

        return [Cilium(f"{plan.config.cluster.name}-cilium", plan, cluster,
                       opts=pulumi.ResourceOptions(parent=cluster, provider=cluster.provider))]
