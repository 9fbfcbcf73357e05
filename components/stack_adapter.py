"""The one adapter from the stack plan to the components' Args (the program's business, not the components').

Everything a component needs from `Pulumi.<stack>.yaml` (names, defaults, the rules ACK needs on the
cluster group, add-on lists, Cilium values) is computed here from a validated `NetworkPlan`; the
components take plain inputs and never read the plan.
"""

from __future__ import annotations

import pulumi

from ackstack_core import constants as C
from components.cilium import CiliumArgs
from components.cilium_values import cilium_values
from components.cluster import AckProClusterArgs, AddonArgs
from components.cluster_security import ack_required_rules
from components.config import NodePoolConfig
from components.existing_cluster import ExistingTerwayClusterArgs, current_eni_conf
from components.network import Network, NetworkArgs, SecurityGroupArgs, SecurityGroupRuleArgs, VSwitchArgs
from components.nodepool import NodePoolArgs
from components.plan import NetworkPlan
from components.podnetworking import podnetworking_args
from components.terway import NamespaceArgs, TerwayTrunkArgs


def environment_tags(plan: NetworkPlan) -> dict[str, str]:
    env = plan.config.environment
    return {**env.tags, C.OWN_TAG_ENVIRONMENT: env.name}


def network_args(plan: NetworkPlan) -> NetworkArgs:
    config = plan.config
    env, net = config.environment, config.network
    vswitches: list[VSwitchArgs] = []
    for vsw in net.vswitches:
        entry: VSwitchArgs = {"name": vsw.name, "role": vsw.role}
        if vsw.id:
            entry["id"] = vsw.id
        else:
            entry.update(cidr=vsw.cidr, zone_id=vsw.zone_id, vswitch_name=f"{env.name}-{vsw.name}")
        vswitches.append(entry)
    groups: list[SecurityGroupArgs] = []
    for sg in net.security_groups:
        if sg.id:
            groups.append({"name": sg.name, "id": sg.id})
            continue
        rules: list[SecurityGroupRuleArgs] = []
        for rule in sg.rules:
            rules.append({"name": rule.name, "direction": rule.direction, "protocol": rule.protocol,
                          "port_range": rule.port_range, "cidr": rule.cidr,
                          "description": rule.description or rule.name, "policy": rule.policy,
                          "priority": rule.priority})
        if sg.name == config.cluster.security_group:
            # The rules ACK needs and does not add to a group it is given (components/cluster_security.py).
            for required in ack_required_rules(plan, plan.security_groups[sg.name]):
                entry_rule: SecurityGroupRuleArgs = {
                    "name": required.name, "direction": required.direction, "protocol": required.protocol,
                    "port_range": required.port_range,
                    "description": f"{C.ACK_REQUIRED_RULE_DESCRIPTION_PREFIX}{required.why}"[:C.SG_RULE_DESCRIPTION_MAX]}
                if required.cidr is not None:
                    entry_rule["cidr"] = required.cidr
                rules.append(entry_rule)
        groups.append({"name": sg.name, "type": sg.type, "security_group_name": f"{env.name}-{sg.name}",
                       "description": sg.description or f"ackstack {sg.name} ({sg.type})", "rules": rules})
    args: NetworkArgs = {"vswitches": vswitches, "security_groups": groups, "tags": environment_tags(plan),
                         "protect": env.production}
    if net.vpc.id:
        args["vpc_id"] = net.vpc.id
        args["vpc_cidr"] = plan.vpc_cidr or ""
    else:
        args.update(vpc_cidr=net.vpc.cidr, vpc_name=net.vpc.name or f"{env.name}-ackstack")
    return args


def addon_args(addons: list[dict]) -> list[AddonArgs]:
    return [AddonArgs(**addon) for addon in addons]


def cluster_args(plan: NetworkPlan, network: Network, cni) -> AckProClusterArgs:
    spec = plan.config.cluster
    env = plan.config.environment
    # Sorted by config name: the order of `vswitches` in config means nothing to ACK, so reordering the
    # config must not produce a diff (tests/components/test_reliability_urns.py).
    node_vswitches = sorted((v for v in plan.by_role("node") if v.zone_id in plan.node_zones), key=lambda v: v.key)
    logs = spec.control_plane_logs
    args: AckProClusterArgs = {
        "cluster_name": spec.name,
        "cluster_spec": spec.cluster_spec,
        "kubernetes_version": spec.kubernetes_version,
        "vswitch_ids": [network.vswitch(v.key) for v in node_vswitches],
        "service_cidr": spec.service_cidr,
        "security_group_id": network.security_group(spec.security_group),
        "addons": addon_args(cni.addons(plan)),
        "deletion_protection": spec.deletion_protection,
        "api_server_public": spec.api_server.public,
        "rrsa": spec.rrsa,
        "tags": {**env.tags, "ackstack:environment": env.name},
        "production": env.production,
        **cni.cluster_args(plan, network),
    }
    if logs.enabled:
        args["control_plane_logs"] = {"components": list(logs.components), "ttl_days": logs.ttl_days,
                                      "project": logs.project}
    if spec.proxy_mode is not None:
        args["proxy_mode"] = spec.proxy_mode
    if spec.secrets_encryption_kms_key_id:
        args["secrets_encryption_kms_key_id"] = spec.secrets_encryption_kms_key_id
    return args


