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
# Source: aliyun/terraform-provider-alicloud@ace5bcf8777e (release/v2) alicloud/resource_alicloud_cs_managed_kubernetes.go:353 cluster_spec StringInSlice (the Pro members; data in provider_schema.SCHEMA)
KNOWN_PRO_CLUSTER_SPECS: tuple[str, ...] = ("ack.pro.small", "ack.pro.xlarge", "ack.pro.2xlarge", "ack.pro.4xlarge")

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

# Source: ACK "Kubernetes versions supported by ACK", ACK managed clusters table (last updated Oct 06, 2026;
# https://www.alibabacloud.com/help/tr/ack/product-overview/release-notes-for-kubernetes-versions): minor ->
# ACK end-of-support date. 1.36 (released May 2026) to May 30, 2027; 1.35 (Feb 2026) to Feb 28, 2027; 1.34 (Sep 2025)
# to Sep 30, 2026; 1.33 May 31, 2026; 1.32 Jan 31, 2026; 1.31 Sep 30, 2025; 1.30 Jun 30, 2026; 1.28 Oct 31, 2025;
# 1.26 Apr 2025, 1.24 Sep 2024, 1.22 Oct 2023, 1.20 Apr 2023 (month only: the last day is taken). "Starting from
# 1.31 ... support period one year." Older minors are not listed: unverified, treated as ended.
ACK_K8S_END_OF_SUPPORT: dict[tuple[int, int], str] = {
    (1, 36): "2027-05-30", (1, 35): "2027-02-28", (1, 34): "2026-09-30", (1, 33): "2026-05-31",
    (1, 32): "2026-01-31", (1, 31): "2025-09-30", (1, 30): "2026-06-30", (1, 28): "2025-10-31",
    (1, 26): "2025-04-30", (1, 24): "2024-09-30", (1, 22): "2023-10-31", (1, 20): "2023-04-30",
}
# Source: the same page's date (Oct 06, 2026): the day ackstack's version facts describe. A version whose end of
# support is before it is past ACK's support; new clusters are created only on minors still supported then
# ("ACK supports cluster creation for the three most recent Kubernetes minor versions", ACK "Support for Kubernetes
# versions", https://help.aliyun.com/en/ack/ack-managed-and-ack-dedicated/user-guide/support-for-kubernetes-versions/).
# Fixed, not today's clock, so a preview means the same on every day; refresh both with the page.
ACK_K8S_FACTS_AS_OF = "2026-10-06"
ACK_K8S_VERSION_PAGE = "https://www.alibabacloud.com/help/tr/ack/product-overview/release-notes-for-kubernetes-versions"
# Source: ACK "Kubernetes 1.36" release notes (https://help.aliyun.com/en/ack/ack-managed-and-ack-dedicated/user-guide/kubernetes-1-36:
# Kubernetes 1.36.1-aliyun.1) and "ACK Kubernetes 1.35 release notes" (https://www.alibabacloud.com/help/doc-detail/3021327.html,
# updated Mar 25, 2026: 1.35.1-aliyun.1, 1.35.2-aliyun.1): the patch versions ACK creates clusters on, newest first
KNOWN_ACK_K8S_VERSIONS: tuple[str, ...] = ("1.36.1-aliyun.1", "1.35.2-aliyun.1", "1.35.1-aliyun.1")
# Source: KNOWN_ACK_K8S_VERSIONS[0], the newest minor ACK creates (supported to May 30, 2027); Cilium 1.20 is
# e2e-tested on it (CILIUM_K8S_TESTED)
DEFAULT_K8S_VERSION = "1.36.1-aliyun.1"
# Source: terraform-provider-alicloud resource_alicloud_cs_managed_kubernetes.go:141 proxy_mode StringInSlice
# {"iptables","ipvs","nftables"}, Default "ipvs" (provider_schema.py, PROVIDER_COMMIT); the earlier extraction read
# only the first two. ACK documents nftables as stable since Kubernetes 1.33 (ACK Kubernetes 1.35 release notes)
KUBE_PROXY_MODES: tuple[str, ...] = ("iptables", "ipvs", "nftables")
# Source: ACK UpdateControlPlaneLog API, `components` "supported components" (https://help.aliyun.com/document_detail/480640.html):
# apiserver, ccm, scheduler, kcm, controlplane-events, alb, cluster-autoscaler, ack-goatscaler, kuberay-operator,
# cluster-operator (gatekeeper, vk and istio only for other cluster kinds). No `etcd`: ACK collects no etcd log, so the
# config refuses it (issue #23). terraform-provider-alicloud passes the list through unchecked
# (resource_alicloud_cs_managed_kubernetes.go:422-429, :761-762).
ACK_CONTROL_PLANE_LOG_COMPONENTS: tuple[str, ...] = (
    "apiserver", "kcm", "scheduler", "ccm", "controlplane-events", "alb", "cluster-autoscaler", "ack-goatscaler",
    "kuberay-operator", "cluster-operator")
# Source: TF-managed proxy_mode Default "ipvs"
KUBE_PROXY_MODE_DEFAULT = "ipvs"

# ---------------------------------------------------------------------------
# Limits: security groups
# ---------------------------------------------------------------------------

