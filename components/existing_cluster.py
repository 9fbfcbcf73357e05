"""`ackstack:cluster:ExistingTerwayCluster`: turn on Terway Trunk ENI in a cluster ackstack did not create.

The seed's "enable on an existing cluster" steps, as resources in dependency order:

1. `kube-system/eni-config`: `eni_conf` gets `enable_eni_trunking: true` (and, on managed clusters,
   `credential_path: /var/addon/token-config`), every other key unchanged (`ConfigMapPatch`).
2. The Terway DaemonSet rolls its pods: a pod-template annotation carries a hash of the new
   `eni_conf`, so the DaemonSet controller replaces pods node by node (instead of deleting them all).
3. `terway-controlplane` is installed as an ACK add-on.
4. Namespaces and PodNetworkings, as on a new cluster (a `TerwayTrunk` on this component).

`eni_conf` is a single string, so two keys cannot be patched on their own: the whole string is
re-sent. ackstack takes its current content from config (`cluster.existing.eniConf`) instead of
reading it live; see docs/terway.md for that trade-off.
"""

import hashlib
import json
from typing import Any, NotRequired, TypedDict

import pulumi
import pulumi_alicloud as alicloud
import pulumi_kubernetes as k8s

from ackstack_core import constants as C
from components.args_check import ArgsProblem, raise_for
from components.cluster import kubernetes_access
from components.validation.rules_twy import declared_managed_problem, eni_conf_problems


def current_eni_conf(raw: dict | str | None) -> dict:
    """The configured eni_conf as a mapping (JSON text or mapping; key order kept)."""
    if raw is None:
        return {}
    if isinstance(raw, dict):
        return dict(raw)
    value = json.loads(raw)
    if not isinstance(value, dict):
        raise ValueError("eni_conf must be a JSON object")
    return value


def merged_eni_conf(raw: dict | str | None, managed: bool, security_groups: list[str] | None = None) -> dict:
    """`eni_conf` with trunking on (and the managed-cluster credential path) and, when `cni.eniSecurityGroups`
    is given, Terway's `security_groups` list; nothing else changes."""
    conf = current_eni_conf(raw)
    conf[C.ENI_CONF_TRUNKING_KEY] = True
    if managed:
        conf[C.ENI_CONF_CREDENTIAL_PATH_KEY] = C.ENI_CONF_MANAGED_CREDENTIAL_PATH
    if security_groups:
        # sorted: Terway reads the groups as a set (GetSecurityGroups sorts the union, AliyunContainerService/terway
        # v1.17.5 types/daemon/config.go:84-91), so reordering cni.eniSecurityGroups must not roll every Terway pod
        conf[C.ENI_CONF_SECURITY_GROUPS_KEY] = sorted(security_groups)
    return conf


def eni_conf_text(conf: dict) -> str:
    """Indented JSON with sorted keys: YAML mapping order in the stack file is meaningless, so it must
    not rewrite the ConfigMap (and roll every Terway pod) when someone reorders `eniConf`."""
    return json.dumps(conf, indent=2, sort_keys=True) + "\n"


def eni_conf_hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:16]


class ExistingTerwayClusterArgs(TypedDict):
    """An ACK managed Pro cluster ackstack did not create, and what turning on Trunk ENI in it takes."""

    cluster_id: pulumi.Input[str]
    eni_conf: dict[str, Any]
    """The cluster's current `kube-system/eni-config` `eni_conf` (every key is kept; trunking is added)."""
    managed: NotRequired[bool]
    """A managed cluster (default): `credential_path` is added to eni_conf (TWY023 requires it)."""
    terway_daemonset: NotRequired[str]
    terway_version: NotRequired[str]
    """Upgrade terway-eniip to this version before trunking is turned on."""
    controlplane_version: NotRequired[str]
    controlplane_config: NotRequired[str]
    eni_security_group_ids: NotRequired[list[pulumi.Input[str]]]
    """Terway's `security_groups` in eni_conf (what ENIs and PodNetworkings without their own groups get)."""
    production: NotRequired[bool]
    """Protect the CNI add-ons (terway-eniip, terway-controlplane): deleting them is an outage."""


