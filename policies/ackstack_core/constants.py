"""Documented facts about Alibaba Cloud (ACK, ECS, VPC), Terway and Cilium.

Project rule: every fact the rest of ackstack relies on lives here as a named
constant with a one-line ``# Source:`` comment naming the documentation page or
the repository + path it was read from.  Where a value could not be confirmed
against a source, the comment says ``(unverified: reason)`` and the value is the
best-documented one known.  Nothing here is copied code; only facts.

Abbreviations used in the source comments:
  TF-managed  = aliyun/terraform-provider-alicloud alicloud/resource_alicloud_cs_managed_kubernetes.go
                (stored version with profile/auto_mode/upgrade_policy, i.e. provider >= 1.248)
  TF-nodepool = aliyun/terraform-provider-alicloud alicloud/resource_alicloud_cs_kubernetes_node_pool.go
                (stored version resourceAliCloudAckNodepool, provider >= 1.223)
  CS-API      = alibabacloud cs-20151215 SDK CreateClusterRequest docstrings (API doc CreateCluster)
  SEED-TRUNK  = shared/seeds/terway-trunk-eni-podnetworking.txt (ACK doc "Configure a static IP address,
                a separate vSwitch, and a separate security group for each pod", Jul 06 2025)
  SEED-BYOCNI = shared/seeds/byocni-custom-cni.txt (ACK doc "Use a custom CNI plug-in in ACK clusters",
                Nov 11 2025)
"""

from __future__ import annotations

from dataclasses import dataclass

# ---------------------------------------------------------------------------
# ACK cluster
# ---------------------------------------------------------------------------

# Source: TF-managed schema "cluster_spec" ValidateFunc StringInSlice{"ack.standard", "ack.pro.small"}
CLUSTER_SPEC_PRO_PREFIX = "ack.pro."
# Source: CS-API cluster_spec ("ack.pro.small: Pro"); TF-managed cluster_spec validation
DEFAULT_CLUSTER_SPEC = "ack.pro.small"
# Source: TF-managed cluster_spec validation (only Pro spec accepted by the provider is ack.pro.small)
KNOWN_PRO_CLUSTER_SPECS: tuple[str, ...] = ("ack.pro.small",)

# Source: CS-API addons ("[{\"Name\": \"terway-eniip\",\"Config\": \"\"}]" for Terway); terraform-provider-alicloud docs r/cs_managed_kubernetes ("addons with terway-eniip")
ADDON_TERWAY_ENIIP = "terway-eniip"
# Source: SEED-TRUNK ("Instal terway-controlplane dari tab Networking halaman Add-ons")
ADDON_TERWAY_CONTROLPLANE = "terway-controlplane"
# Source: SEED-BYOCNI (BYOCNI clusters must disable the "kube-flannel-ds" add-on at creation)
ADDON_FLANNEL = "kube-flannel-ds"
# Source: SEED-BYOCNI (cloud-controller-manager add-on config for BYOCNI clusters)
ADDON_CCM = "cloud-controller-manager"
# Source: ACK add-on catalogue names terway / terway-eni / terway-eniip / terway-controlplane (unverified: "terway" and "terway-eni" not found in the search index, only terway-eniip and terway-controlplane were)
ADDON_TERWAY = "terway"
# Source: ACK add-on "terway-eni" = Terway exclusive-ENI mode (unverified: name not found in the search index)
ADDON_TERWAY_ENI = "terway-eni"
# Source: union of the Terway add-on names above (see their sources)
TERWAY_ADDON_NAMES: tuple[str, ...] = (
    ADDON_TERWAY,
    ADDON_TERWAY_ENI,
    ADDON_TERWAY_ENIIP,
    ADDON_TERWAY_CONTROLPLANE,
)