# Source: ECS FAQ "security group limits" (https://www.alibabacloud.com/help/faq-detail/87018.htm): "by default every ENI ... can be associated with a maximum of five security groups"; SEED-TRUNK (PodNetworking max five)
MAX_SECURITY_GROUPS_PER_ENI_DEFAULT = 5
# Source: ackstack design: the component that emits each PodNetworking carries the stack's declared per-ENI quota
# (capacity.maxSecurityGroupsPerEni) as an input and output, so the policy pack reads the same setting as the rules
PODNETWORKING_COMPONENT_TYPE = "ackstack:terway:PodNetworking"
PODNETWORKING_COMPONENT_QUOTA_KEY = "maxSecurityGroupsPerEni"
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
    # Source (verified): real DescribeInstanceTypes response fixture in kubernetes-sigs/alibaba-cloud-csi-driver pkg/metadata test (EniQuantity 4, EniTotalQuantity 20, EniPrivateIpAddressQuantity 15, EniTrunkSupported true)
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
# Source: per-entry comments in INSTANCE_TYPES: verified = read from a real DescribeInstanceTypes response (ecs.g7.xlarge, kubernetes-sigs/alibaba-cloud-csi-driver fixture); every other entry, and both family lists below, are unverified
INSTANCE_TYPES_VERIFIED: frozenset[str] = frozenset({"ecs.g7.xlarge"})
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
# Source: the official chart packages' sha256, which helm.cilium.io's index.yaml lists as each entry's `digest`
# (shared/reference/README.md: the packages there are byte-identical to the repository's; the live index itself is
# unverified here: no internet). A fetched or stand-in package is used only when its sha256 is the one pinned here.
CILIUM_CHART_DIGESTS: dict[str, str] = {
    "1.17.9": "025a18e9003b423856f3a51b43cb6616aa8481482396983e94e1d8fa10d72a22",
    "1.18.12": "5923f9d9fcb11bc4692ad52353cc791b935d96e09ba0c535c5a8b88ea8a37572",
    "1.19.6": "21c43cf53841f9ab0375047d95aa4c64051ea52bbd2c679416e6408f5f1c9179",
    "1.20.0": "c5f013912360d1a334f44ef25f36da59ba3414cdb48f466ee12d0c4fdff27883",
}
# Source: pulumi/pulumi-kubernetes provider/pkg/provider/helm_release.go (commit 01799d56995683adc30ed8be5c42157d9a6d3c06,
# resolveChartName/locateChart): a repositoryOpts.repo that parses as a URL is fetched as a classic repository
# (index.yaml), so an OCI registry (ACR Enterprise serves Helm charts as OCI artifacts) works only as the chart
# reference itself, `oci://<registry>/<namespace>/cilium`, without repositoryOpts.
HELM_OCI_SCHEME = "oci://"
# Source: pulumi/pulumi-kubernetes provider/pkg/provider/helm_release.go (commit 01799d56995683adc30ed8be5c42157d9a6d3c06):
# Check returns the decoded Release as the new inputs (`news = resource.NewPropertyMap(new)`), with
# setComputedInputs adding `checksum` and `resourceNames`, and every bool field tagged `omitempty`, so
# `pulumi stack export` holds those two and never a false bool: neither is a change of the program's inputs.
HELM_RELEASE_CHECK_COMPUTED_INPUTS: tuple[str, ...] = ("checksum", "resourceNames")
# Source: SEED-BYOCNI ("--version 1.17.4"); moved to 1.19.6 (issue 13), then to 1.20.0, the first 1.20 release, the
# only line whose tested Kubernetes range (CILIUM_K8S_TESTED) holds the minors ACK creates today, 1.35 and 1.36
# (issue #23; docs/cilium.md "Chart pin")
CILIUM_CHART_VERSION = "1.20.0"
# Source: SEED-BYOCNI ("--namespace kube-system")
CILIUM_NAMESPACE = "kube-system"
# Source: ackstack design (components/cilium.py registers the Release under this name; the policy pack also
# recognises a `cni.cilium.chartPath` package by it, whatever the file is called)
CILIUM_RELEASE_NAME = "cilium"


# ---------------------------------------------------------------------------
# Cilium releases, chart facts and agent start-up checks (issues 13 and #23)
#
# Agent sources: the 1.19 and 1.20 lines are read at their exact tags, v1.19.6 and v1.20.0, in the Go module
# zips the module proxy serves (`go mod download -json github.com/cilium/cilium@v1.19.6`; CIL-119 / CIL-120
# below). The 1.17 and 1.18 tags are not served there (v1.17.9, v1.18.12: 403) and the cilium/cilium snapshot is
# over the fetch limit, so their checks stay read at the nearest reachable release commit of the same line in
# the fork devodev/cilium (same history as upstream), "unverified at the exact tag":
#   1.17 line: ee3ca4a7e99 "Prepare for release v1.17.6" (v1.17 branch)
#   1.18 line: 593834ec452 "Prepare for release v1.18.0-pre.3"
# The chart-side facts (key paths, types, images, rendered ConfigMap) come from the exact official packages.
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class CiliumReleaseLine:
    """What ackstack knows of one Cilium release line, in one record (sources in the comments of the table)."""

    line: tuple[int, int]
    # the release whose chart facts ackstack_core/cilium_charts holds (key paths, types, images, templates)
    chart_facts_version: str
    # oldest and newest Kubernetes minor the line is e2e-tested on
    k8s_tested: tuple[tuple[int, int], tuple[int, int]]
    # the agent refuses BPF masquerading without BPF NodePort (CIL003)
    bpf_masquerade_requires_nodeport: bool
    # the NodePort health-check server starts only with kube-proxy replacement (CIL015)
    health_server_needs_kpr: bool


# Sources, per field:
# - k8s_tested: cilium/cilium Documentation/network/kubernetes/requirements.rst:16-24, read at v1.19.6 and v1.20.0
#   (the module proxy's source zips) and, for 1.17/1.18, at v1.17.9 and v1.18.7 (via shared/reference/README.md):
#   "All Kubernetes versions listed are e2e tested ... Older Kubernetes versions not listed here do not have Cilium
#   support."
# - chart_facts_version: official chart packages in shared/reference/cilium (sha256 in each cilium_charts/*.json
#   "source").
# - bpf_masquerade_requires_nodeport: cilium/cilium daemon/cmd/daemon.go "BPF masquerade requires NodePort
#   (--enable-node-port=\"true\")" at ee3ca4a7e99 (1.17.6) line 658 and 593834ec452 (1.18.0-pre.3) line 585; gone at
#   f12299b25e4 (1.19.0-pre.4) daemon.go:108-120, and the 1.19.6 chart has no `nodePort.enabled` key
#   (cilium_charts/cilium-1.19.6.json); CIL-120 daemon/cmd/daemon.go initAndValidateDaemonConfig has no such check
#   either.
# - health_server_needs_kpr: pkg/loadbalancer/healthserver/healthserver.go:105 (v1.19.6, v1.20.0), CIL015.
# A line ackstack does not know follows its nearest known neighbour (`cilium_chart.release_record`).
CILIUM_RELEASE_LINES: tuple[CiliumReleaseLine, ...] = (
    CiliumReleaseLine((1, 17), "1.17.9", ((1, 29), (1, 32)), True, False),
    CiliumReleaseLine((1, 18), "1.18.12", ((1, 30), (1, 33)), True, False),
    CiliumReleaseLine((1, 19), "1.19.6", ((1, 31), (1, 34)), False, True),
    CiliumReleaseLine((1, 20), "1.20.0", ((1, 33), (1, 36)), False, True),
)
# Views of the records for readers that want one field (release line -> tested range; the facts releases, oldest
# first).
CILIUM_K8S_TESTED: dict[tuple[int, int], tuple[tuple[int, int], tuple[int, int]]] = {
    r.line: r.k8s_tested for r in CILIUM_RELEASE_LINES}
