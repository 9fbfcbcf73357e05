"""Typed stack configuration: every user input, parsed once, strict.

Keys are camelCase as written in `Pulumi.<stack>.yaml` under the `ackstack:` namespace; unknown keys
are errors so a typo never silently falls back to a default. Checks that need more than one field
(zones, CIDR math, capacity) live in `components.validation`, not here: this module only says what
shape the input has.
"""

from __future__ import annotations

import functools
import ipaddress
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    WithJsonSchema,
    field_validator,
    model_validator,
)
from pydantic.alias_generators import to_camel

from ackstack_core import constants as C
from ackstack_core.versions import parse_version

# Kubernetes object names (RFC 1123 subdomain / label); checked again with messages in validation.
_NAME = r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$"


class Model(BaseModel):
    """Base: camelCase keys, no unknown keys, immutable after parsing."""

    model_config = ConfigDict(
        alias_generator=to_camel, populate_by_name=True, extra="forbid", frozen=True, str_strip_whitespace=False
    )


def _cidr(value: str) -> str:
    """Python's reading (host bits clear); how the CIDR is spelt is rule NET020's (Go's netip.ParsePrefix)."""
    try:
        ipaddress.IPv4Network(value, strict=True)
    except ValueError as exc:
        raise ValueError(f"not an IPv4 CIDR block with host bits clear ({exc})") from None
    return value


Cidr = Annotated[str, Field(min_length=9, max_length=18)]


def _not_a_boolean(value: object) -> object:
    """pydantic's lax mode reads `true` as 1 (`maxSize: true` was a pool of one node): a YAML boolean is never a
    count. A number as text ("6") stays accepted: the CLI hands every config value over as text."""
    if isinstance(value, bool):
        raise ValueError("must be an integer, not a boolean")
    return value


Int = Annotated[int, BeforeValidator(_not_a_boolean)]
OptionalInt = Annotated[int | None, BeforeValidator(_not_a_boolean)]  # not `Int | None`: Field(ge=...) must reach int


