"""CLU: the cluster: an ACK managed Pro spec, its Kubernetes version, node-pool zones and logins, production
protection, control-plane vSwitches.
"""

from __future__ import annotations

from collections.abc import Iterator

from ackstack_core import constants as C
from ackstack_core.cluster_checks import cluster_spec_problem, kubernetes_version_problem
from ackstack_core.provider_schema import SCHEMA
from components.plan import NetworkPlan
from components.validation.findings import Finding, config_path, rule


@rule("CLU001", "error", "Cluster spec is an ACK managed Pro spec the provider accepts",
      "BYOCNI and terway-controlplane on managed clusters are Pro features; ack.standard has no SLA.",
      "ACK docs: Create an ACK managed cluster (cluster_spec); ACK guide byocni-custom-cni")
def managed_pro(plan: NetworkPlan) -> Iterator[Finding]:
    problem = cluster_spec_problem(plan.config.cluster.cluster_spec)
    if problem:
        yield Finding("CLU001", "error", config_path("cluster", "clusterSpec"), problem)


@rule("CLU002", "warning", "Kubernetes version is one ACK currently offers",
      "ACK rejects versions it no longer offers at creation time, after the VPC side exists.",
      "ACK docs: Kubernetes release notes / version support")
def known_version(plan: NetworkPlan) -> Iterator[Finding]:
    spec = plan.config.cluster
    problem = kubernetes_version_problem(spec.kubernetes_version) if spec.existing is None else None
    if problem:
        yield Finding("CLU002", "warning", config_path("cluster", "kubernetesVersion"), problem)


@rule("CLU003", "error", "Every node pool zone has a node vSwitch",
      "A node pool can only use vSwitches that exist; a zone without one leaves the pool unplaceable.",
      "ACK docs: Create a node pool (vSwitches)")
def node_pool_zones(plan: NetworkPlan) -> Iterator[Finding]:
    node_zones = {v.zone_id for v in plan.by_role("node")}
    for index, pool in enumerate(plan.config.cluster.node_pools):
        for zone_index, zone in enumerate(pool.zones):
            if zone not in node_zones:
                yield Finding("CLU003", "error", config_path("cluster", "nodePools", index, "zones", zone_index),
                              f"node pool `{pool.name}` uses zone {zone}, which has no vSwitch with role `node` "
                              f"(node vSwitch zones: {', '.join(sorted(z for z in node_zones if z)) or 'none'})")


@rule("CLU004", "warning", "The cluster has at least one node pool",
      "Without nodes nothing schedules, not even the CNI; usually a forgotten list.",
      "ackstack design")
def has_node_pools(plan: NetworkPlan) -> Iterator[Finding]:
    if plan.config.cluster.existing is None and not plan.config.cluster.node_pools:
        yield Finding("CLU004", "warning", config_path("cluster", "nodePools"),
                      "no node pools are configured; the cluster will have no nodes")


@rule("CLU005", "error", "Production clusters keep deletion protection on",
      "A replaced or deleted production cluster loses every workload; protection makes that deliberate.",
      "ACK docs: deletion_protection; ackstack docs/operations.md")
def production_protection(plan: NetworkPlan) -> Iterator[Finding]:
    config = plan.config
    if problem := production_protection_problem(config.environment.production, config.cluster.deletion_protection):
        yield Finding("CLU005", "error", config_path("cluster", "deletionProtection"), problem)


def production_protection_problem(production: bool, deletion_protection: bool) -> str | None:
    """CLU005 (also the `AckProCluster` component's entry point)."""
    if production and not deletion_protection:
        return ("deletionProtection is false in a production environment (environment.production: true); "
                "see docs/operations.md to lift protection deliberately")
    return None


@rule("CLU006", "warning", "Production API servers are not exposed to the internet",
      "A public API server endpoint widens the attack surface; use the intranet SLB and a bastion or VPN.",
      "ACK docs: Control public access to the API server")
def production_private_api(plan: NetworkPlan) -> Iterator[Finding]:
    config = plan.config
    if config.environment.production and config.cluster.api_server.public:
        yield Finding("CLU006", "warning", config_path("cluster", "apiServer", "public"),
                      "the API server gets a public endpoint in a production environment")


@rule("CLU007", "error", "Every node pool has a login method the provider accepts",
      "The provider needs key_name or password; managed node pools take only key_name. ACK refuses the pool "
      "at creation, after the cluster exists.",
      C.NODE_LOGIN_DOC)