CILIUM_CHART_FACTS_VERSIONS: tuple[str, ...] = tuple(r.chart_facts_version for r in CILIUM_RELEASE_LINES)
CILIUM_CHECK_BPF_MASQ_NODEPORT = "daemon/cmd/daemon.go: 1.17 ee3ca4a7e99:658, 1.18 593834ec452:585 (gone in v1.19.6, v1.20.0)"
# Source: cilium/cilium daemon/cmd/daemon.go "BPF ip-masq-agent requires (--enable-ipv4-masquerade=\"true\" or
# --enable-ipv6-masquerade=\"true\") and --enable-bpf-masquerade=\"true\"": ee3ca4a7e99:674, 593834ec452:604, f12299b25e4:122
CILIUM_CHECK_IP_MASQ_AGENT = "daemon/cmd/daemon.go: 1.17 ee3ca4a7e99:674, 1.18 593834ec452:604, v1.19.6:130, v1.20.0:115"
# Source: cilium/cilium daemon/cmd/daemon.go "BPF masquerade requires (--enable-ipv4-masquerade=\"true\" or
# --enable-ipv6-masquerade=\"true\")": ee3ca4a7e99:677, 593834ec452:607, f12299b25e4:124
CILIUM_CHECK_BPF_MASQ_NEEDS_MASQ = "daemon/cmd/daemon.go: 1.17 ee3ca4a7e99:677, 1.18 593834ec452:607, v1.19.6:132, v1.20.0:117"
# Source: cilium/cilium daemon/cmd/daemon.go "BPF masquerading to route source (--enable-masquerade-to-route-source)
# currently not supported with BPF-based masquerading": ee3ca4a7e99:670, 593834ec452:597, f12299b25e4:119
CILIUM_CHECK_ROUTE_SOURCE = "daemon/cmd/daemon.go: 1.17 ee3ca4a7e99:670, 1.18 593834ec452:597, v1.19.6:127, v1.20.0:112"
# Source: cilium/cilium daemon/cmd/daemon.go "BPF masquerade does not allow to specify devices via
# --egress-masquerade-interfaces": ee3ca4a7e99:661, 593834ec452:588, f12299b25e4:112
CILIUM_CHECK_MASQ_INTERFACES = "daemon/cmd/daemon.go: 1.17 ee3ca4a7e99:661, 1.18 593834ec452:588, v1.19.6:120, v1.20.0:105"
# Source: cilium/cilium daemon/cmd/daemon_main.go "auto-direct-node-routes cannot be used with tunneling"
# (log.Fatal): ee3ca4a7e99:1359-1360, 593834ec452:1279-1280, f12299b25e4:1073-1074
CILIUM_CHECK_TUNNEL_DIRECT_ROUTES = "daemon/cmd/daemon_main.go: 1.17 ee3ca4a7e99:1360, 1.18 593834ec452:1280, v1.19.6:1102, v1.20.0:1067"
# Source: cilium/cilium daemon/k8s/init.go:31-32 ("required IPv6 PodCIDR not available", retried until the node
# has one) and :86-87 (the IPv6 allocation range only from the node's IPv6 PodCIDR) at all three commits;
# pkg/option/config.go K8sRequireIPv6PodCIDR "Cilium will block bootstrapping" (ee3ca4a7e99:1404,
# 593834ec452:1330, f12299b25e4:1203). ACK BYOCNI (ackstack) gives nodes an IPv4 PodCIDR only.
CILIUM_CHECK_IPV6_PODCIDR = ("daemon/k8s/init.go:32 (v1.19.6), pkg/node/sync/local_node_sync_wait.go:30 (v1.20.0); pkg/option/config.go K8sRequireIPv6PodCIDR (1.17 ee3ca4a7e99:1404, "
                             "1.18 593834ec452:1330, v1.19.6:1223-1225, v1.20.0:1269-1271)")
# Source: cilium/cilium pkg/ipmasq/ipmasq.go:50-67 (each nonMasqueradeCIDRs entry through netip.ParsePrefix in
# UnmarshalJSON) and :258 (json.Unmarshal of the whole config: one bad entry fails the update, "Failed to
# update", so the agent keeps no list from that file) at f12299b25e4; same at ee3ca4a7e99:67/249
CILIUM_CHECK_IP_MASQ_CONFIG = "pkg/ipmasq/ipmasq.go: 1.17 ee3ca4a7e99:67,249; v1.19.6 and v1.20.0:67,258"
# Source: cilium/cilium Documentation/network/kubernetes/kubeproxy-free.rst:1328-1331 at ee3ca4a7e99 (1.17.6):
# with nodePort enabled next to a running kube-proxy "set nodePort.enableHealthCheck to false ... (kube-proxy will
# also attempt to start this server, and there would otherwise be a clash ...)"; the 1.19.6 chart still renders
# enable-health-check-nodeport (default true)
CILIUM_KUBE_PROXY_HEALTH_CHECK_CLASH = "Documentation/network/kubernetes/kubeproxy-free.rst:1328-1331 (ee3ca4a7e99, 1.17.6)"
# Source: cilium/cilium install/kubernetes/cilium/values.yaml: `ipMasqAgent.config` documents nonMasqueradeCIDRs: [],
# masqLinkLocal: false, masqLinkLocalIPv6: false only as comments (1.17.9 values.yaml:1984-1986, 1.18.12
# :2099-2101, 1.19.6 :2315-2317); types per pkg/ipmasq/ipmasq.go config struct (list of prefixes, two bools)
CILIUM_IP_MASQ_AGENT_CONFIG_TYPES: dict[str, str] = {
    "nonMasqueradeCIDRs": "array", "masqLinkLocal": "boolean", "masqLinkLocalIPv6": "boolean"}
CILIUM_IP_MASQ_AGENT_CONFIG_KEYS: tuple[str, ...] = tuple(CILIUM_IP_MASQ_AGENT_CONFIG_TYPES)
# Source: cilium values.yaml of the three packages: `# egressMasqueradeInterfaces: ""` (1.17.9:811, 1.18.12:878,
# 1.19.6:929), `#kubeProxyReplacement: "false"` (1.17.9:2029; a real key from 1.18) and the ipMasqAgent.config
# keys are comment-only; the templates read them with hasKey. The generator records which a release comments.
CILIUM_COMMENT_ONLY_CANDIDATES: tuple[str, ...] = (
    "kubeProxyReplacement", "egressMasqueradeInterfaces",
    *(f"ipMasqAgent.config.{key}" for key in CILIUM_IP_MASQ_AGENT_CONFIG_TYPES))
CILIUM_COMMENTED_VALUE_PATHS: tuple[str, ...] = ("kubeProxyReplacement", "egressMasqueradeInterfaces")
# Source: the `*.image.repository` defaults of the three chart packages (cilium_charts/*.json "images"): the
# registries the chart pulls from unless overridden
CILIUM_DEFAULT_IMAGE_REGISTRIES: tuple[str, ...] = ("quay.io", "docker.io", "ghcr.io")
# Source: the chart's own `fail` checks, cilium/templates/validate.yaml in the official packages: "Hubble Relay requires
# .Values.hubble.enabled=true" (1.17.9:58, 1.18.12:71, 1.19.6:71) and "Hubble UI requires .Values.hubble.relay.enabled=true"
# (1.17.9:48, 1.18.12:61, 1.19.6:61): the release fails to render at `pulumi up`
CILIUM_CHART_HUBBLE_CHECKS = "cilium/templates/validate.yaml (1.17.9:48,58; 1.18.12:61,71; 1.19.6:61,71)"
# Source: ackstack convention (docs/cilium.md "Overlay"): the Helm release description the program sets when
# cni.cilium.acceptOverlay accepts a tunnel; the mandatory cilium-native-routing policy honours it, so the
# policy and validation CIL004 (a warning then) agree
CILIUM_OVERLAY_ACCEPTED_DESCRIPTION = "ackstack: overlay routing accepted by cni.cilium.acceptOverlay"
# Source: SEED-BYOCNI note (Cilium images come from outside China; pulls may fail; ACR subscription proposed)
CILIUM_IMAGE_REGISTRY_PATTERN = r"^[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:[0-9]{1,5})?(/[a-z0-9]+([._-][a-z0-9]+)*)*$"

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