# Source: public CreateCluster bodies/TF examples configure terway-eniip with {"IPVlan":"false","NetworkPolicy":"false","ENITrunking":"true"} (code-search hits, e.g. a CreateCluster JSON that also passes {"ENITrunking":"true"} to terway-controlplane)
TERWAY_CONFIG_KEY_TRUNKING = "ENITrunking"
# Source: same terway-eniip add-on config examples as TERWAY_CONFIG_KEY_TRUNKING
TERWAY_CONFIG_KEY_IPVLAN = "IPVlan"
# Source: same terway-eniip add-on config examples as TERWAY_CONFIG_KEY_TRUNKING
TERWAY_CONFIG_KEY_NETWORK_POLICY = "NetworkPolicy"
# Source: terway-eniip add-on config examples; values are the strings "true"/"false", not JSON booleans
TERWAY_ENIIP_TRUNK_CONFIG: dict[str, str] = {
    TERWAY_CONFIG_KEY_IPVLAN: "false",
    TERWAY_CONFIG_KEY_NETWORK_POLICY: "false",
    TERWAY_CONFIG_KEY_TRUNKING: "true",
}

# Source: SEED-BYOCNI cloud-controller-manager parameter table ("EnableCloudRoutes", default false)
CCM_CONFIG_KEY_ENABLE_CLOUD_ROUTES = "EnableCloudRoutes"
# Source: SEED-BYOCNI cloud-controller-manager parameter table ("BackendType", default NodePort)
CCM_CONFIG_KEY_BACKEND_TYPE = "BackendType"
# Source: SEED-BYOCNI ("Nilai yang valid: NodePort ... Pod")
CCM_BACKEND_TYPES: tuple[str, ...] = ("NodePort", "Pod")
# Source: SEED-BYOCNI parameter table (BackendType default value NodePort)
CCM_BACKEND_TYPE_DEFAULT = "NodePort"

# Source: SEED-TRUNK ("kubectl edit cm -nkube-system eni-config")
ENI_CONFIG_CONFIGMAP_NAMESPACE = "kube-system"
# Source: SEED-TRUNK ("kubectl edit cm -nkube-system eni-config")
ENI_CONFIG_CONFIGMAP_NAME = "eni-config"
# Source: SEED-TRUNK (ConfigMap example "data: eni_conf: |" holding JSON)
ENI_CONFIG_DATA_KEY = "eni_conf"
# Source: SEED-TRUNK (eni_conf parameter "enable_eni_trunking": true; cannot be disabled once enabled)
ENI_CONF_TRUNKING_KEY = "enable_eni_trunking"
# Source: SEED-TRUNK (eni_conf parameter "credential_path", must be added manually on managed clusters)
ENI_CONF_CREDENTIAL_PATH_KEY = "credential_path"
# Source: SEED-TRUNK (credential_path example value)
ENI_CONF_MANAGED_CREDENTIAL_PATH = "/var/addon/token-config"
# Source: SEED-TRUNK ("kubectl delete pod -n kube-system -l app=terway-eniip"); DaemonSet named after the add-on (unverified: DaemonSet name itself not shown in the seed)
TERWAY_DAEMONSET_NAME = "terway-eniip"

# Source: SEED-TRUNK ("Secara default, fitur Trunk ENI diaktifkan untuk ACK managed cluster yang menjalankan Kubernetes 1.31 atau versi lebih baru")
TRUNK_DEFAULT_FROM_K8S: tuple[int, int] = (1, 31)

# Source: SEED-TRUNK (PodNetworking example "apiVersion: network.alibabacloud.com/v1beta1")
PODNETWORKING_API_VERSION = "network.alibabacloud.com/v1beta1"
# Source: SEED-TRUNK (PodNetworking example "kind: PodNetworking")
PODNETWORKING_KIND = "PodNetworking"
# Source: SEED-TRUNK (allocationType.type valid values Elastic and Fixed)
PODNETWORKING_ALLOCATION_TYPES: tuple[str, ...] = ("Elastic", "Fixed")
# Source: SEED-TRUNK (releaseStrategy valid values TTL and Never)
PODNETWORKING_RELEASE_STRATEGIES: tuple[str, ...] = ("TTL", "Never")
# Source: SEED-TRUNK (vSwitchSelectionPolicy valid values ordered (default), most, random)
PODNETWORKING_VSWITCH_SELECTION_POLICIES: tuple[str, ...] = ("ordered", "most", "random")
# Source: SEED-TRUNK (eniOptions.eniType valid values Default, ENI, Trunk)
PODNETWORKING_ENI_TYPES: tuple[str, ...] = ("Default", "ENI", "Trunk")
# Source: SEED-TRUNK (vSwitchSelectOptions "Didukung di Terway v1.11.0 dan versi lebih baru")
TERWAY_MIN_VERSION_VSWITCH_SELECT_OPTIONS: tuple[int, int, int] = (1, 11, 0)
# Source: SEED-TRUNK (eniOptions "Didukung di Terway v1.11.0 dan versi lebih baru")
TERWAY_MIN_VERSION_ENI_OPTIONS: tuple[int, int, int] = (1, 11, 0)
# Source: SEED-TRUNK (releaseStrategy TTL: "Nilai minimum adalah 5 menit")
RELEASE_AFTER_MIN_SECONDS = 300

