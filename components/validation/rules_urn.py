"""URN: resource names that would give two resources one URN."""

from __future__ import annotations

from collections.abc import Iterator

from components.names import addon_resource_name, security_group_rule_name
from components.plan import NetworkPlan
from components.validation.findings import Finding, config_path, rule

SOURCE = "Pulumi engine: a URN (stack, project, type chain, name) must be unique within a stack (\"Duplicate resource URN\")"


@rule("URN001", "error", "Security-group rules get distinct resource names",
      "A rule's name is `<env>-sg-<group>-<rule>`; `db`+`clients-x` and `db-clients`+`x` read the same.", SOURCE)
def security_group_rule_urns(plan: NetworkPlan) -> Iterator[Finding]:
    config = plan.config
    seen: dict[str, tuple[str, str]] = {}
    for g_index, group in enumerate(config.network.security_groups):
        for r_index, sg_rule in enumerate(group.rules):
            name = security_group_rule_name(config.environment.name, group.name, sg_rule.name)
            if name in seen and seen[name][0] != group.name:
                other_group, other_rule = seen[name]
                yield Finding("URN001", "error",
                              config_path("network", "securityGroups", g_index, "rules", r_index, "name"),
                              f"rule `{sg_rule.name}` of group `{group.name}` and rule `{other_rule}` of group "
                              f"`{other_group}` both become resource `{name}`; rename one")
            seen.setdefault(name, (group.name, sg_rule.name))


@rule("URN002", "error", "Each add-on is listed once",
      "Every add-on becomes a `KubernetesAddon` named after it; a second entry (or one ackstack already adds) "
      "duplicates the URN.", SOURCE)
def addon_urns(plan: NetworkPlan) -> Iterator[Finding]:
    config = plan.config
    if not config.is_byocni:
        return
    from components.cni.byocni import byocni_addons

    planned = byocni_addons(plan)
    builtin = len(planned) - len(config.cni.addons)
    seen: set[str] = set()
    for index, addon in enumerate(planned):
        name = addon_resource_name(config.cluster.name, addon["name"])
        if name in seen and index >= builtin:
            extra = index - builtin
            already = ("is already added by ackstack" if any(a["name"] == addon["name"] for a in planned[:builtin])
                       else "is listed twice")
            yield Finding("URN002", "error", config_path("cni", "addons", extra, "name"),
                          f"add-on `{addon['name']}` {already}; each add-on once")
        seen.add(name)


RULES = (
    security_group_rule_urns,
    addon_urns,
)
