"""`ackstack:cluster:AckProCluster`: one ACK managed Pro cluster, whichever CNI strategy it uses."""

from typing import Any, NotRequired, TypedDict

import pulumi
import pulumi_alicloud as alicloud
import pulumi_kubernetes as k8s

from ackstack_core import constants as C
from ackstack_core.cluster_checks import cluster_spec_problem
from components.args_check import ArgsProblem, known, raise_for
from components.names import addon_resource_name
from components.validation.rules_clu import (
    control_plane_vswitch_count_problem,
    production_protection_problem,
)
from components.validation.rules_net import service_cidr_problems


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


class AddonArgs(TypedDict):
    """An add-on ACK installs at creation; afterwards a `KubernetesAddon` owns its version and config."""

    name: str
    version: NotRequired[str]
    config: NotRequired[str]
    """JSON text, in the compact form the provider reads back."""
    disabled: NotRequired[bool]
    """Listed as disabled at creation (e.g. kube-flannel-ds on BYOCNI); no `KubernetesAddon` is made for it."""


class ControlPlaneLogsArgs(TypedDict):
    components: list[str]
    ttl_days: NotRequired[int]
    project: NotRequired[str]


class AckProClusterArgs(TypedDict):
    """One ACK managed Pro cluster. Terway: `pod_vswitch_ids`; BYOCNI: `pod_cidr` and `node_cidr_mask`."""

    cluster_name: str
    cluster_spec: str
    kubernetes_version: str
    vswitch_ids: list[pulumi.Input[str]]
    """Control-plane (node) vSwitches, 1 to 5."""
    service_cidr: str
    security_group_id: pulumi.Input[str]
    addons: list[AddonArgs]
    pod_vswitch_ids: NotRequired[list[pulumi.Input[str]]]
    pod_cidr: NotRequired[str]
    node_cidr_mask: NotRequired[int]
    deletion_protection: NotRequired[bool]
    api_server_public: NotRequired[bool]
    rrsa: NotRequired[bool]
    control_plane_logs: NotRequired[ControlPlaneLogsArgs]
    proxy_mode: NotRequired[str]
    secrets_encryption_kms_key_id: NotRequired[str]
    tags: NotRequired[dict[str, str]]
    production: NotRequired[bool]
    """Protect the cluster (and require deletion protection, CLU005)."""