# Source: CS-API kubernetes_version ("Release notes on Kubernetes versions", format x.y.z-aliyun.n); 1.34.1-aliyun.1 and 1.33.3-aliyun.1 appear as kubernetes_version/example values in public ACK SDK models and configs (unverified: the current ACK creatable-patch list itself was not in the index; 1.35 was in grayscale per ACK "Support for Kubernetes versions", Feb 2026)
KNOWN_ACK_K8S_VERSIONS: tuple[str, ...] = ("1.34.1-aliyun.1", "1.33.3-aliyun.1")
# Source: ACK "Support for Kubernetes versions" (newest GA minor 1.34, released Sep 2025); see KNOWN_ACK_K8S_VERSIONS
DEFAULT_K8S_VERSION = "1.34.1-aliyun.1"
# Source: TF-managed proxy_mode ValidateFunc {"iptables","ipvs"}, Default "ipvs"; CS-API proxy_mode default ipvs
KUBE_PROXY_MODES: tuple[str, ...] = ("iptables", "ipvs")
# Source: TF-managed proxy_mode Default "ipvs"
KUBE_PROXY_MODE_DEFAULT = "ipvs"

# ---------------------------------------------------------------------------
# Limits: security groups
# ---------------------------------------------------------------------------

# Source: ECS FAQ "security group limits" (https://www.alibabacloud.com/help/faq-detail/87018.htm): "by default every ENI ... can be associated with a maximum of five security groups"; SEED-TRUNK (PodNetworking max five)
MAX_SECURITY_GROUPS_PER_ENI_DEFAULT = 5
# Source: ECS "Limits" security groups per ENI adjustable via Quota Center (unverified: raised maximum of 10 not found in ECS docs in the index; consistent with Terway's PodNetworking webhook, AliyunContainerService/terway pkg/controller/webhook: "security group can not more than 10")
MAX_SECURITY_GROUPS_PER_ENI_RAISED = 10
# Source: ECS "Basic and advanced security groups" (https://www.alibabacloud.com/help/en/ecs/user-guide/basic-security-groups-and-advanced-security-groups, Apr 2026): basic SG in a VPC holds 6,000 private IPs (quota q_vpc-normal-security-group-ip-count); older revisions said 2,000 raisable to 6,000
BASIC_SG_PRIVATE_IP_CAPACITY = 6000
# Source: same page: advanced (enterprise) SG in a VPC: 65,536; usage counted per associated ENI, not per IP
ENTERPRISE_SG_PRIVATE_IP_CAPACITY = 65536

# ---------------------------------------------------------------------------
# Limits: VPC / vSwitch
# ---------------------------------------------------------------------------

# Source: VPC "VPCs and vSwitches" (https://www.alibabacloud.com/help/en/vpc/vpc-and-vswitch): use RFC 1918 ranges; ACK network planning: valid VPC CIDRs 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16
VPC_ALLOWED_PRIVATE_RANGES: tuple[str, ...] = ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16")
# Source: VPC doc-detail/100380 ("The size of the VPC CIDR block can range from /8 to /24"); current page recommends mask 16-28
VPC_MIN_PREFIX = 8
# Source: VPC "VPCs and vSwitches" (current: "network mask can be 16 to 28 bits"; older doc-detail/100380 said /24)
VPC_MAX_PREFIX = 28
# Source: VPC doc-detail/100380 ("The size of the VSwitch CIDR block can range from /16 to /29")
VSWITCH_MIN_PREFIX = 16
# Source: VPC doc-detail/100380 ("The size of the VSwitch CIDR block can range from /16 to /29")
VSWITCH_MAX_PREFIX = 29
# Source: VPC API CreateVSwitchCidrReservation (https://www.alibabacloud.com/help/es/vpc/developer-reference/api-vpc-2016-04-28-createvswitchcidrreservation): "the first IP address and the last three IP addresses of the vSwitch are system-reserved" (IPv4)
VSWITCH_RESERVED_IPS = 4
# Source: VPC API CreateRouteEntries (https://www.alibabacloud.com/help/en/vpc/developer-reference/api-vpc-2016-04-28-createrouteentries): "A route table can contain a maximum of 200 custom routes" (raisable in Quota Center: capacity.routeTableQuota)
ROUTE_TABLE_CUSTOM_ROUTE_QUOTA_DEFAULT = 200

