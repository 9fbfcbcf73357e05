"""`ackstack:cluster:AckProCluster`: one ACK managed Pro cluster, whichever CNI strategy it uses."""

from __future__ import annotations

import pulumi
import pulumi_alicloud as alicloud
import pulumi_kubernetes as k8s

from ackstack_core import constants as C
from components.cni import CniStrategy
from components.config import NodePoolConfig
from components.names import addon_resource_name
from components.network import Network
from components.plan import NetworkPlan


def kubernetes_access(
    name: str, cluster_id: pulumi.Input[str], parent: pulumi.Resource, cluster: pulumi.Resource | None = None
) -> tuple[pulumi.Output[str], k8s.Provider]:
    """The cluster's kubeconfig (a secret from birth, never a plain output) and a provider built on it.

    `cluster` (the one this program creates) is an explicit dependency: in a preview of a new stack the
    credential invoke's output is unknown and carries no dependency, so the real engine's plan had no edge
    from the provider to the cluster (seen with the real CLI: `dependencies: []`)."""
    credential = alicloud.cs.get_cluster_credential_output(cluster_id=cluster_id)
    kubeconfig = pulumi.Output.secret(credential.kube_config)
    provider = k8s.Provider(
        f"{name}-k8s", kubeconfig=kubeconfig, enable_server_side_apply=True,
        opts=pulumi.ResourceOptions(parent=parent, depends_on=[cluster] if cluster is not None else None),
    )
    return kubeconfig, provider


