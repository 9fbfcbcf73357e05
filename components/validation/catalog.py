"""The rule catalog: every validation rule, listed explicitly, run before anything is registered.

`docs/validation.md` lists the same ids; `tests/test_catalog.py` keeps the two in step.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from components.plan import NetworkPlan
from components.validation import (
    rules_adopted,
    rules_byocni,
    rules_capacity,
    rules_cilium,
    rules_cilium_agent,
    rules_cloud_limits,
    rules_cluster,
    rules_k8s_names,
    rules_network,
    rules_nodes,
    rules_podnetworking,
    rules_security,
    rules_selectors,
    rules_terway,
    rules_urns,
    rules_version_zone,
    rules_webhook,
)
from components.validation.findings import Finding, RuleInfo

Rule = Callable[[NetworkPlan], Iterable[Finding]]

ALL_RULES: tuple[Rule, ...] = (
    *rules_network.RULES,
    *rules_security.RULES,
    *rules_cluster.RULES,
    *rules_nodes.RULES,
    *rules_terway.RULES,
    *rules_adopted.RULES,
    *rules_podnetworking.RULES,
    *rules_webhook.RULES,
    *rules_k8s_names.RULES,
    *rules_selectors.RULES,
    *rules_capacity.RULES,
    *rules_byocni.RULES,
    *rules_cilium.RULES,
    *rules_cilium_agent.RULES,
    *rules_version_zone.RULES,
    *rules_cloud_limits.RULES,
    *rules_urns.RULES,
)


def catalog() -> list[RuleInfo]:
    return [r.info for r in ALL_RULES]


def run_rules(plan: NetworkPlan, rules: Iterable[Rule] = ALL_RULES) -> list[Finding]:
    """Every finding of every rule, in catalog order; a rule never stops the others."""
    findings: list[Finding] = list(plan.findings)
    for check in rules:
        findings.extend(check(plan))
    return findings
