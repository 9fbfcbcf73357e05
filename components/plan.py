"""The network plan: config plus the facts read from the cloud about adopted objects.

Rules need zones and CIDRs of every vSwitch and the type of every security group, whether ackstack
creates them or adopts them by id. Adopted facts are read with invokes before any resource is
registered (invokes register nothing), so validation can still stop the run cleanly.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TypeVar

from ackstack_core import constants as C
from ackstack_core import terway_webhook as W
from ackstack_core.terway_webhook import parse_eni_conf
from components.config import StackConfig
from components.validation.findings import Finding, config_path

T = TypeVar("T")


@dataclass(frozen=True)
class VSwitchFact:
    key: str  # config name, or the id for vSwitches referenced only by id
    role: str  # node | pod | podnetworking | external
    zone_id: str | None
    cidr: str | None
    id: str | None = None  # set when adopted
    vpc_id: str | None = None
    path: str = ""


@dataclass(frozen=True)
class SecurityGroupFact:
    key: str
    type: str  # enterprise | basic
    id: str | None = None
    vpc_id: str | None = None
    path: str = ""
    # Adopted groups: the rules getSecurityGroupRules returned (camelCase rows); None for groups ackstack creates.
    rules: tuple[dict, ...] | None = None


@dataclass
class CloudFacts:
    """What invokes returned for adopted ids (id -> record with zoneId/cidrBlock/vpcId/type)."""

    vswitches: dict[str, dict] = field(default_factory=dict)
    security_groups: dict[str, dict] = field(default_factory=dict)
    vpcs: dict[str, dict] = field(default_factory=dict)
    clusters: dict[str, dict] = field(default_factory=dict)


@dataclass
class NetworkPlan:
    config: StackConfig
    vswitches: dict[str, VSwitchFact]
    security_groups: dict[str, SecurityGroupFact]
    vpc_cidr: str | None
    vpc_id: str | None
    findings: list[Finding]
    instance_types: dict[str, C.InstanceTypeFacts]
    existing_cluster: dict | None = None  # ACK's description of an adopted cluster (cluster.existing)
    node_password_set: bool = False  # the `ackstack:nodePassword` secret is given (its value stays out of the plan)

    def derived(self, key: str, build: Callable[[NetworkPlan], T]) -> T:
        """A view computed from the plan once and kept on it (the capacity model, the namespaces' index): rules,
        report and capacity ask for them per PodNetworking."""
        if key not in self.__dict__:
            self.__dict__[key] = build(self)
        return self.__dict__[key]

    def vswitch(self, ref: str) -> VSwitchFact | None:
        """A vSwitch by config name or by id."""
        if ref in self.vswitches:
            return self.vswitches[ref]
        return next((v for v in self.vswitches.values() if v.id == ref), None)

    def security_group(self, ref: str) -> SecurityGroupFact | None:
        if ref in self.security_groups:
            return self.security_groups[ref]
        return next((g for g in self.security_groups.values() if g.id == ref), None)

    def by_role(self, role: str) -> list[VSwitchFact]:
        return [v for v in self.vswitches.values() if v.role == role]

    def node_vswitches_in(self, zones: Iterable[str]) -> list[VSwitchFact]:
        wanted = set(zones)
        return [v for v in self.by_role("node") if v.zone_id in wanted]

    @property
    def node_zones(self) -> set[str]:
        """Zones where the cluster can have nodes: zones of node pools that have a node vSwitch."""
        vswitch_zones = {v.zone_id for v in self.by_role("node")}
        return {z for pool in self.config.cluster.node_pools for z in pool.zones if z in vswitch_zones}

    def webhooks(self) -> W.WebhookConfigurations:
        """terway-controlplane's webhook registrations: an adopted cluster's own (inventory `webhookConfigurations`,
        `{mutating: <MutatingWebhookConfiguration>, validating: <ValidatingWebhookConfiguration>}` as the API
        returns them; `verify` reads the live ones), else the upstream chart's (assumed, W.CHART_WEBHOOKS)."""
        found = (self.existing_cluster or {}).get(C.INVENTORY_WEBHOOKS_KEY)
        if not isinstance(found, dict):
            return W.CHART_WEBHOOKS
        return W.webhook_configurations(found.get("mutating"), found.get("validating"),
                                        "the adopted cluster's webhook configurations (inventory)")

    def eni_security_groups(self) -> list[str]:
        """Security groups on the ENIs Terway creates, and what a PodNetworking without securityGroupIDs gets:
        eni-config's union of `security_group` and `security_groups` (ackstack_core.terway_webhook.
        eni_security_groups). New cluster: ACK writes the cluster's group (CLU009 refuses others there).
        Adopted: the configured eniConf, whose `security_groups` cni.eniSecurityGroups replaces
        (components.existing_cluster.merged_eni_conf). One entry per group (a name and its id count once)."""
        explicit = list(getattr(self.config.cni, "eni_security_groups", None) or [])
        existing = self.config.cluster.existing
        if existing is None:
            refs = [self.config.cluster.security_group, *explicit]
        else:
            conf, _ = parse_eni_conf(existing.eni_conf if existing.eni_conf is not None else {})
            conf = conf or {}
            single = conf.get(C.ENI_CONF_SECURITY_GROUP_KEY)
            listed = explicit or [g for g in conf.get(C.ENI_CONF_SECURITY_GROUPS_KEY) or [] if isinstance(g, str)]
            refs = ([single] if isinstance(single, str) and single else []) + listed
            refs = refs or [self.config.cluster.security_group]
        seen: dict[str, str] = {}
        for ref in refs:
            fact = self.security_group(ref)
            seen.setdefault((fact.id if fact is not None and fact.id else None) or ref, ref)
        return list(seen.values())


def referenced_ids(config: StackConfig) -> tuple[list[str], list[str], list[str], list[str]]:
    """Ids of vSwitches, security groups, VPCs and clusters whose facts must be read from the cloud."""
    net = config.network
    vsw = [v.id for v in net.vswitches if v.id]
    sgs = [g.id for g in net.security_groups if g.id]
    for pn in config.pod_networkings:
        vsw += [r for r in pn.v_switch_options if r.startswith("vsw-")]
        sgs += [r for r in pn.security_group_ids if r.startswith("sg-")]
    refs = [config.cluster.security_group, *getattr(config.cni, "eni_security_groups", [])]
    sgs += [r for r in refs if r.startswith("sg-")]
    vpcs = [net.vpc.id] if net.vpc.id else []
    clusters = [config.cluster.existing.cluster_id] if config.cluster.existing else []
    return _unique(vsw), _unique(sgs), vpcs, clusters


def build_plan(config: StackConfig, facts: CloudFacts) -> NetworkPlan:
    findings: list[Finding] = []
    vswitches: dict[str, VSwitchFact] = {}
    for index, vsw in enumerate(config.network.vswitches):
        path = config_path("network", "vswitches", index)
        if vsw.id is None:
            vswitches[vsw.name] = VSwitchFact(vsw.name, vsw.role, vsw.zone_id, vsw.cidr, path=path)
            continue
        found = facts.vswitches.get(vsw.id)
        if found is None:
            findings.append(Finding("NET010", "error", f"{path}.id",
                                    f"vSwitch {vsw.id} was not found in region {config.region}"))
            vswitches[vsw.name] = VSwitchFact(vsw.name, vsw.role, vsw.zone_id, None, vsw.id, path=path)
            continue
        zone = found.get("zoneId")
        if vsw.zone_id and zone and vsw.zone_id != zone:
            findings.append(Finding("NET011", "error", f"{path}.zoneId",
                                    f"config says zone {vsw.zone_id} but vSwitch {vsw.id} is in {zone}"))
        vswitches[vsw.name] = VSwitchFact(vsw.name, vsw.role, zone or vsw.zone_id, found.get("cidrBlock"), vsw.id,
                                          found.get("vpcId"), path)
    for pn_index, pn in enumerate(config.pod_networkings):
        for ref_index, ref in enumerate(pn.v_switch_options):
            if not ref.startswith("vsw-") or any(v.id == ref for v in vswitches.values()):
                continue
            found = facts.vswitches.get(ref)
            path = config_path("podNetworkings", pn_index, "vSwitchOptions", ref_index)
            if found is None:
                findings.append(Finding("NET010", "error", path, f"vSwitch {ref} was not found in region {config.region}"))
                continue
            vswitches[ref] = VSwitchFact(ref, "external", found.get("zoneId"), found.get("cidrBlock"), ref,
                                         found.get("vpcId"), path)

    groups: dict[str, SecurityGroupFact] = {}
    for index, sg in enumerate(config.network.security_groups):
        path = config_path("network", "securityGroups", index)
        if sg.id is None:
            groups[sg.name] = SecurityGroupFact(sg.name, sg.type, path=path)
            continue
        found = facts.security_groups.get(sg.id)
        if found is None:
            findings.append(Finding("NET012", "error", f"{path}.id",
                                    f"security group {sg.id} was not found in region {config.region}"))
            groups[sg.name] = SecurityGroupFact(sg.name, sg.type, sg.id, path=path)
            continue
        actual = _sg_type(found)
        if actual != sg.type:
            findings.append(Finding("NET013", "error", f"{path}.type",
                                    f"config says {sg.type} but security group {sg.id} is {actual}"))
        groups[sg.name] = SecurityGroupFact(sg.name, actual, sg.id, found.get("vpcId"), path,
                                            tuple(found.get("rules") or ()))
    for sg_id, found in facts.security_groups.items():
        if not any(g.id == sg_id for g in groups.values()):
            groups[sg_id] = SecurityGroupFact(sg_id, _sg_type(found), sg_id, found.get("vpcId"), "")

    vpc_cidr = config.network.vpc.cidr
    vpc_id = config.network.vpc.id
    if vpc_id:
        found = facts.vpcs.get(vpc_id)
        if found is None:
            findings.append(Finding("NET014", "error", config_path("network", "vpc", "id"),
                                    f"VPC {vpc_id} was not found in region {config.region}"))
        else:
            vpc_cidr = found.get("cidrBlock")

    existing_cluster = None
    if config.cluster.existing is not None:
        existing_cluster = facts.clusters.get(config.cluster.existing.cluster_id)
        if existing_cluster is None:
            findings.append(Finding("NET015", "error", config_path("cluster", "existing", "clusterId"),
                                    f"cluster {config.cluster.existing.cluster_id} was not found in region "
                                    f"{config.region}"))

    instance_types = dict(C.INSTANCE_TYPES)
    for name, override in config.capacity.instance_types.items():
        instance_types[name] = C.InstanceTypeFacts(
            override.eni_quantity, override.eni_total_quantity, override.ipv4_per_eni, override.trunk_supported
        )
    return NetworkPlan(config, vswitches, groups, vpc_cidr, vpc_id, findings, instance_types, existing_cluster)


# Fields of pulumi-alicloud 4.0.0's GetSecurityGroupRulesRuleResult the cluster-group check reads
# (tests/components/test_sdk_surface.py checks each exists; the provider lower-cases ip_protocol and policy:
# terraform-provider-alicloud@ace5bcf8777e alicloud/data_source_alicloud_security_group_rules.go:155,163).
SECURITY_GROUP_RULE_FIELDS = ("direction", "ip_protocol", "port_range", "source_cidr_ip", "source_group_id",
                              "dest_cidr_ip", "dest_group_id", "policy")


def _security_group_rules(group_id: str) -> list[dict]:
    """The group's VPC (intranet) rules, both directions, as camelCase rows for the cluster-group check."""
    import pulumi_alicloud as alicloud

    rows = alicloud.ecs.get_security_group_rules(group_id=group_id, nic_type="intranet").rules or []
    return [{_camel(k): getattr(row, k) for k in SECURITY_GROUP_RULE_FIELDS} for row in rows]


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(p.title() for p in rest)


def _sg_type(record: dict) -> str:
    """The ECS API says `normal` for basic security groups."""
    raw = record.get("securityGroupType") or record.get("type") or "normal"
    return "enterprise" if raw == "enterprise" else "basic"


def _unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))