class AckProCluster(pulumi.ComponentResource):
    """ManagedKubernetes + node pools + a secret kubeconfig + a Kubernetes provider built from it.

    Add-ons are listed explicitly at creation (ACK's defaults differ by console, API and version),
    and node pools depend on the cluster only, never on in-cluster objects (BYOCNI nodes stay
    NotReady until the CNI runs; anything waiting on them from Kubernetes would deadlock).
    """

    cluster_id: pulumi.Output[str]
    api_server_intranet: pulumi.Output[str]
    kubeconfig: pulumi.Output[str]
    provider: k8s.Provider
    cluster: alicloud.cs.ManagedKubernetes
    addons: dict[str, alicloud.cs.KubernetesAddon]
    node_pools: dict[str, alicloud.cs.NodePool]

    def __init__(
        self,
        name: str,
        plan: NetworkPlan,
        network: Network,
        cni: CniStrategy,
        node_password: pulumi.Input[str] | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ):
        super().__init__("ackstack:cluster:AckProCluster", name, None, opts)
        config = plan.config
        spec = config.cluster
        env = config.environment
        tags = {**env.tags, "ackstack:environment": env.name}
        # Sorted by config name: the order of `vswitches` in config means nothing to ACK, so reordering the
        # config must not produce a diff (tests/components/test_reliability_urns.py).
        node_vswitches = sorted((v for v in plan.by_role("node") if v.zone_id in plan.node_zones), key=lambda v: v.key)

        logs = spec.control_plane_logs
        self.cluster = alicloud.cs.ManagedKubernetes(
            f"{name}",
            name=spec.name,
            cluster_spec=spec.cluster_spec,
            version=spec.kubernetes_version,
            vswitch_ids=[network.vswitch(v.key) for v in node_vswitches],
            service_cidr=spec.service_cidr,
            security_group_id=network.security_group(spec.security_group),
            deletion_protection=spec.deletion_protection,
            # Explicit, though the provider forwards only `true` (GetOk drops false; ACK's default then applies:
            # no public endpoint). load_balancer_spec is not sent: deprecated, no effect (provider schema :190).
            slb_internet_enabled=spec.api_server.public,
            enable_rrsa=spec.rrsa,
            control_plane_log_components=sorted(logs.components) if logs.enabled else None,
            control_plane_log_ttl=str(logs.ttl_days) if logs.enabled else None,
            control_plane_log_project=logs.project if logs.enabled else None,
            proxy_mode=spec.proxy_mode,
            encryption_provider_key=spec.secrets_encryption_kms_key_id,
            # The provider suppresses every key change while disable_encryption (read back from the cluster) is
            # true; saying false whenever a key is set makes adding a key after creation reach UpdateKMSEncryption.
            disable_encryption=False if spec.secrets_encryption_kms_key_id else None,
            addons=cni.addons(plan),
            tags=tags,
            **cni.cluster_args(plan, network),
            opts=pulumi.ResourceOptions(
                parent=self,
                protect=env.production,
                custom_timeouts=pulumi.CustomTimeouts(create=C.CLUSTER_CREATE_TIMEOUT, delete=C.CLUSTER_DELETE_TIMEOUT),
                # ACK reads `addons` only at creation; afterwards the KubernetesAddon resources below own
                # add-on config, so a config change reaches the cluster instead of being ignored by ACK.
                ignore_changes=["addons"],
                # Safe destroy: Terway leaves ENIs in pod / PodNetworking vSwitches and their security groups
                # for a while after the cluster is deleted. Depending on every vSwitch and group pods can use
                # (not only those passed as inputs) makes Pulumi delete them strictly after the cluster; their
                # custom delete timeouts then cover the ENI release (docs/operations.md "Destroy").
                depends_on=_pod_network_resources(plan, network),
            ),
        )
        self.cluster_id = self.cluster.id
        self.api_server_intranet = self.cluster.connections.apply(
            lambda conns: (conns[0].api_server_intranet if conns else "") or ""
        )

        self.addons = {
            addon["name"]: alicloud.cs.KubernetesAddon(
                addon_resource_name(name, addon["name"]),
                cluster_id=self.cluster.id,
                name=addon["name"],
                version=addon.get("version"),
                config=addon.get("config"),
                # Create adopts an add-on the cluster already runs (skip or upgrade, never a failure), so
                # these can own the config of add-ons ACK installed from `addons` at creation. Deleting the
                # resource uninstalls the add-on: skip that when the cluster goes anyway (deleted_with), and
                # never uninstall the CNI or CCM because an entry left the program (retain_on_delete).
                opts=pulumi.ResourceOptions(
                    parent=self,
                    deleted_with=self.cluster,
                    retain_on_delete=addon["name"] in C.ADDONS_NEVER_UNINSTALLED,
                ),
            )
            for addon in cni.addons(plan)
            if not addon.get("disabled")
        }

        self.node_pools = {
            pool.name: self._node_pool(name, plan, network, pool, node_password, tags) for pool in spec.node_pools
        }

        self.kubeconfig, self.provider = kubernetes_access(name, self.cluster.id, parent=self, cluster=self.cluster)
        self.register_outputs(
            {
                "clusterId": self.cluster_id,
                "apiServerIntranet": self.api_server_intranet,
                "kubeconfig": self.kubeconfig,
                "nodePoolIds": {k: v.node_pool_id for k, v in self.node_pools.items()},
            }
        )

    def _node_pool(self, name, plan: NetworkPlan, network: Network, pool: NodePoolConfig, password, tags):
        vswitches = sorted(plan.node_vswitches_in(pool.zones), key=lambda v: v.key)
        disk = pool.system_disk
        key_name = pool.key_name or plan.config.cluster.key_name
        scaling = (
            {"enable": True, "min_size": pool.min_size, "max_size": pool.max_size} if pool.autoscaling else None
        )
        return alicloud.cs.NodePool(
            f"{name}-np-{pool.name}",
            cluster_id=self.cluster.id,
            node_pool_name=pool.name,
            vswitch_ids=[network.vswitch(v.key) for v in vswitches],
            instance_types=list(pool.instance_types),
            desired_size=None if pool.autoscaling else str(pool.initial_size),
            scaling_config=scaling,
            labels=[{"key": k, "value": v} for k, v in sorted(pool.labels.items())],
            taints=[{"key": t.key, "value": t.value, "effect": t.effect}
                    for t in sorted(pool.taints, key=lambda t: (t.key, t.effect, t.value))],
            system_disk_category=disk.category,
            system_disk_size=disk.size_gb,
            system_disk_encrypted=disk.encrypted,
            system_disk_kms_key=disk.kms_key_id,
            management={"enable": pool.managed, "auto_repair": pool.auto_repair, "auto_upgrade": pool.auto_upgrade},
            kubelet_configuration={"max_pods": str(pool.max_pods)} if pool.max_pods else None,
            # securityGroupIds forces a new node pool (ForceNew, ackstack/engine/provider_model.field_change): sorted, so reordering the
            # config list never replaces the pool.
            security_group_ids=[network.security_group(ref) for ref in sorted(pool.security_groups)] or None,
            # One login method (key_name ConflictsWith password); CLU007 makes sure there is one.
            key_name=key_name,
            password=pulumi.Output.secret(password) if password is not None and key_name is None else None,
            image_type=pool.image_type,
            tags=tags,
            # Stateful (its nodes and their local data): protected in production like the cluster.
            opts=pulumi.ResourceOptions(parent=self, protect=plan.config.environment.production),
        )


def _pod_network_resources(plan: NetworkPlan, network: Network) -> list[pulumi.Resource]:
    """vSwitches (role pod / podnetworking) and security groups that Terway ENIs can occupy, created here."""
    if not plan.config.is_terway:
        return []
    roles = {v.key: v.role for v in plan.vswitches.values()}
    vswitches = [res for key, res in sorted(getattr(network, "vswitch_resources", {}).items())
                 if roles.get(key) in ("pod", "podnetworking")]
    groups = [res for _, res in sorted(getattr(network, "security_group_resources", {}).items())]
    return [*vswitches, *groups]