# Source: ackstack design: removing one of these from a running cluster breaks pod networking or LoadBalancer
# Services (terway-eniip is the CNI: every pod's network; terway-controlplane runs the PodNetworking/PodENI
# controllers and webhook trunk pods need; CCM programs BYOCNI's VPC routes), so their KubernetesAddon resources
# are retained (never uninstalled) when they leave the program, protected in production stacks, and their
# deletion is a `--compare` error (REP017), like the Cilium release's (issue #24 §3)
ADDONS_NEVER_UNINSTALLED: tuple[str, ...] = ("terway-eniip", "terway-controlplane", "cloud-controller-manager")

# ---------------------------------------------------------------------------
# Terway Trunk ENI: existing-cluster path and PodNetworking (issue #3)
# ---------------------------------------------------------------------------

# Source: ackstack design (pod-template annotation whose change makes the DaemonSet controller roll the Terway pods, instead of the seed's `kubectl delete pod -l app=terway-eniip`)
TERWAY_ROLL_ANNOTATION = "ackstack.io/eni-conf-sha256"
# Source: pulumi-kubernetes docs "Server-side apply" (annotation `pulumi.com/patchForce: "true"` makes a Patch resource take ownership of conflicting fields)
PULUMI_PATCH_FORCE_ANNOTATION = "pulumi.com/patchForce"
# Source: SEED-TRUNK ("Secara default, StatefulSets dan pod tanpa ownerReferences didukung" for Fixed)
FIXED_IP_WORKLOAD_KINDS: tuple[str, ...] = ("StatefulSet", "Pod")
# Source: Kubernetes docs "Object Names and IDs" (DNS subdomain names: at most 253 characters)
K8S_DNS_SUBDOMAIN_MAX = 253
# Source: Kubernetes docs "Object Names and IDs" (RFC 1123 label names, e.g. namespaces: at most 63 characters)
K8S_DNS_LABEL_MAX = 63
# Source: Kubernetes docs "Labels and Selectors" (label name segment and value: at most 63 characters)
K8S_LABEL_NAME_MAX = 63

# ---------------------------------------------------------------------------
# PR review: deployed-state comparison, InfraGuard parity, report limits (issue #14)
# ---------------------------------------------------------------------------

# Source: pulumi/pulumi v3.272.0 sdk/python/lib/pulumi/runtime/rpc.py:65 (`_special_sig_key`, also sdk/go/common/resource/sig/sig.go Key)
PULUMI_SIG_KEY = "4dabf18193072939515e22adb298388d"
# Source: pulumi/pulumi v3.272.0 sdk/python/lib/pulumi/runtime/rpc.py:83 (`_special_secret_sig`; `pulumi stack export` writes secrets as {sig: this, "ciphertext": ...})
PULUMI_SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"
# Source: pulumi/pulumi sdk/go/common/apitype/core.go (DeploymentSchemaVersionCurrent = 3: `pulumi stack export` writes {"version": 3, "deployment": {"manifest", "resources": [...]}})
PULUMI_DEPLOYMENT_VERSION = 3
# Source: GitHub REST API docs "Create an issue comment" (body longer than 65536 characters is rejected: "Body is too long (maximum is 65536 characters)")
GITHUB_COMMENT_MAX_CHARS = 65536
# Source: mermaid-js/mermaid 11.17.2 (npm dist/mermaid.core.mjs:1059 `MAX_TEXTLENGTH = 5e4`: longer diagrams are refused with "Maximum text size in diagram exceeded")
MERMAID_MAX_TEXT_SIZE = 50_000
# Source: mermaid-js/mermaid 11.17.2 (config schema default `maxEdges: 500`; flowchart db refuses more links: "Edge limit exceeded")
MERMAID_MAX_EDGES = 500

# InfraGuard parity (Alibaba Cloud's policy-as-code rules), all read at aliyun/infraguard commit
# 6d3cbefa4879fd5ab4d4a28d52f4ff19d7302105 (tag v0.6.0 line), policies/aliyun/...; docs/policies.md maps each rule.
INFRAGUARD_COMMIT = "6d3cbefa4879fd5ab4d4a28d52f4ff19d7302105"
# Source: aliyun/infraguard@6d3cbef policies/aliyun/rules/ros/ack-cluster-node-multi-zone.rego:52 (count(VSwitchIds) >= 3: nodes across 3 or more zones)
MIN_NODE_ZONES = 3
# Source: aliyun/infraguard@6d3cbef policies/aliyun/rules/terraform/ack-cluster-log-plugin-installed.rego:55 (addon.name == "logtail-ds": the Log Service add-on)
ADDON_LOG_SERVICE = "logtail-ds"
# Source: aliyun/infraguard@6d3cbef policies/aliyun/rules/ros/sg-risky-ports-check.rego:53-63 (risky port list; "0/65535" is covered by the all-ports policy)
RISKY_PORTS: tuple[int, ...] = (22, 23, 3389, 3306, 1433, 5432, 27017, 6379)
# Source: aliyun/infraguard@6d3cbef policies/aliyun/lib/helpers.rego:50-57 (private_cidrs: RFC 1918, loopback, link-local, RFC 6598 carrier-grade NAT); a source outside them is "the internet"
NON_INTERNET_CIDRS: tuple[str, ...] = (
    "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "127.0.0.0/8", "169.254.0.0/16", "100.64.0.0/10",
)
# Source: aliyun/infraguard@6d3cbef policies/aliyun/rules/ros/ecs-security-group-not-open-all-port.rego:52 (PortRange "-1/-1" with accept) and ecs-security-group-not-open-all-protocol.rego:52 (IpProtocol "all"); pulumi-alicloud SecurityGroupRule port_range "-1/-1" = all ports
ALL_PORTS_RANGES: tuple[str, ...] = ("-1/-1", "1/65535", "0/65535")
# Source: aliyun/infraguard@6d3cbef policies/aliyun/rules/ros/ecs-security-group-type-not-normal.rego:52 (SecurityGroupType == "enterprise" is compliant)
ENTERPRISE_SECURITY_GROUP_TYPE = "enterprise"
# Source: ackstack design: the description prefix of the cluster-group rules ACK needs (components/cluster_security.py:
# all protocols from the node/pod vSwitches, egress to 0.0.0.0/0); IGD006/IGD007 exempt them (ACK requires them)
ACK_REQUIRED_RULE_DESCRIPTION_PREFIX = "ackstack: "

# ---------------------------------------------------------------------------
# Day 2: `verify` a live cluster against the plan, terway-controlplane migration (issue #16)
# TERWAY-1175 = AliyunContainerService/terway tag v1.17.5 (commit 23a85fc39a18a12abdf8ee28b3504d6ecd9a6002)
# CILIUM-1179 = official chart cilium-1.17.9.tgz (shared/reference/cilium), cilium/templates/...
# ---------------------------------------------------------------------------