# ---------------------------------------------------------------------------
# Limits: ACK pod / service CIDR and node CIDR mask
# ---------------------------------------------------------------------------

# Source: CS-API container_cidr ("You can specify 10.0.0.0/8, 172.16-31.0.0/12-16, 192.168.0.0/16, or their subnets as the CIDR block of pods")
POD_CIDR_ALLOWED_RANGES: tuple[str, ...] = ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16")
# Source: CS-API service_cidr ("Valid values: 10.0.0.0/16-24, 172.16-31.0.0/16-24, and 192.168.0.0/16-24"); prefix limits in SERVICE_CIDR_MIN_PREFIX/SERVICE_CIDR_MAX_PREFIX
SERVICE_CIDR_ALLOWED_RANGES: tuple[str, ...] = ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16")
# Source: CS-API service_cidr ("prefix 16-24")
SERVICE_CIDR_MIN_PREFIX = 16
# Source: CS-API service_cidr ("prefix 16-24")
SERVICE_CIDR_MAX_PREFIX = 24
# Source: TF-managed node_cidr_mask ValidateFunc IntBetween(24, 28)
NODE_CIDR_MASK_MIN = 24
# Source: TF-managed node_cidr_mask ValidateFunc IntBetween(24, 28)
NODE_CIDR_MASK_MAX = 28
# Source: TF-managed node_cidr_mask Default KubernetesClusterNodeCIDRMasksByDefault = 24 (what pulumi-alicloud sends when unset)
NODE_CIDR_MASK_DEFAULT = 24

# ---------------------------------------------------------------------------
# Instance types (Terway density)
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class InstanceTypeFacts:
    """ENI facts of one ECS instance type, named after DescribeInstanceTypes fields.

    eni_quantity       -> EniQuantity (ENIs incl. the primary one)
    eni_total_quantity -> EniTotalQuantity (primary + secondary + trunk member ENIs)
    ipv4_per_eni       -> EniPrivateIpAddressQuantity
    trunk_supported    -> EniTrunkSupported
    """

    eni_quantity: int
    eni_total_quantity: int
    ipv4_per_eni: int
    trunk_supported: bool


def trunk_pods_per_node(facts: InstanceTypeFacts) -> int:
    """Pods per node that can get a dedicated trunk member ENI (PodNetworking).

    ACK "Manage pod capacity on nodes": Shared ENI + Trunk ENI single-node Trunk Pod
    quota = EniTotalQuantity - EniQuantity.  Terway (AliyunContainerService/terway
    pkg/aliyun/client/limit.go) sets it to 0 when EniTrunkSupported is false.
    """
    if not facts.trunk_supported:
        return 0
    return max(facts.eni_total_quantity - facts.eni_quantity, 0)


def shared_eni_pods_per_node(facts: InstanceTypeFacts) -> int:
    """Pods per node in Terway shared-ENI (ENIIP) mode.

    ACK "Manage pod capacity on nodes": (EniQuantity - 1) x EniPrivateIpAddressQuantity
    (the primary ENI is not used for pods), e.g. ecs.g7.4xlarge (8 - 1) x 30 = 210.
    """
    return max(facts.eni_quantity - 1, 0) * facts.ipv4_per_eni


def exclusive_eni_pods_per_node(facts: InstanceTypeFacts) -> int:
    """Pods per node in Terway exclusive-ENI mode: EniQuantity - 1 (same ACK page)."""
    return max(facts.eni_quantity - 1, 0)


