"""Which config entry made a registered resource, so a policy finding can name its config path.

Names come from components (components.names and the `<env>-vsw-<name>` / `<cluster>-np-<pool>` schemes);
a resource no config entry explains (providers, components, Helm internals) gets no path.
"""

from __future__ import annotations

from typing import Any

from ackstack_core import constants as C
from components.names import addon_resource_name, security_group_rule_name
from components.validation.findings import config_path

SECURITY_GROUP_RULE = "alicloud:ecs/securityGroupRule:SecurityGroupRule"
ADDON = "alicloud:cs/kubernetesAddon:KubernetesAddon"


def resource_paths(config: Any) -> dict[tuple[str, str], str]:
    """(type, logical name) -> config path, for a parsed StackConfig (empty when it did not parse)."""
    if config is None:
        return {}
    env = config.environment.name
    cluster = config.cluster.name
    paths: dict[tuple[str, str], str] = {
        ("alicloud:vpc/network:Network", f"{env}-vpc"): config_path("network", "vpc"),
        ("alicloud:cs/managedKubernetes:ManagedKubernetes", cluster): config_path("cluster"),
    }
    for index, vsw in enumerate(config.network.vswitches):
        paths[("alicloud:vpc/switch:Switch", f"{env}-vsw-{vsw.name}")] = config_path("network", "vswitches", index)
    for g_index, group in enumerate(config.network.security_groups):
        paths[("alicloud:ecs/securityGroup:SecurityGroup", f"{env}-sg-{group.name}")] = config_path(
            "network", "securityGroups", g_index)
        for r_index, sg_rule in enumerate(group.rules):
            paths[(SECURITY_GROUP_RULE,
                   security_group_rule_name(env, group.name, sg_rule.name))] = config_path(
                "network", "securityGroups", g_index, "rules", r_index)
    # The CNI mode decides the add-ons (Terway's, or the BYOCNI set); entries under cni.addons name their own.
    for addon in (C.ADDON_TERWAY_ENIIP, C.ADDON_TERWAY_CONTROLPLANE, C.ADDON_FLANNEL, C.ADDON_CCM):
        paths[(ADDON, addon_resource_name(cluster, addon))] = config_path("cni")
    for index, addon in enumerate(getattr(config.cni, "addons", [])):
        paths[(ADDON, addon_resource_name(cluster, addon.name))] = config_path("cni", "addons", index)
    for index, pool in enumerate(config.cluster.node_pools):
        paths[("alicloud:cs/nodePool:NodePool", f"{cluster}-np-{pool.name}")] = config_path(
            "cluster", "nodePools", index)
    for index, entry in enumerate(config.pod_networkings):
        paths[("kubernetes:network.alibabacloud.com/v1beta1:PodNetworking", entry.name)] = config_path(
            "podNetworkings", index)
    return paths


def entry_path(paths: dict[tuple[str, str], str], config: Any, kind: str, name: str) -> str:
    """The config entry behind one resource; the rules ackstack derives for ACK (`ack-*`) belong to their group."""
    found = paths.get((kind, name), "")
    if found or kind != SECURITY_GROUP_RULE or config is None:
        return found
    env = config.environment.name
    for index, group in enumerate(config.network.security_groups):
        if name.startswith(security_group_rule_name(env, group.name, f"{C.ACK_SG_RULE_PREFIX}-")):
            return config_path("network", "securityGroups", index)
    return ""