# Source: TERWAY-1175 pkg/apis/crds/network.alibabacloud.com_podnetworkings.yaml:13 (plural), :15 (scope: Cluster)
PODNETWORKING_PLURAL = "podnetworkings"
# Source: TERWAY-1175 pkg/apis/crds/network.alibabacloud.com_podnetworkings.yaml:201,207 (status.status);
# pkg/apis/network.alibabacloud.com/v1beta1/types.go:276 (NetworkingStatusReady = "Ready"); SEED-TRUNK example "status: Ready"
PODNETWORKING_STATUS_READY = "Ready"
# Source: TERWAY-1175 pkg/apis/crds/network.alibabacloud.com_podenis.yaml:11,13,15 (kind PodENI, plural podenis, Namespaced)
PODENI_KIND = "PodENI"
# Source: same CRD file as PODENI_KIND
PODENI_PLURAL = "podenis"
# Source: TERWAY-1175 pkg/apis/network.alibabacloud.com/v1beta1/types.go:146 (ENIPhaseBind = "Bind"); CRD podenis.yaml:158
# (status.phase); SEED-TRUNK FAQ PodENI example "phase: Bind"
PODENI_PHASE_BIND = "Bind"
# Source: TERWAY-1175 types/k8s.go:28,38 (AnnotationPrefix + "pod-networking"); SEED-TRUNK FAQ ("k8s.aliyun.com/pod-networking")
POD_NETWORKING_ANNOTATION = "k8s.aliyun.com/pod-networking"
# Source: SEED-TRUNK ("kubectl scale deploy -nkube-system terway-controlplane --replicas 0")
TERWAY_CONTROLPLANE_NAMESPACE = "kube-system"
# Source: TERWAY-1175 charts/terway/templates/terway-controlplane/deployment.yaml:4; SEED-TRUNK migration section
TERWAY_CONTROLPLANE_DEPLOYMENT = "terway-controlplane"
# Source: TERWAY-1175 charts/terway/templates/terway-controlplane/webhook.yaml:4 (MutatingWebhookConfiguration) and :38
# (ValidatingWebhookConfiguration); SEED-TRUNK ("kubectl get mutatingwebhookconfigurations... terway-controlplane")
TERWAY_CONTROLPLANE_WEBHOOK = "terway-controlplane"
# Source: SEED-TRUNK ("kubectl scale deploy -nkube-system terway-controlplane --replicas 1" when the migration failed)
TERWAY_CONTROLPLANE_RESTORE_REPLICAS = 1
# Source: Kubernetes API reference (admissionregistration.k8s.io/v1 mutating/validatingwebhookconfigurations, cluster-scoped)
WEBHOOK_CONFIGURATION_API_VERSION = "admissionregistration.k8s.io/v1"
# Source: ackstack design: the inventory key of an adopted cluster's terway-controlplane webhook configurations
INVENTORY_WEBHOOKS_KEY = "webhookConfigurations"
# Source: Kubernetes docs "Well-Known Labels" (node-role.kubernetes.io/master on control-plane nodes); a dedicated ACK
# cluster lists its masters as nodes, a managed one does not (unverified: inferred, not stated in the seed)
NODE_ROLE_MASTER_LABELS: tuple[str, ...] = ("node-role.kubernetes.io/master", "node-role.kubernetes.io/control-plane")
# Source: Kubernetes docs "Well-Known Labels, Annotations and Taints" (topology.kubernetes.io/zone, set on nodes by the
# cloud provider)
NODE_ZONE_LABEL = "topology.kubernetes.io/zone"
# Source: SEED-TRUNK step 4 StatefulSet example image (the canary pod's default image)
CANARY_IMAGE = "anolis-registry.cn-zhangjiakou.cr.aliyuncs.com/openanolis/nginx:1.14.1-8.6"
# Source: CILIUM-1179 cilium/templates/cilium-agent/daemonset.yaml:18 (DaemonSet "cilium", in the release namespace)
CILIUM_DAEMONSET_NAME = "cilium"
# Source: CILIUM-1179 cilium/templates/cilium-configmap.yaml:93
CILIUM_CONFIGMAP_NAME = "cilium-config"
# Source: CILIUM-1179 cilium/templates/cilium-configmap.yaml:511 (routing-mode), :1044 (ipam), :701
# (ipv4-native-routing-cidr), :605 (enable-ipv4-masquerade), :619 (enable-bpf-masquerade), :628 (enable-ip-masq-agent,
# written only when enabled); values are quoted, so booleans read "true"/"false"
CILIUM_CONFIG_KEYS: dict[str, str] = {
    "routingMode": "routing-mode",
    "ipam.mode": "ipam",
    "ipv4NativeRoutingCIDR": "ipv4-native-routing-cidr",
    "enableIPv4Masquerade": "enable-ipv4-masquerade",
    "bpf.masquerade": "enable-bpf-masquerade",
    "ipMasqAgent.enabled": "enable-ip-masq-agent",
}

# ---------------------------------------------------------------------------
# terway-controlplane as it really behaves (issue #12: webhooks, matching, readiness, adopted clusters)
# TWY-x = AliyunContainerService/terway at tag x (fetched; tags v1.10.0 v1.11.5 v1.12.1 v1.13.7 v1.14.5
# v1.15.3 v1.16.6 v1.17.5 and HEAD 89aadf8b). The webhook rules per version are in
# ackstack_core/terway_webhook.py, each with its file:line.
# ---------------------------------------------------------------------------