# ENIs / IPv4 per ENI: ECS "Overview of instance families" tables (https://www.alibabacloud.com/help/en/ecs/user-guide/overview-of-instance-families).
# EniTotalQuantity is not in those tables (the ECS API reference marks it "invitational preview"), so
# for most types it is unverified; types whose total could not be confirmed are listed in
# INSTANCE_TYPES_UNVERIFIED_TOTAL and callers should prefer a live DescribeInstanceTypes answer.
INSTANCE_TYPES: dict[str, InstanceTypeFacts] = {
    # Source: ECS instance families table g7 (unverified: table not in index; EniTotalQuantity estimated)
    "ecs.g7.large": InstanceTypeFacts(3, 6, 6, True),
    # Source: real DescribeInstanceTypes response fixture in kubernetes-sigs/alibaba-cloud-csi-driver pkg/metadata test (EniQuantity 4, EniTotalQuantity 20, EniPrivateIpAddressQuantity 15, EniTrunkSupported true)
    "ecs.g7.xlarge": InstanceTypeFacts(4, 20, 15, True),
    # Source: AliyunContainerService/terway pkg/aliyun/client/fake (EniQuantity 4, IPs 15, trunk true, EniTotalQuantity 10 -- fake data, conflicts with g7.xlarge=20; unverified total)
    "ecs.g7.2xlarge": InstanceTypeFacts(4, 10, 15, True),
    # Source: ACK "Manage pod capacity on nodes" (ecs.g7.4xlarge supports 8 ENIs x 30 private IPs) (unverified: EniTotalQuantity estimated)
    "ecs.g7.4xlarge": InstanceTypeFacts(8, 16, 30, True),
    # Source: ECS instance families table c7, same ENI shape as g7 by size (unverified: not in index; total by analogy with g7.xlarge)
    "ecs.c7.xlarge": InstanceTypeFacts(4, 20, 15, True),
    # Source: ECS instance families table c7 (unverified: not in index; total by analogy with g7.xlarge)
    "ecs.c7.2xlarge": InstanceTypeFacts(4, 20, 15, True),
    # Source: ECS instance families table r7 (unverified: not in index; total by analogy with g7.xlarge)
    "ecs.r7.xlarge": InstanceTypeFacts(4, 20, 15, True),
    # Source: ECS instance families table g8i (unverified: not in index; total by analogy with g7.xlarge)
    "ecs.g8i.xlarge": InstanceTypeFacts(4, 20, 15, True),
    # Source: ECS instance families table g8i (unverified: not in index; total by analogy with g7.xlarge)
    "ecs.g8i.2xlarge": InstanceTypeFacts(4, 20, 15, True),
    # Source: ECS instance families table g6 (unverified: not in index; trunk support of g6 unconfirmed -- API doc samples show both true and false for g6 sizes)
    "ecs.g6.xlarge": InstanceTypeFacts(3, 3, 10, False),
    # Source: ECS instance families table g6 (unverified: see ecs.g6.xlarge)
    "ecs.g6.2xlarge": InstanceTypeFacts(4, 4, 10, False),
    # Source: ECS instance families table c6 (unverified: not in index; treated as no trunk)
    "ecs.c6.xlarge": InstanceTypeFacts(3, 3, 10, False),
    # Source: ECS instance families table g5 (unverified: not in index; previous generation, treated as no trunk)
    "ecs.g5.xlarge": InstanceTypeFacts(3, 3, 10, False),
    # Source: ECS burstable t6 table (unverified: not in index; shared burstable family, treated as no trunk)
    "ecs.t6-c1m2.large": InstanceTypeFacts(2, 2, 6, False),
    # Source: ECS instance families table sn1ne (unverified: not in index; older generation, treated as no trunk)
    "ecs.sn1ne.xlarge": InstanceTypeFacts(3, 3, 10, False),
}
# Source: see per-entry comments in INSTANCE_TYPES (only ecs.g7.xlarge has a confirmed EniTotalQuantity)
INSTANCE_TYPES_UNVERIFIED_TOTAL: frozenset[str] = frozenset(k for k in INSTANCE_TYPES if k != "ecs.g7.xlarge")

# Source: SEED-TRUNK (instance must report EniTrunkSupported=true); g7 confirmed by a real DescribeInstanceTypes response; c7/r7/g8i/c8i/r8i (unverified: family list not found in the index)
TRUNK_CAPABLE_FAMILIES: tuple[str, ...] = ("g7", "c7", "r7", "g8i", "c8i", "r8i")
# Source: (unverified: no documented list; shared/burstable and pre-7th-generation families assumed EniTrunkSupported=false -- check DescribeInstanceTypes)
TRUNK_UNSUPPORTED_FAMILIES: tuple[str, ...] = ("t5", "t6", "sn1ne", "sn2ne", "g5", "c5", "r5")

