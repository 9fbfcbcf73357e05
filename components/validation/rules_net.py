"""NET: the VPC side: CIDRs, vSwitches, names, references, the service CIDR, zones of the region and the adopted
cluster group's rules.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator

from ackstack_core import constants as C
from components import netmath
from components.cluster_security import ack_required_rules, missing_rules
from components.netmath import parse_ipv4_network
from components.plan import NetworkPlan
from components.validation.findings import Finding, config_path, rule


@rule("NET001", "error", "VPC CIDR is a private range ACK accepts",
      "VPC CIDR blocks must be inside the RFC 1918 ranges with a prefix VPC allows.",
      "Alibaba Cloud VPC docs: Plan networks / CreateVpc CidrBlock")
def vpc_cidr_range(plan: NetworkPlan) -> Iterator[Finding]:
    cidr = plan.config.network.vpc.cidr
    if cidr is not None and (problem := vpc_cidr_problem(cidr)):
        yield Finding("NET001", "error", config_path("network", "vpc", "cidr"), problem)


def vpc_cidr_problem(cidr: str) -> str | None:
    """NET001 on one VPC CIDR (also the `Network` component's entry point)."""
    net = ipaddress.IPv4Network(cidr)
    ranges = [ipaddress.IPv4Network(r) for r in C.VPC_ALLOWED_PRIVATE_RANGES]
    if not netmath.within_any(net, ranges) or not C.VPC_MIN_PREFIX <= net.prefixlen <= C.VPC_MAX_PREFIX:
        return (f"{cidr} must be inside {', '.join(C.VPC_ALLOWED_PRIVATE_RANGES)} with a prefix between "
                f"/{C.VPC_MIN_PREFIX} and /{C.VPC_MAX_PREFIX}")
    return None


@rule("NET002", "error", "vSwitch CIDR inside the VPC CIDR, with an allowed prefix",
      "A vSwitch outside its VPC's CIDR is rejected by the VPC API after the VPC is already created.",
      "Alibaba Cloud VPC docs: CreateVSwitch CidrBlock (mask /16 to /29)")
def vswitch_cidr_in_vpc(plan: NetworkPlan) -> Iterator[Finding]:
    for fact in plan.vswitches.values():
        if fact.cidr is None or fact.role == "external":
            continue
        path = f"{fact.path}.cidr" if fact.id is None else f"{fact.path}.id"
        for problem in vswitch_cidr_problems(fact.key, fact.cidr, plan.vpc_cidr):
            yield Finding("NET002", "error", path, problem)


def vswitch_cidr_problems(key: str, cidr: str, vpc_cidr: str | None) -> list[str]:
    """NET002 on one vSwitch CIDR (also the `Network` component's entry point)."""
    net = ipaddress.IPv4Network(cidr)
    problems = []
    if not C.VSWITCH_MIN_PREFIX <= net.prefixlen <= C.VSWITCH_MAX_PREFIX:
        problems.append(f"vSwitch `{key}` CIDR {cidr} has prefix /{net.prefixlen}; "
                        f"allowed /{C.VSWITCH_MIN_PREFIX} to /{C.VSWITCH_MAX_PREFIX}")
    if vpc_cidr is not None and not netmath.within(net, ipaddress.IPv4Network(vpc_cidr)):
        problems.append(f"vSwitch `{key}` CIDR {cidr} is not inside the VPC CIDR {vpc_cidr}")
    return problems


@rule("NET003", "error", "vSwitch CIDRs do not overlap",
      "Two vSwitches of one VPC cannot share addresses; the second create fails mid-deployment.",
      "Alibaba Cloud VPC docs: CreateVSwitch")
def vswitch_overlap(plan: NetworkPlan) -> Iterator[Finding]:
    facts = [f for f in plan.vswitches.values() if f.cidr is not None and f.role != "external"]
    for index, problem in vswitch_overlap_problems([(f.key, f.cidr) for f in facts]):
        yield Finding("NET003", "error", facts[index].path, problem)


def vswitch_overlap_problems(cidrs: list[tuple[str, str]]) -> Iterator[tuple[int, str]]:
    """NET003 over (key, CIDR) pairs: (index of the later vSwitch, message) per overlapping pair."""
    seen: list[tuple[str, ipaddress.IPv4Network]] = []
    for index, (key, cidr) in enumerate(cidrs):
        net = ipaddress.IPv4Network(cidr)
        for other_key, other in seen:
            if net.overlaps(other):
                yield index, f"vSwitch `{key}` CIDR {cidr} overlaps vSwitch `{other_key}` ({other})"
        seen.append((key, net))


@rule("NET004", "error", "Names are unique",
      "Resource names derive from config names; duplicates would collide or silently merge.",
      "ackstack design (stable logical names)")
def unique_names(plan: NetworkPlan) -> Iterator[Finding]:
    config = plan.config
    groups = {
        ("network", "vswitches"): [v.name for v in config.network.vswitches],
        ("network", "securityGroups"): [g.name for g in config.network.security_groups],
        ("cluster", "nodePools"): [p.name for p in config.cluster.node_pools],
        ("podNetworkings",): [p.name for p in config.pod_networkings],
        ("namespaces",): [n.name for n in config.namespaces],
    }
    for index, group in enumerate(config.network.security_groups):
        groups[("network", "securityGroups", index, "rules")] = [r.name for r in group.rules]
    for parts, names in groups.items():
        for index, problem in duplicate_names(names):
            yield Finding("NET004", "error", config_path(*parts, index, "name"), problem)


def duplicate_names(names: list[str]) -> Iterator[tuple[int, str]]:
    """NET004 over one list of names: (index, message) for each repeat."""
    seen: set[str] = set()
    for index, name in enumerate(names):
        if name in seen:
            yield index, f"name `{name}` is used twice; names must be unique"
        seen.add(name)


@rule("NET005", "error", "References name a known vSwitch or security group",
      "A typo in a reference would otherwise surface as a provider error halfway through `pulumi up`.",
      "ackstack design")
def references_resolve(plan: NetworkPlan) -> Iterator[Finding]:
    config = plan.config
    if plan.security_group(config.cluster.security_group) is None:
        yield Finding("NET005", "error", config_path("cluster", "securityGroup"),
                      f"`{config.cluster.security_group}` is not a security group in network.securityGroups "
                      f"(names: {', '.join(plan.security_groups) or 'none'}) nor an `sg-` id")
    for index, pool in enumerate(config.cluster.node_pools):
        for sg_index, ref in enumerate(pool.security_groups):
            if plan.security_group(ref) is None:
                yield Finding("NET005", "error", config_path("cluster", "nodePools", index, "securityGroups", sg_index),
                              f"`{ref}` is not a security group in network.securityGroups nor an `sg-` id")
    for ref_index, ref in enumerate(getattr(config.cni, "eni_security_groups", [])):
        if plan.security_group(ref) is None:
            yield Finding("NET005", "error", config_path("cni", "eniSecurityGroups", ref_index),
                          f"`{ref}` is not a security group in network.securityGroups nor an `sg-` id")


@rule("NET006", "error", "Service CIDR is set, private, and overlaps no VPC or vSwitch CIDR",
      "The service CIDR cannot change after creation and must not collide with VPC addresses.",
      "ACK docs: Plan the network of an ACK cluster (service CIDR)")
def service_cidr(plan: NetworkPlan) -> Iterator[Finding]:
    spec = plan.config.cluster
    path = config_path("cluster", "serviceCidr")
    if spec.existing is not None:
        return
    if spec.service_cidr is None:
        yield Finding("NET006", "error", path, "serviceCidr is required (e.g. 192.168.0.0/16), it cannot change later")
        return
    vswitches = [(f.key, f.cidr) for f in plan.vswitches.values() if f.cidr]
    for problem in service_cidr_problems(spec.service_cidr, plan.vpc_cidr, vswitches):
        yield Finding("NET006", "error", path, problem)


def service_cidr_problems(cidr: str, vpc_cidr: str | None, vswitches: list[tuple[str, str]]) -> list[str]:
    """NET006 on a set service CIDR (also the `AckProCluster` component's entry point)."""
    net = ipaddress.IPv4Network(cidr)
    low, high = C.SERVICE_CIDR_MIN_PREFIX, C.SERVICE_CIDR_MAX_PREFIX
    problems = []
    if not netmath.within_any(net, C.SERVICE_CIDR_ALLOWED_RANGES) or not low <= net.prefixlen <= high:
        problems.append(f"{cidr} must be inside {', '.join(C.SERVICE_CIDR_ALLOWED_RANGES)} with a prefix between "
                        f"/{low} and /{high}")
    if vpc_cidr and net.overlaps(ipaddress.IPv4Network(vpc_cidr)):
        return [*problems, f"{cidr} overlaps the VPC CIDR {vpc_cidr}"]
    for key, other in vswitches:
        if net.overlaps(ipaddress.IPv4Network(other)):
            problems.append(f"{cidr} overlaps vSwitch `{key}` ({other})")
    return problems


@rule("NET016", "error", "An adopted cluster security group has the rules ACK needs",
      "ACK adds no rule to an existing group; without them nodes, control plane, CoreDNS and pods cannot talk.",
      "ACK docs: Configure and manage cluster security groups (doc-detail/353191)")
def adopted_cluster_group_rules(plan: NetworkPlan) -> Iterator[Finding]:
    group = plan.security_group(plan.config.cluster.security_group)
    if group is None or group.id is None or group.rules is None:
        return
    missing = missing_rules(ack_required_rules(plan, group), list(group.rules), group.id)
    if missing:
        yield Finding("NET016", "error", f"{group.path}.id" if group.path else config_path("cluster", "securityGroup"),
                      f"cluster security group {group.id} ({group.type}) lacks {len(missing)} rule(s) ACK needs: "
                      + "; ".join(r.describe() for r in missing)
                      + ". Add them to the group (ACK adds none to an existing group), see docs/security-groups.md")


def _cidr_fields(plan: NetworkPlan) -> Iterator[tuple[str, str]]:
    config = plan.config
    if config.network.vpc.cidr:
        yield config_path("network", "vpc", "cidr"), config.network.vpc.cidr
    for index, vsw in enumerate(config.network.vswitches):
        if vsw.cidr:
            yield config_path("network", "vswitches", index, "cidr"), vsw.cidr
    for g_index, group in enumerate(config.network.security_groups):
        for r_index, sg_rule in enumerate(group.rules):
            yield config_path("network", "securityGroups", g_index, "rules", r_index, "cidr"), sg_rule.cidr
    if config.cluster.service_cidr:
        yield config_path("cluster", "serviceCidr"), config.cluster.service_cidr
    if config.is_byocni:
        yield config_path("cni", "podCidr"), config.cni.pod_cidr


@rule("NET020", "error", "CIDRs are written as address/prefix-length",
      "Python reads `10.0.0.0/255.0.0.0` and `10.0.0.0/08` as CIDRs; the VPC and ECS APIs take "
      "`<IPv4>/<0-32>` only, so the plan would be checked against a block the cloud then refuses.",
      "VPC API CreateVSwitch / ECS API AuthorizeSecurityGroup (CidrBlock, SourceCidrIp: CIDR notation); the spelling "
      "is Go's net/netip.ParsePrefix (components/netmath.py, checked against it by tests/policies/test_oracle_goparse.py)")
def cidr_spelling(plan: NetworkPlan) -> Iterator[Finding]:
    for path, cidr in _cidr_fields(plan):
        try:
            parse_ipv4_network(cidr)
        except ValueError:
            yield Finding("NET020", "error", path, f"`{cidr}` is not written as <IPv4 address>/<prefix length "
                          "0-32> (no netmask, no leading zeros, no spaces)")


@rule("NET021", "error", "Zones belong to the configured region",
      "A zone id is `<region>-<letter>`; a zone of another region is refused when the vSwitch or node pool is "
      "created.", "Alibaba Cloud docs: Regions and zones (zone ids are the region id plus a zone suffix)")
def zones_in_region(plan: NetworkPlan) -> Iterator[Finding]:
    config = plan.config
    prefix = f"{config.region}-"

    def foreign(zone: str) -> bool:
        return not (zone.startswith(prefix) and zone[len(prefix):].isalnum() and zone[len(prefix):].isascii())

    for index, vsw in enumerate(config.network.vswitches):
        if vsw.zone_id is not None and foreign(vsw.zone_id):
            yield Finding("NET021", "error", config_path("network", "vswitches", index, "zoneId"),
                          f"zone `{vsw.zone_id}` is not a zone of region {config.region}")
    for index, pool in enumerate(config.cluster.node_pools):
        for z_index, zone in enumerate(pool.zones):
            if foreign(zone):
                yield Finding("NET021", "error", config_path("cluster", "nodePools", index, "zones", z_index),
                              f"zone `{zone}` is not a zone of region {config.region}")


RULES = (
    vpc_cidr_range,
    vswitch_cidr_in_vpc,
    vswitch_overlap,
    unique_names,
    references_resolve,
    service_cidr,
    adopted_cluster_group_rules,
    cidr_spelling,
    zones_in_region,
)
