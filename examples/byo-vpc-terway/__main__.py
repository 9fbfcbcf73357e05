"""Bring your own VPC: plain pulumi-alicloud network resources, ackstack's components for the cluster and Terway.

Nothing here reads ackstack's stack file: each component takes its own Args (docs/components.md) and checks them
with ackstack's rules before it registers anything.
"""

import pulumi
import pulumi_alicloud as alicloud

from components.cluster import AckProCluster
from components.nodepool import NodePool
from components.terway import TerwayTrunk, terway_trunk_addons

config = pulumi.Config()
zone = config.require("zone")

vpc = alicloud.vpc.Network("team-a-vpc", vpc_name="team-a", cidr_block=config.require("vpcCidr"))
node_vswitch = alicloud.vpc.Switch("team-a-nodes", vpc_id=vpc.id, zone_id=zone, cidr_block=config.require("nodeCidr"),
                                   vswitch_name="team-a-nodes")
pod_vswitch = alicloud.vpc.Switch("team-a-pods", vpc_id=vpc.id, zone_id=zone, cidr_block=config.require("podCidr"),
                                  vswitch_name="team-a-pods")
group = alicloud.ecs.SecurityGroup("team-a-cluster", vpc_id=vpc.id, security_group_type="enterprise",
                                   security_group_name="team-a-cluster")

cluster = AckProCluster("team-a", {
    "cluster_name": "team-a",
    "cluster_spec": "ack.pro.small",
    "kubernetes_version": "1.34.1-aliyun.1",
    "vswitch_ids": [node_vswitch.id],
    "pod_vswitch_ids": [pod_vswitch.id],
    "service_cidr": "192.168.0.0/16",
    "security_group_id": group.id,
    "addons": terway_trunk_addons(),
    "deletion_protection": False,
}, opts=pulumi.ResourceOptions(depends_on=[pod_vswitch, group]))  # destroyed after the cluster (Terway ENIs)

pool = NodePool("team-a-general", {
    "cluster_id": cluster.cluster_id,
    "node_pool_name": "general",
    "vswitch_ids": [node_vswitch.id],
    "instance_types": ["ecs.g7.xlarge"],
    "system_disk": {"category": "cloud_essd", "size_gb": 120, "encrypted": True},
    "management": {"enabled": True, "auto_repair": True},
    "desired_size": 2,
    "key_name": config.require("keyName"),
}, opts=pulumi.ResourceOptions(parent=cluster))

TerwayTrunk("team-a-terway", {
    "namespaces": [{"name": "databases", "labels": {"network": "static-ip"}}],
    "pod_networkings": [{
        "name": "mysql",
        "allocation_type": {"type": "Fixed", "release_strategy": "TTL", "release_after": "1h"},
        "namespace_selector": {"match_labels": {"network": "static-ip"}},
        "pod_selector": {"match_labels": {"app": "mysql"}},
        "security_group_ids": [group.id],
        "vswitch_ids": [pod_vswitch.id],
    }],
}, opts=pulumi.ResourceOptions(parent=cluster, provider=cluster.provider,
                               depends_on=[cluster.addons["terway-controlplane"]]))

pulumi.export("clusterId", cluster.cluster_id)
pulumi.export("kubeconfig", cluster.kubeconfig)
pulumi.export("nodePoolId", pool.node_pool_id)