class ExistingTerwayCluster(pulumi.ComponentResource):
    """An adopted ACK cluster with Trunk ENI enabled; same surface as `AckProCluster` for in-cluster
    objects (`provider`, `addons`, `kubeconfig`, `cluster_id`): put a `TerwayTrunk` on it."""

    cluster_id: pulumi.Output[str]
    kubeconfig: pulumi.Output[str]

    def __init__(self, name: str, args: ExistingTerwayClusterArgs, opts: pulumi.ResourceOptions | None = None):
        raise_for("ExistingTerwayCluster", name, existing_cluster_args_problems(args))
        super().__init__("ackstack:cluster:ExistingTerwayCluster", name, None, opts)
        cluster_id = args["cluster_id"]
        managed = args.get("managed", True)
        production = bool(args.get("production", False))
        self.cluster_id = pulumi.Output.from_input(cluster_id)

        self.kubeconfig, self.provider = kubernetes_access(name, cluster_id, parent=self)
        k8s_opts = pulumi.ResourceOptions(parent=self, provider=self.provider)

        # The seed's precondition as a read: a cluster without the Secret fails the preview here, before
        # eni-config (which depends on this read) or anything else changes.
        self.network_token = k8s.core.v1.Secret.get(
            f"{name}-addon-network-token",
            f"{C.ADDON_NETWORK_TOKEN_NAMESPACE}/{C.ADDON_NETWORK_TOKEN_SECRET}",
            opts=k8s_opts,
        )
        before_eni_config: list[pulumi.Resource] = [self.network_token]
        self.addons: dict[str, alicloud.cs.KubernetesAddon] = {}
        if args.get("terway_version"):
            # The seed's step 2.4: terway-eniip is upgraded before trunking is turned on (TWY021 requires a
            # known version). Retained: uninstalling the cluster's CNI is never what removing this means.
            self.addons[C.ADDON_TERWAY_ENIIP] = alicloud.cs.KubernetesAddon(
                f"{name}-addon-{C.ADDON_TERWAY_ENIIP}",
                cluster_id=cluster_id,
                name=C.ADDON_TERWAY_ENIIP,
                version=args["terway_version"],
                # Losing the CNI is an outage: a production change that drops it is refused, not a plain delete.
                opts=pulumi.ResourceOptions(parent=self, depends_on=[self.network_token], retain_on_delete=True,
                                            protect=production),
            )
            before_eni_config.append(self.addons[C.ADDON_TERWAY_ENIIP])

        # Group ids may be outputs of groups created in the same program.
        groups = list(args.get("eni_security_group_ids") or [])
        eni_conf = dict(args["eni_conf"])
        text = pulumi.Output.all(*groups).apply(
            lambda ids: eni_conf_text(merged_eni_conf(eni_conf, managed, list(ids)))
        )
        # eni_conf's field is owned by ACK's add-on manager; force takes ownership of that one key.
        self.eni_config = k8s.core.v1.ConfigMapPatch(
            f"{name}-eni-config",
            metadata={
                "name": C.ENI_CONFIG_CONFIGMAP_NAME,
                "namespace": C.ENI_CONFIG_CONFIGMAP_NAMESPACE,
                "annotations": {C.PULUMI_PATCH_FORCE_ANNOTATION: "true"},
            },
            data={C.ENI_CONFIG_DATA_KEY: text},
            opts=pulumi.ResourceOptions.merge(
                k8s_opts, pulumi.ResourceOptions(retain_on_delete=True, depends_on=before_eni_config)
            ),
        )
        # Terway reads eni_conf at start; a changed template annotation rolls the DaemonSet under its
        # own update strategy (one node at a time by default) instead of deleting every pod at once.
        self.terway_rollout = k8s.apps.v1.DaemonSetPatch(
            f"{name}-terway-rollout",
            metadata={"name": args.get("terway_daemonset") or C.TERWAY_DAEMONSET_NAME,
                      "namespace": C.ENI_CONFIG_CONFIGMAP_NAMESPACE},
            spec={"template": {"metadata": {"annotations": {C.TERWAY_ROLL_ANNOTATION: text.apply(eni_conf_hash)}}}},
            opts=pulumi.ResourceOptions.merge(
                k8s_opts, pulumi.ResourceOptions(depends_on=[self.eni_config], retain_on_delete=True)
            ),
        )
        self.addons[C.ADDON_TERWAY_CONTROLPLANE] = alicloud.cs.KubernetesAddon(
            f"{name}-addon-{C.ADDON_TERWAY_CONTROLPLANE}",
            cluster_id=cluster_id,
            name=C.ADDON_TERWAY_CONTROLPLANE,
            version=args.get("controlplane_version"),
            config=args.get("controlplane_config"),
            # Retained like on new clusters (ADDONS_NEVER_UNINSTALLED): `pulumi destroy` of this stack must not
            # uninstall the controller that PodNetworking pods of the adopted cluster depend on.
            opts=pulumi.ResourceOptions(parent=self, depends_on=[self.terway_rollout],
                                        retain_on_delete=C.ADDON_TERWAY_CONTROLPLANE in C.ADDONS_NEVER_UNINSTALLED,
                                        protect=production and C.ADDON_TERWAY_CONTROLPLANE in C.ADDONS_NEVER_UNINSTALLED),
        )
        self.register_outputs({"clusterId": self.cluster_id, "kubeconfig": self.kubeconfig})


def existing_cluster_args_problems(args: ExistingTerwayClusterArgs) -> list[ArgsProblem]:
    """TWY023 and TWY024 (Terway's own eni_conf validation) on what the Args say."""
    problems: list[ArgsProblem] = []
    if problem := declared_managed_problem(args.get("managed", True)):
        problems.append(ArgsProblem("TWY023", "managed", problem))
    conf = args.get("eni_conf")
    if not isinstance(conf, dict):
        problems.append(ArgsProblem("CFG002", "eniConf", "eni_conf is the cluster's current eni_conf as a mapping"))
        return problems
    replaced = {C.ENI_CONF_SECURITY_GROUPS_KEY} if args.get("eni_security_group_ids") else set()
    for key, message in eni_conf_problems(conf, args.get("terway_version"), replaced):
        problems.append(ArgsProblem("TWY024", f"eniConf.{key}", message))
    return problems