# ---------------------------------------------------------------------------
# Cilium (BYOCNI)
# ---------------------------------------------------------------------------


# Source: SEED-BYOCNI ("helm repo add cilium https://helm.cilium.io/")
CILIUM_CHART_REPO = "https://helm.cilium.io/"
# Source: SEED-BYOCNI ("cilium cilium/cilium --version 1.17.4")
CILIUM_CHART_NAME = "cilium"
# Source: SEED-BYOCNI ("--version 1.17.4"); pinned to the later 1.17.9 patch (docs/cilium.md, "Chart pin")
CILIUM_CHART_VERSION = "1.17.9"
# Source: SEED-BYOCNI ("--namespace kube-system")
CILIUM_NAMESPACE = "kube-system"
# Source: cilium/cilium daemon/cmd/daemon.go (v1.14-v1.17): "BPF masquerade requires NodePort (--enable-node-port=\"true\")"; the check is gone on main, kept here for the pinned 1.17 line (unverified for 1.17.4 itself: only pre- and post-1.17 sources were found)
CILIUM_BPF_MASQUERADE_REQUIRES_NODEPORT = True
# Source: cilium/cilium install/kubernetes/cilium/values.yaml (`ipMasqAgent:` documents `config: nonMasqueradeCIDRs, masqLinkLocal, masqLinkLocalIPv6` only as comments, so these paths are absent from a parsed values.yaml; still comment-only in the 1.17.9 chart values.yaml, tests/data/cilium-1.17.9-value-paths.txt)
CILIUM_IP_MASQ_AGENT_CONFIG_KEYS: tuple[str, ...] = ("nonMasqueradeCIDRs", "masqLinkLocal", "masqLinkLocalIPv6")
# Source: cilium/cilium install/kubernetes/cilium/values.yaml ("#kubeProxyReplacement: \"false\"" is commented out; the templates read it with hasKey; valid "true"/"false"; still commented out in the 1.17.9 chart values.yaml)
CILIUM_COMMENTED_VALUE_PATHS: tuple[str, ...] = ("kubeProxyReplacement",)

# ---------------------------------------------------------------------------
# Timing (deploy critical-path benchmark)
# ---------------------------------------------------------------------------

# Typical wall-clock seconds to create one resource of each Pulumi type.
TYPICAL_CREATE_SECONDS: dict[str, int] = {
    # Source: (unverified: estimate; VPC creation is an async API that settles within seconds)
    "alicloud:vpc/network:Network": 10,
    # Source: (unverified: estimate; vSwitch creation settles within seconds)
    "alicloud:vpc/switch:Switch": 10,
    # Source: (unverified: estimate; synchronous ECS API call)
    "alicloud:ecs/securityGroup:SecurityGroup": 3,
    # Source: (unverified: estimate; synchronous ECS API call)
    "alicloud:ecs/securityGroupRule:SecurityGroupRule": 2,
    # Source: terraform-provider-alicloud website/docs/r/cs_managed_kubernetes.html.markdown ("it will cost about 15 minutes"); upper bound = TF default create timeout 90 min
    "alicloud:cs/managedKubernetes:ManagedKubernetes": 900,
    # Source: (unverified: estimate for ECS boot + node join; upper bound = TF-nodepool default create timeout 90 min)
    "alicloud:cs/nodePool:NodePool": 300,
    # Source: (unverified: estimate; install task polled by the provider)
    "alicloud:cs/kubernetesAddon:KubernetesAddon": 120,
    # Source: (unverified: estimate for a Cilium DaemonSet rollout with image pulls from outside China)
    "kubernetes:helm.sh/v3:Release": 180,
    # Source: (unverified: estimate; single API server write)
    "kubernetes:core/v1:Namespace": 2,
    # Source: (unverified: estimate; single server-side apply patch)
    "kubernetes:core/v1:ConfigMapPatch": 2,
    # Source: (unverified: estimate; single server-side apply patch, like ConfigMapPatch)
    "kubernetes:core/v1:NamespacePatch": 2,
    # Source: (unverified: estimate; pulumi-kubernetes awaits the DaemonSet rollout after the template annotation changes, one node at a time under RollingUpdate maxUnavailable=1, ~30 s per Terway pod on a small cluster)
    "kubernetes:apps/v1:DaemonSetPatch": 120,
    # Source: (unverified: estimate; CR write, Ready status set by terway-controlplane asynchronously)
    "kubernetes:network.alibabacloud.com/v1beta1:PodNetworking": 5,
    # Source: (unverified: estimate; provider configuration, no cloud call)
    "pulumi:providers:kubernetes": 1,
}

