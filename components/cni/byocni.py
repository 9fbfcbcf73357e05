"""BYOCNI: no built-in CNI (kube-flannel-ds disabled), optional VPC routes, then Cilium."""

from __future__ import annotations

import pulumi

from ackstack_core import constants as C
from ackstack_core.go_json import canonical_json_text, go_json
from components.plan import NetworkPlan


def ccm_config_needed(plan: NetworkPlan) -> bool:
    """Configure cloud-controller-manager only when the user departs from ACK's defaults.

    ACK installs cloud-controller-manager on every cluster with EnableCloudRoutes=false and
    BackendType=NodePort (seed parameter table). Listing it with exactly those defaults would add a
    `KubernetesAddon` that owns nothing but ACK's own defaults, so it is listed only for VPC-route
    mode or a non-default BackendType.
    """
    cni = plan.config.cni
    return cni.cloud_routes or cni.backend_type != C.CCM_BACKEND_TYPE_DEFAULT


def ccm_config(plan: NetworkPlan) -> str:
    """The add-on's JSON config; values are the strings "true"/"false", as in the seed."""
    cni = plan.config.cni
    return go_json(  # the compact form the provider reads back (and the seed's)
        {C.CCM_CONFIG_KEY_ENABLE_CLOUD_ROUTES: str(cni.cloud_routes).lower(),
         C.CCM_CONFIG_KEY_BACKEND_TYPE: cni.backend_type}
    )


def byocni_addons(plan: NetworkPlan) -> list[dict]:
    """Add-ons at creation: kube-flannel-ds disabled, CCM when configured, then the user's extras.

    User extras are passed through unchanged (BYO001/BYO002 reject flannel or Terway among them),
    so the rules check exactly the list ACK receives.
    """
    addons: list[dict] = [{"name": C.ADDON_FLANNEL, "disabled": True}]
    if ccm_config_needed(plan):
        addons.append({"name": C.ADDON_CCM, "config": ccm_config(plan)})
    for extra in plan.config.cni.addons:
        entry: dict = {"name": extra.name}
        if extra.config is not None:
            entry["config"] = canonical_json_text(extra.config)
        if extra.version is not None:
            entry["version"] = extra.version
        if extra.disabled:
            entry["disabled"] = True
        addons.append(entry)
    return addons


class ByocniCilium:
    mode = "byocni-cilium"

    def cluster_args(self, plan: NetworkPlan, network) -> dict:
        """`pod_cidr` is pulumi-alicloud's name for CreateCluster `container_cidr` (the seed's name).

        Without it and `node_cidr_mask` ACK assigns no PodCIDR to nodes and Cilium's Kubernetes
        IPAM waits forever.
        """
        cni = plan.config.cni
        return {"pod_cidr": cni.pod_cidr, "node_cidr_mask": cni.node_cidr_mask}

    def addons(self, plan: NetworkPlan) -> list[dict]:
        return byocni_addons(plan)

    def install(self, plan: NetworkPlan, network, cluster) -> list[pulumi.Resource]:
        """Cilium depends on the cluster and its Kubernetes provider only, never on node pools."""
        from components.cilium import Cilium
        from components.stack_adapter import cilium_args

        return [Cilium(f"{plan.config.cluster.name}-cilium", cilium_args(plan, cluster.api_server_intranet),
                       opts=pulumi.ResourceOptions(parent=cluster, provider=cluster.provider))]