def pod_network_resources(plan: NetworkPlan, network: Network) -> list[pulumi.Resource]:
    """vSwitches (role pod / podnetworking) and security groups that Terway ENIs can occupy, created here:
    the cluster depends on them, so `pulumi destroy` deletes them after it (docs/operations.md "Destroy")."""
    if not plan.config.is_terway:
        return []
    roles = {v.key: v.role for v in plan.vswitches.values()}
    vswitches = [res for key, res in sorted(network.vswitch_resources.items())
                 if roles.get(key) in ("pod", "podnetworking")]
    groups = [res for _, res in sorted(network.security_group_resources.items())]
    return [*vswitches, *groups]


def node_pool_args(plan: NetworkPlan, network: Network, pool: NodePoolConfig, cluster_id: pulumi.Input[str],
                   password: pulumi.Input[str] | None) -> NodePoolArgs:
    spec = plan.config.cluster
    env = plan.config.environment
    vswitches = sorted(plan.node_vswitches_in(pool.zones), key=lambda v: v.key)
    disk = pool.system_disk
    key_name = pool.key_name or spec.key_name
    args: NodePoolArgs = {
        "cluster_id": cluster_id,
        "node_pool_name": pool.name,
        "vswitch_ids": [network.vswitch(v.key) for v in vswitches],
        "instance_types": list(pool.instance_types),
        "system_disk": {"category": disk.category, "size_gb": disk.size_gb, "encrypted": disk.encrypted},
        "management": {"enabled": pool.managed, "auto_repair": pool.auto_repair, "auto_upgrade": pool.auto_upgrade},
        "labels": dict(pool.labels),
        "taints": [{"key": t.key, "value": t.value, "effect": t.effect} for t in pool.taints],
        # securityGroupIds forces a new node pool: sorted by reference, so reordering the config never replaces it.
        "security_group_ids": [network.security_group(ref) for ref in sorted(pool.security_groups)],
        "tags": {**env.tags, "ackstack:environment": env.name},
        "protect": env.production,
    }
    if pool.autoscaling:
        args["scaling"] = {"min_size": pool.min_size, "max_size": pool.max_size}
    else:
        args["desired_size"] = pool.initial_size
    if disk.kms_key_id:
        args["system_disk"]["kms_key_id"] = disk.kms_key_id
    if pool.max_pods:
        args["max_pods"] = pool.max_pods
    if key_name:
        args["key_name"] = key_name
    if password is not None:
        args["password"] = password
    if pool.image_type is not None:
        args["image_type"] = pool.image_type
    return args


def terway_trunk_args(plan: NetworkPlan, network: Network) -> TerwayTrunkArgs:
    config = plan.config
    namespaces: list[NamespaceArgs] = [{"name": ns.name, "labels": dict(ns.labels), "create": ns.create}
                                       for ns in config.namespaces]
    return {
        "namespaces": namespaces,
        "pod_networkings": [podnetworking_args(entry, plan, vswitch=network.vswitch,
                                               security_group=network.security_group)
                            for entry in config.pod_networkings],
        "protect": config.environment.production,
        "max_security_groups_per_eni": config.capacity.max_security_groups_per_eni,
    }


def cilium_args(plan: NetworkPlan, api_server_intranet: pulumi.Input[str]) -> CiliumArgs:
    cilium = plan.config.cni.cilium
    args: CiliumArgs = {
        "chart_version": cilium.chart_version,
        "values": cilium_values(plan, None),
        "repository": cilium.repository,
        "overlay_accepted": cilium.accept_overlay and cilium.routing_mode != "native",
        "production": plan.config.environment.production,
    }
    if cilium.chart_path:
        args["chart_path"] = cilium.chart_path
    if cilium.kube_proxy_replacement:
        args["api_server_endpoint"] = api_server_intranet
    return args


def existing_cluster_args(plan: NetworkPlan, network: Network, controlplane_config: str | None,
                          ) -> ExistingTerwayClusterArgs:
    existing = plan.config.cluster.existing
    cni = plan.config.cni
    args: ExistingTerwayClusterArgs = {
        "cluster_id": existing.cluster_id,
        "eni_conf": current_eni_conf(existing.eni_conf),
        "managed": existing.managed,
        "terway_daemonset": existing.terway_daemonset,
        "eni_security_group_ids": [network.security_group(ref) for ref in getattr(cni, "eni_security_groups", [])],
        "production": plan.config.environment.production,
    }
    for key, value in (("terway_version", getattr(cni, "version", None)),
                       ("controlplane_version", getattr(cni, "controlplane_version", None)),
                       ("controlplane_config", controlplane_config)):
        if value:
            args[key] = value
    return args