# Source: TWY-v1.17.5 charts/terway/templates/terway-controlplane/webhook.yaml:9-13 (the mutating pod webhook's namespaceSelector: k8s.aliyun.com/pod-eni NotIn ["false"])
POD_ENI_NAMESPACE_LABEL = "k8s.aliyun.com/pod-eni"
# Source: same file:13 (value that takes a namespace out of the pod webhook)
POD_ENI_NAMESPACE_OPT_OUT = "false"
# Source: TWY-v1.17.5 pkg/utils/k8s.go:14 (stsKinds starts as ["StatefulSet"]) and :22-34 (IsFixedNamePod: no ownerReferences, or an owner kind in stsKinds)
FIXED_NAME_OWNER_KINDS: tuple[str, ...] = ("StatefulSet",)
# Source: TWY-v1.17.5 types/controlplane/config_default.go:69 (terway-controlplane config `customStatefulWorkloadKinds`, appended to stsKinds by cmd/terway-controlplane/terway-controlplane.go:128); same field since TWY-v1.10.0 config_default.go:70
CONTROLPLANE_CUSTOM_STATEFUL_KINDS_KEY = "customStatefulWorkloadKinds"
# Source: TWY-v1.17.5 types/daemon/config.go:61 (eni_conf `custom_stateful_workload_kinds`, read by the terway daemon)
ENI_CONF_CUSTOM_STATEFUL_KINDS_KEY = "custom_stateful_workload_kinds"
# Source: TWY-v1.17.5 pkg/apis/network.alibabacloud.com/v1beta1/types.go:276-277 (status.status Ready / Fail)
PODNETWORKING_STATUS_READY = "Ready"
# Source: same file:277
PODNETWORKING_STATUS_FAIL = "Fail"
# Source: pulumi/pulumi-kubernetes await tests (CustomResource with annotation `pulumi.com/waitFor: condition=Foo`) and CHANGELOG v4.18.0 (`pulumi.com/waitFor`, kubectl-wait `jsonpath=`/`condition=` syntax); pinned pulumi-kubernetes 4.34.2 has it
PULUMI_WAIT_FOR_ANNOTATION = "pulumi.com/waitFor"
# Source: kubectl wait `--for=jsonpath='{.status.phase}'=Running` syntax (kubernetes.io kubectl wait reference) over the PodNetworking status field above
PODNETWORKING_WAIT_FOR_READY = "jsonpath={.status.status}=Ready"
# Source: TWY-v1.17.5 types/daemon/config.go:139-151 (Config.Validate: ip_stack "", "ipv4" or "dual"; "ipv6" is refused there); same at v1.10.0 config.go:103-113
ENI_CONF_IP_STACKS: tuple[str, ...] = ("", "ipv4", "dual")
# Source: TWY-v1.17.5 types/daemon/config.go:53 and :58 (eni_conf keys `security_groups`, `ip_stack`); the ENIs
# Terway creates get the union with `security_group` (GetSecurityGroups :84-91), and so does a PodNetworking created
# without securityGroupIDs (pkg/controller/webhook/mutating.go:267-269)
ENI_CONF_SECURITY_GROUPS_KEY = "security_groups"
# Source: same file:58
ENI_CONF_IP_STACK_KEY = "ip_stack"
# Source: same file:52 (`security_group`, the single-group form)
ENI_CONF_SECURITY_GROUP_KEY = "security_group"
# Source: TWY-v1.17.5 types/daemon/config.go:38 (`vswitches`: zone -> vSwitch ids; GetVSwitchIDs :93-100 flattens and sorts
# them, what a PodNetworking created without vSwitchOptions gets, mutating.go:270-272)
ENI_CONF_VSWITCHES_KEY = "vswitches"
# Source: TWY-v1.17.5 types/daemon/config.go:58 (ip_stack `validate:"oneof=ipv4 ipv6 dual" mod:"default=ipv4"`), applied by
# terway-controlplane's reader ConfigFromConfigMap (types/daemon/dynamicconfig.go:51-60): "" becomes ipv4, ipv6 passes
# there (the daemon's Validate, ENI_CONF_IP_STACKS, refuses it)
ENI_CONF_CONTROLPLANE_IP_STACKS: tuple[str, ...] = ("ipv4", "ipv6", "dual")
# Source: TWY-v1.17.5 deviceplugin/eni.go:31-32 (the extended resources the pod webhook requests, mutating.go:373-403:
# a member ENI of the node's trunk, or a whole ENI for eniType ENI or with terway-controlplane's enableTrunk off)
POD_ENI_RESOURCE = "aliyun/eni"
POD_MEMBER_ENI_RESOURCE = "aliyun/member-eni"
# Source: TWY-v1.17.5 types/k8s.go:78 (label k8s.aliyun.com/ignore-by-terway) and :146-148 (IgnoredByTerway: value "true");
# the pod webhook lets such pods through untouched (pkg/controller/webhook/mutating.go:90-92)
POD_IGNORE_BY_TERWAY_LABEL = "k8s.aliyun.com/ignore-by-terway"
# Source: SEED-TRUNK ("kubectl get secret -n kube-system addon.network.token": the Secret a managed cluster needs for credential_path)
ADDON_NETWORK_TOKEN_SECRET = "addon.network.token"
# Source: SEED-TRUNK (same command: namespace kube-system)
ADDON_NETWORK_TOKEN_NAMESPACE = "kube-system"
# Source: ACK "Manage pod capacity on nodes" (https://www.alibabacloud.com/help/en/ack/ack-managed-and-ack-dedicated/user-guide/adjusting-the-number-of-node-pods,
# Terway table, shared ENI row): "A node can join a cluster only if the maximum number of pods per node is greater than 11",
# where Terway's per-node maximum is (EniQuantity - 1) x EniPrivateIpAddressQuantity (shared_eni_pods_per_node). Verified
# (review r1); applying the same floor to the kubelet maxPods and BYOCNI maxPodsPerNode is ackstack's reading.
ACK_MIN_MAX_PODS_EXCLUSIVE = 11
ACK_MIN_MAX_PODS_DOC = "https://www.alibabacloud.com/help/en/ack/ack-managed-and-ack-dedicated/user-guide/adjusting-the-number-of-node-pods"
# Provider Check, cluster security group rules, node login (issue #11)
# ---------------------------------------------------------------------------