# Source: TF-managed Timeouts Create DefaultTimeout(90 * time.Minute) (Pulumi CustomTimeouts duration string)
CLUSTER_CREATE_TIMEOUT = "90m"
# Source: TF-managed Timeouts Delete DefaultTimeout(60 * time.Minute)
CLUSTER_DELETE_TIMEOUT = "60m"
# Source: see VSWITCH_DEFAULT_DELETE_TIMEOUT (provider retries DeleteVSwitch until the delete timeout); 30m chosen to outlast asynchronous release of Terway ENIs after cluster deletion (unverified: how long Terway ENI release takes is not documented)
POD_VSWITCH_DELETE_TIMEOUT = "30m"
# Source: aliyun/terraform-provider-alicloud alicloud/resource_alicloud_vswitch.go (Timeouts Delete DefaultTimeout(10 * time.Minute); DeleteVSwitch is retried on every error but NotFound/InvalidRegionId until d.Timeout(TimeoutDelete), so a longer custom delete timeout buys time for Terway to release ENIs)
VSWITCH_DEFAULT_DELETE_TIMEOUT = "10m"
# Source: aliyun/terraform-provider-alicloud alicloud/resource_alicloud_security_group.go (DeleteSecurityGroup retried while the error is DependencyViolation; stored revision retried a fixed 6 min, unverified whether 1.27x honours a custom delete timeout -- set anyway, Pulumi passes it to the provider)
SECURITY_GROUP_DELETE_TIMEOUT = "30m"

# Source: same resource file (schema: cluster_id and name are ForceNew)
KUBERNETES_ADDON_REPLACE_ON_CHANGE: tuple[str, ...] = ("clusterId", "name")
# Source: ackstack design: removing one of these from a running cluster breaks pod networking or LoadBalancer
# Services, so their KubernetesAddon resources are retained (never uninstalled) when they leave the program
ADDONS_NEVER_UNINSTALLED: tuple[str, ...] = ("terway-eniip", "terway-controlplane", "cloud-controller-manager")

# ---------------------------------------------------------------------------
# Replacement (ForceNew) facts, pulumi-alicloud 4.0.0 camelCase input names
# ---------------------------------------------------------------------------

# Source: TF-managed schema fields with ForceNew: true (profile, pod_cidr, service_cidr, node_cidr_mask, proxy_mode, ip_stack, cluster_domain, service_account_issuer, api_audiences, auto_mode); pod_vswitch_ids, timezone, custom_san, encryption_provider_key are NOT ForceNew there (unverified for fields added after that provider version, e.g. controlPlaneEndpointsConfig)
CLUSTER_REPLACE_ON_CHANGE: tuple[str, ...] = (
    "profile",
    "podCidr",
    "serviceCidr",
    "nodeCidrMask",
    "proxyMode",
    "ipStack",
    "clusterDomain",
    "serviceAccountIssuer",
    "apiAudiences",
    "autoMode",
)
# Source: TF-nodepool schema fields with ForceNew: true (cluster_id, cis_enabled, deployment_set_id, login_as_non_root, node_name_mode, ram_role_name, security_group_id, security_group_ids, security_hardening_os, soc_enabled, tee_config) (unverified for fields added later, e.g. autoMode, type, efloNodeGroup)
NODEPOOL_REPLACE_ON_CHANGE: tuple[str, ...] = (
    "clusterId",
    "cisEnabled",
    "deploymentSetId",
    "loginAsNonRoot",
    "nodeNameMode",
    "ramRoleName",
    "securityGroupId",
    "securityGroupIds",
    "securityHardeningOs",
    "socEnabled",
    "teeConfig",
)
# Source: aliyun/terraform-provider-alicloud alicloud/resource_alicloud_vswitch.go (cidr_block, vpc_id, zone_id: ForceNew: true)
VSWITCH_REPLACE_ON_CHANGE: tuple[str, ...] = ("cidrBlock", "zoneId", "vpcId")
# Source: aliyun/terraform-provider-alicloud alicloud/resource_alicloud_security_group.go (vpc_id, security_group_type, resource_group_id: ForceNew: true)
SECURITY_GROUP_REPLACE_ON_CHANGE: tuple[str, ...] = ("vpcId", "securityGroupType", "resourceGroupId")
# Source: (unverified: older alicloud_vpc revisions had cidr_block ForceNew; newer ones may modify it in place via ModifyVpcAttribute -- warned as a replacement to stay on the safe side)
VPC_REPLACE_ON_CHANGE: tuple[str, ...] = ("cidrBlock",)

