"""Cluster security group and security-group rule rules: what ACK needs, what ECS and the provider accept."""

from __future__ import annotations

from collections.abc import Iterator

from ackstack_core import constants as C
from ackstack_core.sg_rule_checks import port_range_problem
from components.cluster_security import ack_required_rules, missing_rules
from components.plan import NetworkPlan
from components.validation.findings import Finding, config_path, rule


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


@rule("SGR001", "error", "Security-group rule protocol and port range fit together",
      "tcp/udp need ports 1-65535; icmp, gre and all take only -1/-1. The provider refuses others at Create.",
      "terraform-provider-alicloud resource_alicloud_security_group_rule.go:208-216; ECS AuthorizeSecurityGroup")
def rule_ports(plan: NetworkPlan) -> Iterator[Finding]:
    for g_index, group in enumerate(plan.config.network.security_groups):
        for r_index, item in enumerate(group.rules):
            problem = port_range_problem(item.protocol, item.port_range)
            if problem:
                yield Finding("SGR001", "error",
                              config_path("network", "securityGroups", g_index, "rules", r_index, "portRange"),
                              f"rule `{item.name}` of security group `{group.name}`: {problem}")


@rule("SGR002", "error", "Rule names on the cluster group leave the `ack-` prefix to ackstack",
      "ackstack adds the rules ACK needs under `ack-*` names; a user rule of the same name would clash.",
      "ackstack design (components/cluster_security.py)")
def reserved_rule_names(plan: NetworkPlan) -> Iterator[Finding]:
    prefix = f"{C.ACK_SG_RULE_PREFIX}-"
    for g_index, group in enumerate(plan.config.network.security_groups):
        if group.name != plan.config.cluster.security_group:
            continue
        for r_index, item in enumerate(group.rules):
            if item.name.startswith(prefix):
                yield Finding("SGR002", "error",
                              config_path("network", "securityGroups", g_index, "rules", r_index, "name"),
                              f"rule name `{item.name}` starts with `{prefix}`, reserved for the rules ackstack adds "
                              "to the cluster security group; rename it")


RULES = (adopted_cluster_group_rules, rule_ports, reserved_rule_names)