def node_login(plan: NetworkPlan) -> Iterator[Finding]:
    spec = plan.config.cluster
    if spec.existing is not None:
        return
    for index, pool in enumerate(spec.node_pools):
        if problem := node_login_problem(pool.name, pool.key_name or spec.key_name, pool.managed,
                                         plan.node_password_set):
            yield Finding("CLU007", "error", config_path("cluster", "nodePools", index, "keyName"),
                          f"{problem}. Set nodePools[{index}].keyName or cluster.keyName to an ECS key pair of the "
                          f"region ({C.NODE_LOGIN_DOC})")


def node_login_problem(pool: str, key_name: str | None, managed: bool, password_set: bool) -> str | None:
    """CLU007 for one pool (also the `NodePool` component's entry point)."""
    if key_name or (not managed and password_set):
        return None
    why = ("managed node pools (managed: true) take only a key pair, not ackstack:nodePassword"
           if password_set else "neither a key pair nor ackstack:nodePassword is set")
    return f"node pool `{pool}` has no login method: {why}"


@rule("CLU008", "error", "The control plane gets 1 to 5 vSwitches",
      "ManagedKubernetes vswitch_ids (the node vSwitches of the node pools' zones) takes MinItems 1, MaxItems 5; "
      "the provider refuses the cluster otherwise.",
      "terraform-provider-alicloud resource_alicloud_cs_managed_kubernetes.go:90-101 (vswitch_ids)")
def control_plane_vswitches(plan: NetworkPlan) -> Iterator[Finding]:
    spec = plan.config.cluster
    if spec.existing is not None:
        return
    chosen = [v.key for v in plan.by_role("node") if v.zone_id in plan.node_zones]
    if problem := control_plane_vswitch_count_problem(len(chosen)):
        yield Finding("CLU008", "error", config_path("cluster", "nodePools"),
                      f"the cluster would get {len(chosen)} control-plane vSwitch(es) ({', '.join(sorted(chosen)) or 'none'}: "
                      f"the node vSwitches of the node pools' zones); {problem}. Add a node pool, or spread fewer "
                      "zones/node vSwitches")


def control_plane_vswitch_count_problem(count: int) -> str | None:
    """CLU008's limit (also the `AckProCluster` component's entry point)."""
    limits = SCHEMA["alicloud:cs/managedKubernetes:ManagedKubernetes"]["fields"]["vswitchIds"]
    low, high = limits["min_items"], limits["max_items"]
    if low <= count <= high:
        return None
    return f"the provider takes {low} to {high} (vswitch_ids MinItems/MaxItems)"


@rule("CLU009", "error", "cni.eniSecurityGroups on a new cluster is the cluster security group only",
      "Terway reads ENI security groups from eni-config; on a new cluster ACK writes eni-config from the cluster "
      "security group, the terway-eniip add-on config carries only IPVlan, NetworkPolicy and ENITrunking, and "
      "CreateCluster has no field for other groups: other groups would reach no ENI. ackstack writes them to "
      "eni-config only on adopted clusters (cluster.existing), whose eni_conf it knows.",
      "AliyunContainerService/terway types/daemon/config.go:52-53, :84-91 (v1.17.5); components/cni/terway.py "
      "(the add-on config keys); terraform-provider-alicloud resource_alicloud_cs_managed_kubernetes.go "
      "(security_group_id only)")
def eni_security_groups_reach_terway(plan: NetworkPlan) -> Iterator[Finding]:
    config = plan.config
    explicit = list(getattr(config.cni, "eni_security_groups", []) or [])
    if config.cluster.existing is None and explicit and explicit != [config.cluster.security_group]:
        yield Finding("CLU009", "error", config_path("cni", "eniSecurityGroups"),
                      f"eniSecurityGroups {explicit} on a new cluster would reach no ENI: ACK configures Terway's "
                      f"eni-config with the cluster security group (`{config.cluster.security_group}`) at creation "
                      "and ackstack cannot send others there. Remove the key (or set it to "
                      f"[{config.cluster.security_group}]) and set securityGroupIDs per PodNetworking; after "
                      "creation, adopt the cluster (cluster.existing) to manage eni-config's groups")


RULES = (
    managed_pro,
    known_version,
    node_pool_zones,
    has_node_pools,
    production_protection,
    production_private_api,
    node_login,
    control_plane_vswitches,
    eni_security_groups_reach_terway,
)