# ---------------------------------------------------------------------------
# Terway Trunk ENI: existing-cluster path and PodNetworking (issue #3)
# ---------------------------------------------------------------------------

# Source: ackstack design (pod-template annotation whose change makes the DaemonSet controller roll the Terway pods, instead of the seed's `kubectl delete pod -l app=terway-eniip`)
TERWAY_ROLL_ANNOTATION = "ackstack.io/eni-conf-sha256"
# Source: pulumi-kubernetes docs "Server-side apply" (annotation `pulumi.com/patchForce: "true"` makes a Patch resource take ownership of conflicting fields)
PULUMI_PATCH_FORCE_ANNOTATION = "pulumi.com/patchForce"
# Source: SEED-TRUNK ("Secara default, StatefulSets dan pod tanpa ownerReferences didukung" for Fixed)
FIXED_IP_WORKLOAD_KINDS: tuple[str, ...] = ("StatefulSet", "Pod")
# Source: Go time.ParseDuration units (ns, us, µs, μs, ms, s, m, h)
GO_DURATION_UNITS_SECONDS: dict[str, float] = {
    "ns": 1e-9, "us": 1e-6, "µs": 1e-6, "μs": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0,
}
# Source: Kubernetes docs "Object Names and IDs" (DNS subdomain names: at most 253 characters)
K8S_DNS_SUBDOMAIN_MAX = 253
# Source: Kubernetes docs "Object Names and IDs" (RFC 1123 label names, e.g. namespaces: at most 63 characters)
K8S_DNS_LABEL_MAX = 63
# Source: Kubernetes docs "Labels and Selectors" (label name segment and value: at most 63 characters)
K8S_LABEL_NAME_MAX = 63

# ---------------------------------------------------------------------------
# Hostile input: YAML reading, input limits, tags, labels, URNs (issue #15)
# ---------------------------------------------------------------------------

# Source: go-yaml/yaml v3.0.1 (f6f7691b1fdeb513f56608cd2c32c51f8194bf51) scannerc.go:956,990 (max depth 10000) and
# decode.go:468-490 (alias ratio). ackstack's limits are stricter by design: a stack file is small, and Pulumi's
# serialisation recurses per level (values nested ~300 deep fail at registration), so refuse early.
INPUT_MAX_BYTES = 4 * 1024 * 1024
# Source: ackstack design (see above; deepest example stack value is 6 levels)
INPUT_MAX_NESTING = 64
# Source: ackstack design (values after alias expansion; go-yaml v3 decode.go:468 allows ~400,000 alias decodes)
INPUT_MAX_NODES = 200_000
# Source: ECS API TagResources (https://www.alibabacloud.com/help/en/ecs/developer-reference/api-ecs-2014-05-26-tagresources):
# Tag.N with N 1..20; key up to 128 characters, not starting with `acs:` or `aliyun`, no `http://`/`https://`;
# value up to 128 characters, no `http://`/`https://`.
ECS_MAX_TAGS = 20
ECS_TAG_KEY_MAX = 128
ECS_TAG_VALUE_MAX = 128
ECS_TAG_KEY_RESERVED_PREFIXES: tuple[str, ...] = ("acs:", "aliyun")
ECS_TAG_FORBIDDEN_TEXT: tuple[str, ...] = ("http://", "https://")

# Source: ackstack design (components/network.py tags every resource with the environment, vSwitches also with the role)
OWN_TAG_ENVIRONMENT = "ackstack:environment"
OWN_TAG_ROLE = "ackstack:role"