def installed_addon_versions(rows) -> dict[str, str]:
    """name -> version of the add-ons the cluster runs. `cs.getKubernetesAddons` lists every add-on available to
    the cluster; one not installed has an empty current_version (C.ADDONS_DATA_SOURCE_LISTS_AVAILABLE)."""
    return {row.name: row.current_version for row in rows if row.current_version}


def read_cloud_facts(vswitch_ids: list[str], sg_ids: list[str], vpc_ids: list[str],
                     cluster_ids: list[str] = ()) -> CloudFacts:
    """Invoke pulumi-alicloud data sources (the offline engine answers them from its inventory)."""
    import pulumi_alicloud as alicloud

    facts = CloudFacts()
    if vswitch_ids:
        for row in alicloud.vpc.get_switches(ids=vswitch_ids).vswitches:
            facts.vswitches[row.id] = {"zoneId": row.zone_id, "cidrBlock": row.cidr_block, "vpcId": row.vpc_id}
    if sg_ids:
        for row in alicloud.ecs.get_security_groups(ids=sg_ids).groups:
            facts.security_groups[row.id] = {"securityGroupType": row.security_group_type, "vpcId": row.vpc_id,
                                             "rules": _security_group_rules(row.id)}
    if vpc_ids:
        for row in alicloud.vpc.get_networks(ids=vpc_ids).vpcs:
            facts.vpcs[row.id] = {"cidrBlock": row.cidr_block}
    if cluster_ids:
        for row in alicloud.cs.get_clusters(ids=list(cluster_ids)).clusters:
            facts.clusters[row.id] = {"clusterSpec": row.cluster_spec, "vpcId": row.vpc_id}
        for cluster_id in facts.clusters:
            rows = alicloud.cs.get_kubernetes_addons(cluster_id=cluster_id).addons
            facts.clusters[cluster_id]["addons"] = installed_addon_versions(rows)
    return facts