class AckProCluster(pulumi.ComponentResource):
    """ManagedKubernetes + its add-ons + a secret kubeconfig + a Kubernetes provider built from it.

    Add-ons are listed explicitly at creation (ACK's defaults differ by console, API and version). What the
    component depends on (`opts.depends_on`) the ManagedKubernetes depends on too: pass the vSwitches and
    security groups Terway ENIs can occupy, so `pulumi destroy` deletes them strictly after the cluster.
    Node pools are `NodePool` components (nodes never wait on in-cluster objects: BYOCNI nodes stay
    NotReady until the CNI runs).
    """

    cluster_id: pulumi.Output[str]
    api_server_intranet: pulumi.Output[str]
    kubeconfig: pulumi.Output[str]

    def __init__(self, name: str, args: AckProClusterArgs, opts: pulumi.ResourceOptions | None = None):
        raise_for("AckProCluster", name, cluster_args_problems(args))
        super().__init__("ackstack:cluster:AckProCluster", name, None, opts)
        production = bool(args.get("production", False))
        logs = args.get("control_plane_logs")
        addons = list(args["addons"])
        self.cluster = alicloud.cs.ManagedKubernetes(
            f"{name}",
            name=args["cluster_name"],
            cluster_spec=args["cluster_spec"],
            version=args["kubernetes_version"],
            vswitch_ids=list(args["vswitch_ids"]),
            service_cidr=args["service_cidr"],
            security_group_id=args["security_group_id"],
            deletion_protection=args.get("deletion_protection", True),
            # Explicit, though the provider forwards only `true` (GetOk drops false; ACK's default then applies:
            # no public endpoint). load_balancer_spec is not sent: deprecated, no effect (provider schema :190).
            slb_internet_enabled=args.get("api_server_public", False),
            enable_rrsa=args.get("rrsa", False),
            control_plane_log_components=sorted(logs["components"]) if logs else None,
            control_plane_log_ttl=str(logs.get("ttl_days")) if logs and logs.get("ttl_days") is not None else None,
            control_plane_log_project=logs.get("project") if logs else None,
            proxy_mode=args.get("proxy_mode"),
            encryption_provider_key=args.get("secrets_encryption_kms_key_id"),
            # The provider suppresses every key change while disable_encryption (read back from the cluster) is
            # true; saying false whenever a key is set makes adding a key after creation reach UpdateKMSEncryption.
            disable_encryption=False if args.get("secrets_encryption_kms_key_id") else None,
            addons=[dict(a) for a in addons],
            tags=dict(args.get("tags") or {}),
            pod_vswitch_ids=list(args["pod_vswitch_ids"]) if args.get("pod_vswitch_ids") is not None else None,
            pod_cidr=args.get("pod_cidr"),
            node_cidr_mask=args.get("node_cidr_mask"),
            opts=pulumi.ResourceOptions(
                parent=self,
                protect=production,
                custom_timeouts=pulumi.CustomTimeouts(create=C.CLUSTER_CREATE_TIMEOUT, delete=C.CLUSTER_DELETE_TIMEOUT),
                # ACK reads `addons` only at creation; afterwards the KubernetesAddon resources below own
                # add-on config, so a config change reaches the cluster instead of being ignored by ACK.
                ignore_changes=["addons"],
                # Safe destroy: Terway leaves ENIs in pod / PodNetworking vSwitches and their security groups
                # for a while after the cluster is deleted; depending on them makes Pulumi delete them strictly
                # after the cluster; their custom delete timeouts then cover the ENI release (docs/operations.md).
                depends_on=_depends_on(opts),
            ),
        )
        self.cluster_id = self.cluster.id
        self.api_server_intranet = self.cluster.connections.apply(
            lambda conns: (conns[0].api_server_intranet if conns else "") or ""
        )

        self.addons: dict[str, alicloud.cs.KubernetesAddon] = {
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
                    # Losing one is an outage: a production change that drops it is refused, not a plain delete.
                    protect=production and addon["name"] in C.ADDONS_NEVER_UNINSTALLED,
                ),
            )
            for addon in addons
            if not addon.get("disabled")
        }

        self.kubeconfig, self.provider = kubernetes_access(name, self.cluster.id, parent=self, cluster=self.cluster)
        self.register_outputs(
            {
                "clusterId": self.cluster_id,
                "apiServerIntranet": self.api_server_intranet,
                "kubeconfig": self.kubeconfig,
            }
        )


def _depends_on(opts: pulumi.ResourceOptions | None) -> list[Any]:
    """The component's own `depends_on` as a list (Resource, list, or none)."""
    wanted = opts.depends_on if opts is not None else None
    if wanted is None:
        return []
    return list(wanted) if isinstance(wanted, (list, tuple)) else [wanted]


def cluster_args_problems(args: AckProClusterArgs) -> list[ArgsProblem]:
    """CLU001, CLU005, CLU008, NET006 on what the Args say, and their shape (CFG002, as the stack file)."""
    problems: list[ArgsProblem] = []
    if problem := cluster_spec_problem(args.get("cluster_spec")):
        problems.append(ArgsProblem("CLU001", "clusterSpec", problem))
    if problem := production_protection_problem(bool(args.get("production")), args.get("deletion_protection", True)):
        problems.append(ArgsProblem("CLU005", "deletionProtection", problem))
    vswitch_ids = args.get("vswitch_ids")
    if known(vswitch_ids) and (problem := control_plane_vswitch_count_problem(len(vswitch_ids))):
        problems.append(ArgsProblem("CLU008", "vswitchIds", f"{len(vswitch_ids)} vSwitch id(s) given; {problem}"))
    service_cidr = args.get("service_cidr")
    if not known(service_cidr):
        problems.append(ArgsProblem("NET006", "serviceCidr",
                                    "serviceCidr is required (e.g. 192.168.0.0/16), it cannot change later"))
    else:
        for problem in service_cidr_problems(service_cidr, None, []):
            problems.append(ArgsProblem("NET006", "serviceCidr", problem))
    has_pod_vswitches = bool(args.get("pod_vswitch_ids"))
    if has_pod_vswitches == known(args.get("pod_cidr")):
        problems.append(ArgsProblem("CFG002", "podVswitchIds",
                                    "give pod_vswitch_ids (Terway) or pod_cidr with node_cidr_mask (BYOCNI), not both "
                                    "or neither"))
    for index, addon in enumerate(args.get("addons") or []):
        if not addon.get("name"):
            problems.append(ArgsProblem("CFG002", f"addons[{index}].name", "an add-on needs a name"))
    return problems
