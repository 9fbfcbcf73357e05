"""`ackstack:cluster:ExistingTerwayCluster`: turn on Terway Trunk ENI in a cluster ackstack did not create.

The seed's "enable on an existing cluster" steps, as resources in dependency order:

1. `kube-system/eni-config`: `eni_conf` gets `enable_eni_trunking: true` (and, on managed clusters,
   `credential_path: /var/addon/token-config`), every other key unchanged (`ConfigMapPatch`).
2. The Terway DaemonSet rolls its pods: a pod-template annotation carries a hash of the new
   `eni_conf`, so the DaemonSet controller replaces pods node by node (instead of deleting them all).
3. `terway-controlplane` is installed as an ACK add-on.
4. Namespaces and PodNetworkings, as on a new cluster.

`eni_conf` is a single string, so two keys cannot be patched on their own: the whole string is
re-sent. ackstack takes its current content from config (`cluster.existing.eniConf`) instead of
reading it live; see docs/terway.md for that trade-off.
"""

from __future__ import annotations

import hashlib
import json

import pulumi
import pulumi_alicloud as alicloud
import pulumi_kubernetes as k8s

from ackstack_core import constants as C
from components.cluster import kubernetes_access
from components.cni.terway import terway_controlplane_config
from components.plan import NetworkPlan


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


class ExistingTerwayCluster(pulumi.ComponentResource):
    """An adopted ACK cluster with Trunk ENI enabled; same surface as `AckProCluster` for in-cluster
    objects (`provider`, `addons`, `kubeconfig`, `cluster_id`)."""

    cluster_id: pulumi.Output[str]
    kubeconfig: pulumi.Output[str]
    provider: k8s.Provider
    addons: dict[str, alicloud.cs.KubernetesAddon]
    network_token: k8s.core.v1.Secret
    eni_config: k8s.core.v1.ConfigMapPatch
    terway_rollout: k8s.apps.v1.DaemonSetPatch

    def __init__(self, name: str, plan: NetworkPlan, network, opts: pulumi.ResourceOptions | None = None):
        super().__init__("ackstack:cluster:ExistingTerwayCluster", name, None, opts)
        config = plan.config
        existing = config.cluster.existing
        assert existing is not None, "ExistingTerwayCluster needs cluster.existing"
        self.cluster_id = pulumi.Output.from_input(existing.cluster_id)

        self.kubeconfig, self.provider = kubernetes_access(name, existing.cluster_id, parent=self)
        k8s_opts = pulumi.ResourceOptions(parent=self, provider=self.provider)

        # The seed's precondition as a read: a cluster without the Secret fails the preview here, before
        # eni-config (which depends on this read) or anything else changes.
        self.network_token = k8s.core.v1.Secret.get(
            f"{name}-addon-network-token",
            f"{C.ADDON_NETWORK_TOKEN_NAMESPACE}/{C.ADDON_NETWORK_TOKEN_SECRET}",
            opts=k8s_opts,
        )
        before_eni_config: list[pulumi.Resource] = [self.network_token]
        cni = config.cni
        self.addons: dict[str, alicloud.cs.KubernetesAddon] = {}
        if getattr(cni, "version", None):
            # The seed's step 2.4: terway-eniip is upgraded before trunking is turned on (TWY021 requires a
            # known version). Retained: uninstalling the cluster's CNI is never what removing this means.
            self.addons[C.ADDON_TERWAY_ENIIP] = alicloud.cs.KubernetesAddon(
                f"{name}-addon-{C.ADDON_TERWAY_ENIIP}",
                cluster_id=existing.cluster_id,
                name=C.ADDON_TERWAY_ENIIP,
                version=cni.version,
                opts=pulumi.ResourceOptions(parent=self, depends_on=[self.network_token], retain_on_delete=True,
                                            protect=config.environment.production),
            )
            before_eni_config.append(self.addons[C.ADDON_TERWAY_ENIIP])

        # cni.eniSecurityGroups reaches Terway through eni_conf `security_groups` (what ENIs and PodNetworkings
        # without their own groups get); ids may be outputs of groups ackstack creates.
        groups = [network.security_group(ref) for ref in getattr(config.cni, "eni_security_groups", [])]
        text = pulumi.Output.all(*groups).apply(
            lambda ids: eni_conf_text(merged_eni_conf(existing.eni_conf, existing.managed, list(ids)))
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
            metadata={"name": existing.terway_daemonset, "namespace": C.ENI_CONFIG_CONFIGMAP_NAMESPACE},
            spec={"template": {"metadata": {"annotations": {C.TERWAY_ROLL_ANNOTATION: text.apply(eni_conf_hash)}}}},
            opts=pulumi.ResourceOptions.merge(
                k8s_opts, pulumi.ResourceOptions(depends_on=[self.eni_config], retain_on_delete=True)
            ),
        )
        self.addons.update({
            C.ADDON_TERWAY_CONTROLPLANE: alicloud.cs.KubernetesAddon(
                f"{name}-addon-{C.ADDON_TERWAY_CONTROLPLANE}",
                cluster_id=existing.cluster_id,
                name=C.ADDON_TERWAY_CONTROLPLANE,
                version=getattr(cni, "controlplane_version", None),
                config=terway_controlplane_config(plan),
                # Retained like on new clusters (ADDONS_NEVER_UNINSTALLED): `pulumi destroy` of this stack must not
                # uninstall the controller that PodNetworking pods of the adopted cluster depend on.
                opts=pulumi.ResourceOptions(parent=self, depends_on=[self.terway_rollout],
                                            retain_on_delete=C.ADDON_TERWAY_CONTROLPLANE in C.ADDONS_NEVER_UNINSTALLED,
                                            protect=config.environment.production
                                            and C.ADDON_TERWAY_CONTROLPLANE in C.ADDONS_NEVER_UNINSTALLED),
            )
        })

        from components.terway import install_terway_objects

        self.objects = install_terway_objects(plan, network, self)
        self.register_outputs({"clusterId": self.cluster_id, "kubeconfig": self.kubeconfig})