# Source: aliyun/terraform-provider-alicloud release/v2 head (Merge PR #10282, 2026-08-21), the newest commit of the
# line pulumi-alicloud 4.0.0 builds on: the 4.0.0 SDK carries that line's amqp create_time as a string (bf583ff1d)
# and hbr rule_type SECURITY (e59499f45, merged by 23d993b8e). The pulumi-alicloud v4.0.0 tag itself is not in the
# stored snapshot of pulumi/pulumi-alicloud (newest there: v3.105.0 on terraform-provider-alicloud v1.289.0).
PROVIDER_SCHEMA_COMMIT = "ace5bcf8777e87cf3c2ae0907dfc16164c30b51f"
# Source: aliyun/terraform-provider-alicloud@ace5bcf8777e alicloud/extension_ecs.go:73 (AllPortRange = "-1/-1")
SG_ALL_PORT_RANGE = "-1/-1"
# Source: aliyun/terraform-provider-alicloud@ace5bcf8777e alicloud/resource_alicloud_security_group_rule.go:208-216 (Create: tcp/udp refuse "-1/-1"; icmp, gre and all accept only "-1/-1")
SG_PORTED_PROTOCOLS: tuple[str, ...] = ("tcp", "udp")
# Source: same file:212-213 ("'tcp' and 'udp' can support port range: [1, 65535]"); ECS API AuthorizeSecurityGroup PortRange (1 to 65535)
SG_PORT_MIN, SG_PORT_MAX = 1, 65535
# Source: ACK docs "Configure and manage cluster security groups" (alibabacloud.com/help/doc-detail/353191.htm, Feb 09 2026): an existing group gets no rules from ACK; recommended inbound: ICMP -1/-1 from 0.0.0.0/0, all protocols -1/-1 from the cluster's group and (Flannel-like overlay: BYOCNI here) the pod CIDR; outbound all -1/-1 to 0.0.0.0/0
ACK_SG_ICMP_SOURCE = "0.0.0.0/0"
# Source: same doc ("least privilege settings"); ackstack narrows the ICMP source to the VPC CIDR (the sg-no-open-admin-ports policy refuses -1/-1 from 0.0.0.0/0, and nothing outside the VPC needs to ping nodes)
ACK_SG_ICMP_FROM_VPC_ONLY = True
# Source: same doc (outbound recommended: all protocols, -1/-1, 0.0.0.0/0)
ACK_SG_EGRESS_DESTINATION = "0.0.0.0/0"
# Source: ECS docs "Advanced security groups" (enterprise groups: members do not talk to each other by default and a rule cannot name a security group as its source) -- hence CIDR sources for node/pod vSwitches instead of the group itself (unverified: the ACK doc's enterprise-group table was not readable in the search index)
SG_TYPES_WITH_GROUP_SOURCE: tuple[str, ...] = ("basic",)
# Source: ackstack design: the name prefix of the rules ackstack adds to the cluster group (stable names by purpose and vSwitch name)
ACK_SG_RULE_PREFIX = "ack"
# Source: aliyun/terraform-provider-alicloud@ace5bcf8777e website/docs/r/cs_kubernetes_node_pool.html.markdown:745 ("You have to specify one of password and key_name") and :729 ("When the node pool is a managed node pool, only key_name is supported")
NODE_LOGIN_DOC = "terraform-provider-alicloud website/docs/r/cs_kubernetes_node_pool.html.markdown:729,745"
# Source: aliyun/terraform-provider-alicloud@ace5bcf8777e alicloud/resource_alicloud_cs_managed_kubernetes.go:180-184 (slb_internet_enabled Default true) and :687 (sent only when d.GetOk is true: false never reaches CreateCluster, whose endpoint_public_access then takes ACK's default)
API_PUBLIC_SENT_ONLY_WHEN_TRUE = True
# Source: aliyun/terraform-provider-alicloud@ace5bcf8777e alicloud/resource_alicloud_cs_managed_kubernetes.go:216-226 (encryption_provider_key DiffSuppressFunc kmsEncryptionDiffSuppressFunc :1568 suppresses every key change while disable_encryption, Computed from the cluster, is true) and :1161 (Update sends UpdateKMSEncryption when either changes)
KMS_KEY_NEEDS_EXPLICIT_ENABLE = True
# Source: ECS API AuthorizeSecurityGroup Description ("2 to 512 characters") (unverified in the provider schema, which sets no length)
SG_RULE_DESCRIPTION_MAX = 512
# Hostile input: YAML reading, input limits, tags, labels, URNs (issue #15)
# ---------------------------------------------------------------------------

# Source: go-yaml/yaml v3.0.1 (f6f7691b1fdeb513f56608cd2c32c51f8194bf51) scannerc.go:956,990 (max depth 10000) and
# decode.go:468-490 (alias ratio). ackstack's limits are stricter by design: a stack file is small, and Pulumi's
# serialisation recurses per level (values nested ~300 deep fail at registration), so refuse early.
INPUT_MAX_BYTES = 4 * 1024 * 1024
# Source: ackstack design: a `--compare` base is a whole stack's state (`pulumi stack export`), which grows with the
# stack (~2 KB per resource; 1,000 PodNetworkings make a few MB): room for 100x that, still far from memory limits
COMPARE_MAX_BYTES = 256 * 1024 * 1024
# Source: ackstack design (see above; deepest example stack value is 6 levels)
INPUT_MAX_NESTING = 64
# Source: ackstack design (values after alias expansion; go-yaml v3 decode.go:468 allows ~400,000 alias decodes).
# A stack of 5,000 PodNetworkings, the largest size issue #24 asks to scale to, is ~214,000 values (2.3 MB;
# bench/bench_scaling.py's generator), so 200,000 refused it; a billion-laughs file still reaches this at once.
INPUT_MAX_NODES = 1_000_000
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


# ---------------------------------------------------------------- review r1: real-path reads (issues 11/12/16)
# Source: aliyun/terraform-provider-alicloud@ace5bcf8777e alicloud/service_alicloud_cs.go:415-475
# (DescribeCsKubernetesAllAvailableAddons: ListAddons gives every add-on available to the cluster; one whose
# GetClusterAddonInstance is NotFound keeps Version "") and data_source_alicloud_cs_kubernetes_addons.go:148-160
# (current_version = that Version): an add-on that is not installed is listed with an empty current_version.
ADDONS_DATA_SOURCE_LISTS_AVAILABLE = True
# Source: aliyun/terraform-provider-alicloud@ace5bcf8777e alicloud/resource_alicloud_cs_kubernetes_addon.go:140-164
# (Create: an add-on the cluster already runs is not installed again but passed to updateAddon) and :240-266
# (needUpgrade: a `version` different from the installed one, older included, is sent as UpgradeClusterAddons;
# a changed `config` alone as ModifyClusterAddon).
ADDON_CREATE_ADOPTS_SOURCE = "terraform-provider-alicloud resource_alicloud_cs_kubernetes_addon.go:140-164,261-266"
# Source: aliyun/terraform-provider-alicloud@ace5bcf8777e alicloud/service_alicloud_cs.go:242-244
# (DescribeClusterKubeConfigWithExpiration sends PrivateIpAddress false; cs.getClusterCredential has no argument
# for it): the kubeconfig names the public endpoint when there is one. Which address it names without one: unverified.
CLUSTER_CREDENTIAL_PRIVATE_IP_ADDRESS = False

# ---------------------------------------------------------------------------
# Cilium values that stop the agent, leave nodes NotReady or silently do less (issue #23 sections 2-4).
# CIL-119 = github.com/cilium/cilium@v1.19.6 and CIL-120 = @v1.20.0, the Go module zips the module proxy
# serves (`go mod download -json github.com/cilium/cilium@v1.19.6`); paths:lines inside them. Chart lines are
# the official packages in shared/reference/cilium.
# ---------------------------------------------------------------------------

# Source: official chart packages, cilium/templates/cilium-agent/daemonset.yaml: the `cilium-ipsec-secrets` volume
# is the Secret `encryption.ipsec.secretName` (default cilium-ipsec-keys, values.yaml 1.19.6:1146) and is not
# optional (1.17.9:960, 1.18.12:993, 1.19.6:1034, 1.20.0:1043): without the Secret the agent pod never starts
CILIUM_CHECK_IPSEC_SECRET = "cilium/templates/cilium-agent/daemonset.yaml (1.17.9:960, 1.18.12:993, 1.19.6:1034, 1.20.0:1043)"
# Source: CIL-119 pkg/datapath/linux/bandwidth/bandwidth.go:188-196 ("cannot enable --enable-bbr-hostns-only without
# enabling --enable-bbr"; "BPF bandwidth manager's BBR setup requires BPF host routing."), CIL-120 bandwidth.go:230;
# host legacy routing is forced on without kube-proxy replacement: CIL-119 pkg/kpr/initializer/kube_proxy_replacement.go:46-47,
# CIL-120 :53-57 ("BPF host routing requires kube-proxy-replacement")
CILIUM_CHECK_BBR_HOST_ROUTING = ("pkg/datapath/linux/bandwidth/bandwidth.go (v1.19.6:188-196, v1.20.0:230); "
                                 "pkg/kpr/initializer/kube_proxy_replacement.go (v1.19.6:46-47, v1.20.0:53-57)")
