"""SGR: security-group rules: protocol and port ranges, names left to ackstack."""

from __future__ import annotations

from collections.abc import Iterator

from ackstack_core import constants as C
from ackstack_core.sg_rule_checks import port_range_problem
from components.plan import NetworkPlan
from components.validation.findings import Finding, config_path, rule


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


RULES = (
    rule_ports,
    reserved_rule_names,
)