def _scalar_text(value: object) -> object:
    """`pulumi config set --path 'ackstack:environment.tags.costCenter' 4711` stores a number (and `true` a
    boolean): tag and label values take them as the text the user typed."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int) or (isinstance(value, float) and value.is_integer()):
        return str(int(value))
    if isinstance(value, float):
        return repr(value)
    return value


# A tag or label value: a string, or a number/boolean as `pulumi config set --path` writes it.
ScalarText = Annotated[str, BeforeValidator(_scalar_text),
                       WithJsonSchema({"type": ["string", "number", "boolean"]}, mode="validation")]


# ---------------------------------------------------------------- environment
class EnvironmentConfig(Model):
    """Who this stack is for; `production` turns on resource protection."""

    name: str = Field(pattern=_NAME, max_length=40)
    production: bool = False
    tags: dict[str, ScalarText] = Field(default_factory=dict)


# ---------------------------------------------------------------- network
class VpcConfig(Model):
    """Create a VPC (`cidr`) or adopt one (`id`)."""

    cidr: Cidr | None = None
    id: str | None = Field(default=None, pattern=r"^vpc-[a-z0-9]+$")
    name: str | None = None

    _check_cidr = field_validator("cidr")(lambda v: v if v is None else _cidr(v))

    @model_validator(mode="after")
    def _one_of(self) -> VpcConfig:
        if (self.cidr is None) == (self.id is None):
            raise ValueError("set exactly one of `cidr` (create a VPC) or `id` (adopt an existing VPC)")
        return self


VSwitchRole = Literal["node", "pod", "podnetworking"]


class VSwitchConfig(Model):
    """A vSwitch by stable name: `node` hosts nodes, `pod` is a cluster pod vSwitch (Terway
    `pod_vswitch_ids`), `podnetworking` is dedicated to PodNetworkings."""

    name: str = Field(pattern=_NAME, max_length=63)
    role: VSwitchRole
    zone_id: str | None = Field(default=None, min_length=3, max_length=40)
    cidr: Cidr | None = None
    id: str | None = Field(default=None, pattern=r"^vsw-[a-z0-9]+$")

    _check_cidr = field_validator("cidr")(lambda v: v if v is None else _cidr(v))

    @model_validator(mode="after")
    def _one_of(self) -> VSwitchConfig:
        if (self.cidr is None) == (self.id is None):
            raise ValueError("set exactly one of `cidr` (create) or `id` (adopt)")
        if self.cidr is not None and self.zone_id is None:
            raise ValueError("`zoneId` is required when the vSwitch is created")
        return self


class SecurityGroupRuleConfig(Model):
    """One ingress/egress rule; `name` keeps the resource identity stable when rules are reordered."""

    name: str = Field(pattern=_NAME, max_length=63)
    direction: Literal["ingress", "egress"] = "ingress"
    protocol: Literal["tcp", "udp", "icmp", "gre", "all"] = "tcp"
    port_range: str = Field(default="-1/-1", pattern=r"^(-1/-1|\d{1,5}/\d{1,5})$")
    cidr: Cidr
    policy: Literal["accept", "drop"] = "accept"
    priority: Int = Field(default=1, ge=1, le=100)
    description: str = ""

    _check_cidr = field_validator("cidr")(lambda v: _cidr(v))


class SecurityGroupConfig(Model):
    """Create (enterprise by default) or adopt (`id`, with its `type` declared) a security group."""

    name: str = Field(pattern=_NAME, max_length=63)
    type: Literal["enterprise", "basic"] = "enterprise"
    id: str | None = Field(default=None, pattern=r"^sg-[a-z0-9]+$")
    description: str = ""
    rules: list[SecurityGroupRuleConfig] = Field(default_factory=list)

    @model_validator(mode="after")
    def _adopted_has_no_rules(self) -> SecurityGroupConfig:
        if self.id is not None and self.rules:
            raise ValueError("rules can only be managed on a security group that ackstack creates (no `id`)")
        return self


class NetworkConfig(Model):
    vpc: VpcConfig
    vswitches: list[VSwitchConfig] = Field(min_length=1)
    security_groups: list[SecurityGroupConfig] = Field(min_length=1)


# ---------------------------------------------------------------- cluster
class Taint(Model):
    key: str = Field(min_length=1, max_length=317)
    value: str = ""
    effect: Literal["NoSchedule", "PreferNoSchedule", "NoExecute"] = "NoSchedule"


class SystemDisk(Model):
    category: Literal["cloud_essd", "cloud_auto", "cloud_efficiency", "cloud_ssd", "cloud_essd_entry"] = (
        "cloud_essd"
    )
    size_gb: Int = Field(default=120, ge=20, le=2048)
    encrypted: bool = True
    kms_key_id: str | None = None


class NodePoolConfig(Model):
    """A node pool, placed on the `node` vSwitches of its zones."""

    name: str = Field(pattern=_NAME, max_length=63)
    instance_types: list[str] = Field(min_length=1, max_length=10)
    zones: list[str] = Field(min_length=1)
    min_size: Int = Field(default=0, ge=0, le=1000)
    max_size: Int = Field(ge=0, le=1000)
    desired_size: OptionalInt = Field(default=None, ge=0, le=1000)
    autoscaling: bool = False
    labels: dict[str, ScalarText] = Field(default_factory=dict)
    taints: list[Taint] = Field(default_factory=list)
    system_disk: SystemDisk = Field(default_factory=SystemDisk)
    auto_repair: bool = True
    auto_upgrade: bool = False
    max_pods: OptionalInt = Field(default=None, ge=8, le=1024)
    # Login: an ECS key pair name (this pool; else cluster.keyName). Managed pools take only a key pair;
    # `managed: false` pools may log in with the `ackstack:nodePassword` secret instead.
    key_name: str | None = Field(default=None, min_length=2, max_length=128)
    managed: bool = True
    image_type: str = "AliyunLinux3"
    security_groups: list[str] = Field(default_factory=list)

    @field_validator("instance_types")
    @classmethod
    def _instance_type_shape(cls, value: list[str]) -> list[str]:
        for item in value:
            if not item.startswith("ecs."):
                raise ValueError(f"instance type {item!r} must look like `ecs.<family>.<size>`")
        return value

    @model_validator(mode="after")
    def _sizes(self) -> NodePoolConfig:
        if self.min_size > self.max_size:
            raise ValueError(f"minSize {self.min_size} is larger than maxSize {self.max_size}")
        desired = self.desired_size
        if desired is not None and not self.min_size <= desired <= self.max_size:
            raise ValueError(f"desiredSize {desired} is outside minSize..maxSize ({self.min_size}..{self.max_size})")
        return self

    @property
    def initial_size(self) -> int:
        return self.desired_size if self.desired_size is not None else self.min_size


class ApiServerConfig(Model):
    # Sent explicitly; the provider passes only `true` on to ACK (docs/operations.md "Private API server").
    public: bool = False
    # Deprecated by the provider (no effect since PayByCLCU); accepted for old stack files, never sent.
    load_balancer_spec: str | None = None


class ControlPlaneLogsConfig(Model):
    enabled: bool = True
    components: list[Literal[C.ACK_CONTROL_PLANE_LOG_COMPONENTS]] = Field(
        default_factory=lambda: ["apiserver", "kcm", "scheduler", "ccm"]
    )
    ttl_days: Int = Field(default=30, ge=1, le=3650)
    project: str | None = None


class ExistingClusterConfig(Model):
    """Adopt a cluster ackstack did not create (the ACK guide's "enable on an existing cluster" path)."""

    cluster_id: str = Field(pattern=r"^c[a-z0-9]{10,40}$")
    managed: bool = True
    # The current `kube-system/eni-config` `eni_conf` JSON (a mapping or JSON text), copied from
    # `kubectl -n kube-system get cm eni-config -o jsonpath='{.data.eni_conf}'`. `eni_conf` is one
    # string, so patching two keys means re-sending the whole string: ackstack must know the rest.
    eni_conf: dict | str | None = None
    # Terway DaemonSet to roll after the patch (the ACK guide deletes pods labelled app=terway-eniip).
    terway_daemonset: str = Field(default=C.TERWAY_DAEMONSET_NAME, pattern=_NAME, max_length=63)


class ClusterConfig(Model):
    name: str = Field(pattern=_NAME, max_length=63)
    existing: ExistingClusterConfig | None = None
    kubernetes_version: str = C.DEFAULT_K8S_VERSION
    cluster_spec: str = C.DEFAULT_CLUSTER_SPEC
    service_cidr: Cidr | None = None
    security_group: str = "cluster"
    deletion_protection: bool = True
    api_server: ApiServerConfig = Field(default_factory=ApiServerConfig)
    rrsa: bool = True
    control_plane_logs: ControlPlaneLogsConfig = Field(default_factory=ControlPlaneLogsConfig)
    proxy_mode: Literal[C.KUBE_PROXY_MODES] = C.KUBE_PROXY_MODE_DEFAULT
    secrets_encryption_kms_key_id: str | None = None
    # ECS key pair every node pool logs in with, unless the pool names its own.
    key_name: str | None = Field(default=None, min_length=2, max_length=128)
    node_pools: list[NodePoolConfig] = Field(default_factory=list)

    _check_cidr = field_validator("service_cidr")(lambda v: v if v is None else _cidr(v))

    @field_validator("kubernetes_version")
    @classmethod
    def _version_shape(cls, value: str) -> str:
        if not _parse_k8s_minor(value):
            raise ValueError(f"{value!r} is not a Kubernetes version like `1.33.3-aliyun.1`")
        return value

    @property
    def k8s_minor(self) -> tuple[int, int]:
        return _parse_k8s_minor(self.kubernetes_version) or (0, 0)


def _parse_k8s_minor(version: str) -> tuple[int, int] | None:
    parsed = parse_version(version, patch_required=False)
    return parsed.line if parsed else None


# ---------------------------------------------------------------- CNI
class TerwayTrunkCni(Model):
    """Terway (terway-eniip) with Trunk ENI and terway-controlplane."""

    mode: Literal["terway-trunk"]
    trunking: bool = True
    version: str | None = Field(default=None, pattern=r"^v?\d+\.\d+\.\d+$")
    controlplane_version: str | None = Field(default=None, pattern=r"^v?\d+\.\d+\.\d+$")
    eni_security_groups: list[str] = Field(default_factory=list)
    network_policy: bool = False
    ipvlan: bool = False
    # terway-controlplane `customStatefulWorkloadKinds`: owner kinds whose pods count as fixed-name (Fixed IP),
    # besides StatefulSet and pods without owner (AliyunContainerService/terway pkg/utils/k8s.go:14-34).
    custom_stateful_workload_kinds: list[str] = Field(default_factory=list)


class CiliumConfig(Model):
    """The Cilium Helm release; chart pin from the facts module (CILIUM_CHART_*) unless overridden per stack.

    `values` is merged last over the ACK baseline and the plan's overlay (docs/cilium.md); rules
    CIL0xx check the merged result, so an overlay cannot silently break routing or masquerading.
    """

    chart_version: str = Field(default=C.CILIUM_CHART_VERSION, pattern=r"^\d+\.\d+\.\d+(-[0-9A-Za-z.]+)?$")
    repository: str = Field(default=C.CILIUM_CHART_REPO, min_length=1)
    # A local chart package (`.tgz`, e.g. the official package copied next to the project) instead of
    # `repository`; its version must be `chartVersion` (CIL016). Relative paths are from the project root.
    chart_path: str | None = Field(default=None, min_length=1)
    # One registry (host[:port][/namespace]) for every image the chart pulls (agent, operator, envoy,
    # hubble, certgen, ...): each default `<registry>/<path>` becomes `<imageRegistry>/<path>` (CIL017/CIL018).
    image_registry: str | None = Field(default=None, min_length=1)
    ipam: Literal["kubernetes", "cluster-pool"] = "kubernetes"
    routing_mode: Literal["native", "tunnel"] = "native"
    accept_overlay: bool = False
    kube_proxy_replacement: bool = False
    hubble: bool = True
    values: dict = Field(default_factory=dict)


class AddonConfig(Model):
    """One ACK add-on as `ManagedKubernetes.addons` takes it (`config` is ACK's JSON string)."""

    name: str = Field(min_length=1, max_length=63)
    config: str | None = None
    version: str | None = None
    disabled: bool = False


class ByocniCiliumCni(Model):
    """No built-in CNI (kube-flannel-ds disabled), VPC routes from cloud-controller-manager, Cilium."""

    mode: Literal["byocni-cilium"]
    pod_cidr: Cidr
    node_cidr_mask: Int = Field(default=C.NODE_CIDR_MASK_DEFAULT, ge=16, le=30)
    cloud_routes: bool = True
    backend_type: Literal[C.CCM_BACKEND_TYPES] = C.CCM_BACKEND_TYPE_DEFAULT
    other_custom_routes: Int = Field(default=0, ge=0)
    max_pods_per_node: Int = Field(default=110, ge=8, le=1024)
    cilium: CiliumConfig = Field(default_factory=CiliumConfig)
    # Extra ACK add-ons at creation (e.g. csi-plugin config). BYO001/BYO002 reject re-enabling
    # kube-flannel-ds or any Terway add-on here: two CNIs would fight over pod networking.
    addons: list[AddonConfig] = Field(default_factory=list)

    _check_cidr = field_validator("pod_cidr")(lambda v: _cidr(v))


CniConfig = Annotated[TerwayTrunkCni | ByocniCiliumCni, Field(discriminator="mode")]
CNI_MODES = ("terway-trunk", "byocni-cilium")


# ---------------------------------------------------------------- PodNetworking
class LabelSelectorRequirement(Model):
    key: str = Field(min_length=1)
    operator: Literal["In", "NotIn", "Exists", "DoesNotExist"]
    values: list[str] = Field(default_factory=list)


class LabelSelector(Model):
    match_labels: dict[str, str] = Field(default_factory=dict)
    match_expressions: list[LabelSelectorRequirement] = Field(default_factory=list)

    @functools.cached_property
    def compiled(self):
        """Parsed once per selector (the model is frozen): matching it against every namespace re-parsed it."""
        from ackstack_core.selectors import compile_selector

        return compile_selector(self.as_k8s())

    def as_k8s(self) -> dict:
        body: dict = {}
        if self.match_labels:
            body["matchLabels"] = dict(self.match_labels)
        if self.match_expressions:
            # `values` is omitempty in the API: an empty list would come back absent and read as drift.
            body["matchExpressions"] = [
                {k: v for k, v in e.model_dump(by_alias=True).items() if v != []} for e in self.match_expressions
            ]
        return body


class PodNetworkingSelector(Model):
    pod_selector: LabelSelector | None = None
    namespace_selector: LabelSelector | None = None


class AllocationType(Model):
    type: Literal[C.PODNETWORKING_ALLOCATION_TYPES] = "Elastic"
    release_strategy: Literal[C.PODNETWORKING_RELEASE_STRATEGIES] | None = None
    release_after: str | None = None


class VSwitchSelectOptions(Model):
    v_switch_selection_policy: Literal[C.PODNETWORKING_VSWITCH_SELECTION_POLICIES] = Field(
        default="ordered", alias="vSwitchSelectionPolicy"
    )


class EniOptions(Model):
    eni_type: Literal[C.PODNETWORKING_ENI_TYPES] = "Default"


class PodNetworkingConfig(Model):
    """Mirrors the PodNetworking CRD; vSwitches and security groups by Network name or by id."""

    name: str = Field(min_length=1, max_length=253)
    allocation_type: AllocationType = Field(default_factory=AllocationType)
    selector: PodNetworkingSelector = Field(default_factory=PodNetworkingSelector)
    security_group_ids: list[str] = Field(default_factory=list, alias="securityGroupIDs")
    v_switch_options: list[str] = Field(default_factory=list, alias="vSwitchOptions")
    v_switch_select_options: VSwitchSelectOptions | None = Field(default=None, alias="vSwitchSelectOptions")
    eni_options: EniOptions | None = None
    workload_kinds: list[str] = Field(default_factory=list)
    # `podSelector: {}` without a namespaceSelector matches every pod of every namespace (kube-system
    # included); PNW015 refuses it unless this says it is meant.
    match_all_pods: bool = False


class NamespaceConfig(Model):
    """A namespace to create, or an existing one to label, for PodNetworking namespace selectors."""

    name: str = Field(min_length=1, max_length=63)
    labels: dict[str, ScalarText] = Field(default_factory=dict)
    create: bool = True


# ---------------------------------------------------------------- capacity knobs
class InstanceTypeOverride(Model):
    eni_quantity: Int = Field(ge=1, le=64)
    eni_total_quantity: Int = Field(ge=1, le=1024)
    ipv4_per_eni: Int = Field(ge=1, le=64)
    trunk_supported: bool


class CapacityConfig(Model):
    """Thresholds for the capacity rules; raise them only when your account's quota was raised."""

    vswitch_utilization_warning: float = Field(default=0.8, gt=0, le=1)
    # The ECS per-ENI security-group quota of the account (5 by default; no API tells it): more than 5 groups on
    # one ENI are a warning naming this declaration (PNW020/TWY025), more than it an error; the rules, the
    # capacity figures and the policy pack read this one setting (docs/terway.md).
    max_security_groups_per_eni: Int = Field(
        default=C.MAX_SECURITY_GROUPS_PER_ENI_DEFAULT, ge=1, le=C.MAX_SECURITY_GROUPS_PER_ENI_RAISED
    )
    route_table_quota: Int = Field(default=C.ROUTE_TABLE_CUSTOM_ROUTE_QUOTA_DEFAULT, ge=1, le=10000)
    instance_types: dict[str, InstanceTypeOverride] = Field(default_factory=dict)


# ---------------------------------------------------------------- whole stack
class StackConfig(Model):
    """Everything under `ackstack:` plus `alicloud:region`."""

    region: str = Field(min_length=3, max_length=40)
    environment: EnvironmentConfig
    network: NetworkConfig
    cluster: ClusterConfig
    cni: CniConfig
    pod_networkings: list[PodNetworkingConfig] = Field(default_factory=list)
    namespaces: list[NamespaceConfig] = Field(default_factory=list)
    capacity: CapacityConfig = Field(default_factory=CapacityConfig)

    @property
    def is_terway(self) -> bool:
        return isinstance(self.cni, TerwayTrunkCni)

    @property
    def is_byocni(self) -> bool:
        return isinstance(self.cni, ByocniCiliumCni)


# Top-level config keys the program reads; anything else under `ackstack:` is a typo.
TOP_LEVEL_KEYS = tuple(
    (field.alias or name) for name, field in StackConfig.model_fields.items() if name != "region"
) + ("nodePassword",)
