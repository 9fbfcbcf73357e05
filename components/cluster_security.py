"""The rules ACK needs on the cluster security group, derived from the plan.

ACK adds no rule to a security group it is given ("Configure and manage cluster security groups"), and
ackstack always passes its cluster group as an existing one, so the group must carry what nodes, the
control plane, CoreDNS, webhooks and pods need to reach each other. Names are stable (purpose + vSwitch
config name), so reordering vSwitches in config never replaces a rule. The same list checks an adopted
group's rules (NET016).
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from ackstack_core import constants as C
from components.plan import NetworkPlan, SecurityGroupFact


@dataclass(frozen=True)
class RequiredRule:
    name: str
    direction: str  # ingress | egress
    protocol: str
    port_range: str
    cidr: str | None  # None: the group itself is the source (basic groups only)
    why: str

    def describe(self) -> str:
        peer = self.cidr or "the group itself"
        way = "from" if self.direction == "ingress" else "to"
        return f"{self.direction} {self.protocol} {self.port_range} {way} {peer} ({self.why})"


def ack_required_rules(plan: NetworkPlan, group: SecurityGroupFact) -> list[RequiredRule]:
    """What the cluster group needs for its type (basic/enterprise) and the CNI mode."""
    p, all_ports = C.ACK_SG_RULE_PREFIX, C.SG_ALL_PORT_RANGE
    icmp_source = plan.vpc_cidr if C.ACK_SG_ICMP_FROM_VPC_ONLY and plan.vpc_cidr else C.ACK_SG_ICMP_SOURCE
    rules = [RequiredRule(f"{p}-icmp-in", "ingress", "icmp", all_ports, icmp_source,
                          "ICMP for node health checks and path MTU")]
    self_source = group.type in C.SG_TYPES_WITH_GROUP_SOURCE
    if self_source:
        rules.append(RequiredRule(f"{p}-self-in", "ingress", "all", all_ports, None,
                                  "nodes, control plane ENIs and Terway pod ENIs of the group"))
    roles = ("node", "podnetworking") + (("pod",) if plan.config.is_terway and not self_source else ())
    for fact in sorted(plan.vswitches.values(), key=lambda v: (v.role, v.key)):
        if fact.role in roles and fact.cidr:
            rules.append(RequiredRule(f"{p}-{fact.role}-{fact.key}-in", "ingress", "all", all_ports, fact.cidr,
                                      f"{fact.role} vSwitch `{fact.key}`"))
    pod_cidr = getattr(plan.config.cni, "pod_cidr", None)
    if not plan.config.is_terway and pod_cidr:
        rules.append(RequiredRule(f"{p}-podcidr-in", "ingress", "all", all_ports, pod_cidr,
                                  "BYOCNI pod CIDR (native routing keeps pod source IPs)"))
    rules.append(RequiredRule(f"{p}-all-out", "egress", "all", all_ports, C.ACK_SG_EGRESS_DESTINATION,
                              "image pulls, Alibaba Cloud APIs (100.64.0.0/10), DNS"))
    return rules


def missing_rules(required: list[RequiredRule], existing: list[dict], group_id: str) -> list[RequiredRule]:
    """The required rules no accepting rule of `existing` (getSecurityGroupRules rows) covers."""
    return [r for r in required if not any(_covers(row, r, group_id) for row in existing)]


def _covers(row: dict, rule: RequiredRule, group_id: str) -> bool:
    if row.get("direction") != rule.direction or (row.get("policy") or "accept").lower() != "accept":
        return False
    protocol = (row.get("ipProtocol") or "").lower()
    if protocol != "all" and protocol != rule.protocol:
        return False
    if not _ports_cover(row.get("portRange") or C.SG_ALL_PORT_RANGE, rule.port_range):
        return False
    peer_cidr = row.get("sourceCidrIp") if rule.direction == "ingress" else row.get("destCidrIp")
    peer_group = row.get("sourceGroupId") if rule.direction == "ingress" else row.get("destGroupId")
    if rule.cidr is None:
        return peer_group == group_id
    if not peer_cidr:
        return False
    try:
        return ipaddress.IPv4Network(rule.cidr, strict=False).subnet_of(ipaddress.IPv4Network(peer_cidr, strict=False))
    except ValueError:
        return False


def _ports_cover(have: str, want: str) -> bool:
    if have == C.SG_ALL_PORT_RANGE:
        return True
    if want == C.SG_ALL_PORT_RANGE:
        return False
    try:
        (a, b), (c, d) = (tuple(int(x) for x in r.split("/")) for r in (have, want))
    except ValueError:
        return False
    return a <= c and d <= b
