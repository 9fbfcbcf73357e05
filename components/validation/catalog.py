"""The rule catalog: every validation rule, listed explicitly, run before anything is registered.

`docs/validation.md` lists the same ids; `tests/test_catalog.py` keeps the two in step.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from components.plan import NetworkPlan
from components.validation import (
    rules_asz,
    rules_byo,
    rules_cap,
    rules_cil,
    rules_clu,
    rules_k8s,
    rules_net,
    rules_nod,
    rules_pnw,
    rules_sel,
    rules_sgr,
    rules_tag,
    rules_twy,
    rules_urn,
    rules_ver,
)
from components.validation.findings import Finding, RuleInfo

Rule = Callable[[NetworkPlan], Iterable[Finding]]

ALL_RULES: tuple[Rule, ...] = (
    *rules_net.RULES,
    *rules_sgr.RULES,
    *rules_ver.RULES,
    *rules_clu.RULES,
    *rules_nod.RULES,
    *rules_twy.RULES,
    *rules_pnw.RULES,
    *rules_sel.RULES,
    *rules_k8s.RULES,
    *rules_cap.RULES,
    *rules_byo.RULES,
    *rules_cil.RULES,
    *rules_asz.RULES,
    *rules_tag.RULES,
    *rules_urn.RULES,
)


def catalog() -> list[RuleInfo]:
    return [r.info for r in ALL_RULES]


def run_rules(plan: NetworkPlan, rules: Iterable[Rule] = ALL_RULES) -> list[Finding]:
    """Every finding of every rule, in catalog order; a rule never stops the others."""
    findings: list[Finding] = list(plan.findings)
    for check in rules:
        findings.extend(check(plan))
    return findings
