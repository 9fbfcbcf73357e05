"""Deploy-time model for bench_critical_path.py: creation times and TRUE data dependencies per type.

Creation times: `ackstack_core.constants.TYPICAL_CREATE_SECONDS` (each figure with its source there).
Component resources (`custom == False`) take 0 s. A custom type missing from the table makes the bench fail.

How `pulumi up` serializes (what the PROGRAM graph contains):

- a resource waits for every resource in its `dependencies` (the SDK resolves property dependencies
  and `depends_on` URNs, which in `up` settle only once those resources are created);
- a resource waits for its explicit provider (the provider reference needs the provider's id);
- a resource waits for its parent's URN: for a custom parent that is the parent's creation, for a
  component parent only the component's registration (0 s), never the component's children;
- components have no duration.

What each type TRULY needs (the LOWER-BOUND graph), `TRUE_NEEDS[type] = [(predecessor type, how)]`:

- how = "ref": the predecessor's id appears among this resource's input values (data dependency);
- how = "provider": the predecessor is this resource's explicit provider;
- how = "dep": the predecessor is among this resource's recorded dependencies (used where the data
  flows through an invoke, e.g. kubeconfig from `get_cluster_credential(cluster.id)`);
- how = "stack": every resource of that type in the stack matching `name` (one cluster per stack:
  e.g. the terway-controlplane add-on that serves the PodNetworking CRD and webhook).

Program edges that are not in the lower-bound graph are "extra" edges. The bench fails when the
program's critical path is longer than the lower bound, naming the extra edges on it.
"""

from __future__ import annotations

from ackstack_core import constants as C
from ackstack_core.constants import TYPICAL_CREATE_SECONDS

VPC = "alicloud:vpc/network:Network"
VSWITCH = "alicloud:vpc/switch:Switch"
SG = "alicloud:ecs/securityGroup:SecurityGroup"
SG_RULE = "alicloud:ecs/securityGroupRule:SecurityGroupRule"
CLUSTER = "alicloud:cs/managedKubernetes:ManagedKubernetes"
NODE_POOL = "alicloud:cs/nodePool:NodePool"
ADDON = "alicloud:cs/kubernetesAddon:KubernetesAddon"
K8S_PROVIDER = "pulumi:providers:kubernetes"
NAMESPACE = "kubernetes:core/v1:Namespace"
NAMESPACE_PATCH = "kubernetes:core/v1:NamespacePatch"
CONFIGMAP_PATCH = "kubernetes:core/v1:ConfigMapPatch"
DAEMONSET_PATCH = "kubernetes:apps/v1:DaemonSetPatch"
PODNETWORKING = "kubernetes:network.alibabacloud.com/v1beta1:PodNetworking"
HELM_RELEASE = "kubernetes:helm.sh/v3:Release"

def create_seconds(type_: str, custom: bool) -> float | None:
    if not custom:
        return 0.0
    if type_ in TYPICAL_CREATE_SECONDS:
        return float(TYPICAL_CREATE_SECONDS[type_])
    return None


# What each resource type needs before it can be created (data dependencies), and how to find it.
TRUE_NEEDS: dict[str, list[tuple[str, str, dict]]] = {
    VPC: [],
    # CreateVSwitch takes VpcId.
    VSWITCH: [(VPC, "ref", {})],
    # CreateSecurityGroup takes VpcId.
    SG: [(VPC, "ref", {})],
    # AuthorizeSecurityGroup takes SecurityGroupId.
    SG_RULE: [(SG, "ref", {})],
    # CreateCluster takes its node vSwitches, pod vSwitches (Terway) and security group.
    CLUSTER: [(VSWITCH, "ref", {}), (SG, "ref", {})],
    # CreateClusterNodePool takes ClusterId, its vSwitches and (optional) security groups; NOT add-ons,
    # NOT in-cluster objects (BYOCNI nodes stay NotReady until the CNI runs).
    NODE_POOL: [(CLUSTER, "ref", {}), (VSWITCH, "ref", {}), (SG, "ref", {})],
    # InstallClusterAddons takes ClusterId.
    ADDON: [(CLUSTER, "ref", {})],
    # The kubeconfig comes from DescribeClusterUserKubeconfig(ClusterId) (an invoke on the cluster id).
    K8S_PROVIDER: [(CLUSTER, "dep", {})],
    # Objects written through the Kubernetes API need the provider (API endpoint + credential).
    NAMESPACE: [(K8S_PROVIDER, "provider", {})],
    NAMESPACE_PATCH: [(K8S_PROVIDER, "provider", {})],
    CONFIGMAP_PATCH: [(K8S_PROVIDER, "provider", {})],
    # Terway reads eni_conf at start: the rollout must follow the eni-config patch (seed order, step 2).
    DAEMONSET_PATCH: [(K8S_PROVIDER, "provider", {}), (CONFIGMAP_PATCH, "dep", {})],
    # PodNetworking: the API (provider), the CRD + webhooks served by terway-controlplane, and the
    # vSwitches / security groups named in its spec. NOT namespaces: the object is cluster-scoped and
    # its namespaceSelector is evaluated when pods are created, not when the PodNetworking is.
    PODNETWORKING: [(K8S_PROVIDER, "provider", {}), (ADDON, "stack", {"name": C.ADDON_TERWAY_CONTROLPLANE}),
                    (VSWITCH, "ref", {}), (SG, "ref", {})],
    # Cilium from its Helm chart: the API (provider) only -- NOT node pools (skip_await; nodes join
    # NotReady and become Ready when the agent runs).
    HELM_RELEASE: [(K8S_PROVIDER, "provider", {})],
}

# Adopted-cluster path (existing stack): add-ons take ClusterId from config (not a resource), and the
# seed orders "install terway-controlplane" after the Terway rollout (step 3 after step 2).
TRUE_NEEDS_ADDON_EXTRA: list[tuple[str, str, dict]] = [(DAEMONSET_PATCH, "dep", {})]
