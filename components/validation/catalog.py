"""The rule catalog: every validation rule, listed explicitly, run before anything is registered.

A rule lives in `rules_<its id's prefix>.py`. `docs/validation.md` is generated from this catalog
(`python -m tools.validation_doc > docs/validation.md`); `tests/test_docs.py` checks it is current.
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


# Findings with a rule id that no rule function yields: config parsing, input checks and the lookups of adopted
# cloud objects run before the rules, and report with these ids (module: where each is emitted).
FINDINGS_OUTSIDE_RULES: tuple[tuple[str, RuleInfo], ...] = (
    ("components/config_loader.py", RuleInfo(
        "CFG001", "error", "Every key under `ackstack:` is one ackstack reads",
        "A typo must not fall back to a default silently.", "ackstack design (components/config_loader.py)")),
    ("components/config_loader.py", RuleInfo(
        "CFG002", "error", "Config values have the documented shape, type, enum value and range (pydantic)",
        "Names the config path, the value and what is allowed.", "docs/configuration.md")),
    ("components/input_checks.py", RuleInfo(
        "INP001", "error", "Config values nest at most 64 levels",
        "Pulumi's serialisation recurses per level; values nested ~300 deep failed after the VPC, cluster and node "
        "pools were registered.",
        "ackstack design (`INPUT_MAX_NESTING`); go-yaml v3 allows 10,000 (scannerc.go:956)")),
    ("components/input_checks.py", RuleInfo(
        "INP002", "error", "Config text is Unicode (no lone surrogate, in values or keys)",
        "A lone surrogate cannot be encoded as UTF-8 for the engine's gRPC call, so registration fails halfway.",
        "UTF-8 (RFC 3629: surrogate code points are not encodable)")),
    ("components/input_checks.py", RuleInfo(
        "INP003", "error", "Numbers fit the engine's wire format",
        "Property values travel as protobuf `Value` numbers (IEEE doubles); a larger integer cannot be sent.",
        "protobuf struct.proto (`number_value` is a double)")),
    ("components/secrets.py", RuleInfo(
        "INP004", "error", "No secret value is used as a `name`",
        "Names become URNs and output keys, which cannot be secret: the value would be printed everywhere.",
        "ackstack design (Pulumi URNs are plain text)")),
    ("components/plan.py", RuleInfo(
        "NET010", "error", "An adopted vSwitch id exists in the region",
        "A missing id fails only when the cluster or PodNetworking is created.",
        "VPC DescribeVSwitches (invoke `alicloud:vpc/getSwitches`)")),
    ("components/plan.py", RuleInfo(
        "NET011", "error", "An adopted vSwitch's configured `zoneId` matches the real one",
        "Zone rules would otherwise reason about the wrong zone.", "VPC DescribeVSwitches")),
    ("components/plan.py", RuleInfo(
        "NET012", "error", "An adopted security group id exists in the region", "As NET010.",
        "ECS DescribeSecurityGroups (invoke `alicloud:ecs/getSecurityGroups`)")),
    ("components/plan.py", RuleInfo(
        "NET013", "error", "An adopted security group's configured `type` matches the real one",
        "Basic/enterprise capacity and mixing rules depend on it.", "ECS DescribeSecurityGroups")),
    ("components/plan.py", RuleInfo(
        "NET014", "error", "An adopted VPC id exists in the region", "CIDR rules need its CIDR.",
        "VPC DescribeVpcs (invoke `alicloud:vpc/getNetworks`)")),
    ("components/plan.py", RuleInfo(
        "NET015", "error", "An adopted cluster (`cluster.existing.clusterId`) exists in the region",
        "Nothing can be enabled on a cluster that is not there.", "ACK DescribeClustersV1 (invoke `alicloud:cs/getClusters`)")),
)


def catalog() -> list[RuleInfo]:
    return [r.info for r in ALL_RULES]


def run_rules(plan: NetworkPlan, rules: Iterable[Rule] = ALL_RULES) -> list[Finding]:
    """Every finding of every rule, in catalog order; a rule never stops the others."""
    findings: list[Finding] = list(plan.findings)
    for check in rules:
        findings.extend(check(plan))
    return findings