# Source: CIL-119 daemon/cmd/daemon_main.go:1058-1059, CIL-120 daemon/cmd/daemon_main.go:1051-1052
# (logging.Fatal "Either IPv4 or IPv6 addressing must be enabled")
CILIUM_CHECK_IP_FAMILY = "daemon/cmd/daemon_main.go (v1.19.6:1058, v1.20.0:1052)"
# Source: CIL-119 pkg/clustermesh/types/option.go:51-53 ("invalid cluster id %d: must be in range %d..%d") with
# ClusterIDMax = max-connected-clusters, 255 or 511 (types.go:39-47); the name pattern and length types.go:28-34;
# the chart refuses the default name with a non-zero id (validate.yaml 1.19.6:161-162, 1.20.0:161-162)
CILIUM_CHECK_CLUSTER_ID = "pkg/clustermesh/types/option.go:51 and types.go:28-47 (v1.19.6, v1.20.0); chart validate.yaml:153-162"
CILIUM_CLUSTER_ID_MAX_BY_MAX_CONNECTED: dict[int, int] = {255: 255, 511: 511}
CILIUM_CLUSTER_NAME_PATTERN = r"^([a-z0-9][-a-z0-9]*)?[a-z0-9]$"
CILIUM_CLUSTER_NAME_MAX = 32
# Source: CIL-119 pkg/k8s/synced/crd.go:158,212-216 and cell.go:61 (the agent waits `crd-wait-timeout`, 5 min, for
# the CRDs the operator registers, then exits "Unable to find all Cilium CRDs necessary"); CIL-120 crd.go:215,
# cell.go:62. The operator Deployment renders only with operator.enabled (templates/cilium-operator/deployment.yaml:1)
CILIUM_CHECK_OPERATOR_CRDS = "pkg/k8s/synced/crd.go (v1.19.6:212, v1.20.0:215) and cell.go (v1.19.6:61, v1.20.0:62)"
# Source: official chart cilium/templates/cilium-configmap.yaml:61-68 (1.19.6, 1.20.0): `eni.enabled` sets the
# agent's `ipam: eni` (AWS ENI IPAM) and routing mode native, whatever ipam.mode says
CILIUM_CHECK_ENI_IPAM = "cilium/templates/cilium-configmap.yaml:61-68 (1.19.6, 1.20.0)"
# Source: official chart cilium/templates/cilium-configmap.yaml, `extraConfig` appended verbatim after every typed key
# (1.17.9:1373, 1.18.12:1436, 1.19.6:1521, 1.20.0:1576). The cilium-config keys below are the ones ackstack's rules
# decide through typed values (CIL001-CIL029, CAP005); set through extraConfig they bypass those rules.
CILIUM_CHECK_EXTRA_CONFIG = "cilium/templates/cilium-configmap.yaml (1.19.6:1521, 1.20.0:1576)"
CILIUM_RULE_READ_CONFIG_KEYS: dict[str, str] = {
    "routing-mode": "routingMode", "tunnel-protocol": "tunnelProtocol", "ipam": "ipam.mode",
    "ipv4-native-routing-cidr": "ipv4NativeRoutingCIDR", "enable-ipv4": "ipv4.enabled", "enable-ipv6": "ipv6.enabled",
    "enable-ipv4-masquerade": "enableIPv4Masquerade", "enable-ipv6-masquerade": "enableIPv6Masquerade",
    "enable-bpf-masquerade": "bpf.masquerade", "enable-ip-masq-agent": "ipMasqAgent.enabled",
    "enable-masquerade-to-route-source": "enableMasqueradeRouteSource",
    "egress-masquerade-interfaces": "egressMasqueradeInterfaces", "auto-direct-node-routes": "autoDirectNodeRoutes",
    "kube-proxy-replacement": "kubeProxyReplacement", "enable-health-check-nodeport": "nodePort.enableHealthCheck",
    "enable-node-port": "nodePort.enabled", "enable-host-legacy-routing": "bpf.hostLegacyRouting",
    "k8s-require-ipv4-pod-cidr": "k8s.requireIPv4PodCIDR", "k8s-require-ipv6-pod-cidr": "k8s.requireIPv6PodCIDR",
    "cluster-id": "cluster.id", "cluster-name": "cluster.name", "max-connected-clusters": "clustermesh.maxConnectedClusters",
    "enable-ipsec": "encryption.enabled", "enable-bandwidth-manager": "bandwidthManager.enabled",
    "enable-bbr": "bandwidthManager.bbr", "enable-bbr-hostns-only": "bandwidthManager.bbrHostNamespaceOnly",
    "enable-ingress-controller": "ingressController.enabled", "enable-gateway-api": "gatewayAPI.enabled",
    "enable-ipv4-egress-gateway": "egressGateway.enabled", "crd-wait-timeout": "(agent flag)",
}
# Source: CIL-119 operator/pkg/ingress/cell.go:105-107 and operator/pkg/gateway-api/cell.go:112-114, CIL-120
# ingress/cell.go:122 and gateway-api/cell.go:105: without kube-proxy replacement the operator logs "... requires
# kube-proxy-replacement enabled" and registers no reconciler
CILIUM_CHECK_INGRESS_GATEWAY_KPR = ("operator/pkg/ingress/cell.go (v1.19.6:105, v1.20.0:122); "
                                    "operator/pkg/gateway-api/cell.go (v1.19.6:112, v1.20.0:105)")
# Source: CIL-119 Documentation/network/egress-gateway/egress-gateway.rst:55-56 ("requires that both BPF masquerading
# and the kube-proxy replacement are enabled"); CIL-120 same file:56; the agent itself refuses only the masquerade
# part (pkg/egressgateway/manager.go v1.19.6:204-205, v1.20.0:201-202)
CILIUM_CHECK_EGRESS_GATEWAY_KPR = "Documentation/network/egress-gateway/egress-gateway.rst (v1.19.6:55-56, v1.20.0:56)"
# Source: CIL-119 and CIL-120 pkg/loadbalancer/healthserver/healthserver.go:105: the NodePort health-check server
# starts only with kube-proxy replacement on, so it cannot clash with ACK's kube-proxy otherwise (1.19 and later)
CILIUM_CHECK_HEALTH_SERVER_KPR = "pkg/loadbalancer/healthserver/healthserver.go:105 (v1.19.6, v1.20.0)"

# Source: CIL-120 (and CIL-119) pkg/ipam/hostscope.go:21-24 (the Kubernetes-IPAM pool is ipallocator.NewCIDRRange of
# the node's PodCIDR) with pkg/ipam/service/ipallocator/allocator.go:105-116 (network and broadcast addresses excluded
# for CIDRs larger than 2 addresses), then daemon/infraendpoints/infra_ip_allocation.go:265 (the router IP, cilium_host)
# and :370 (the health endpoint) take two more: a /24 node CIDR gives Cilium pods 2^8 - 4 = 252 addresses. An
# Ingress controller takes one more (:453; not counted).
CILIUM_NODE_CIDR_RESERVED_IPS = 4
