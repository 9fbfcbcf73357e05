"""SEL001 at rule level (the overlap algorithm itself is tested against an oracle in test_selectors.py)."""

from __future__ import annotations

import re

from ackstack.engine.testing import findings_for, stack_config, with_value


def only(findings, rule="SEL001"):
    return [f for f in findings if f.rule == rule]


def _matches(selector: dict, labels: dict) -> bool:
    for key, value in (selector.get("matchLabels") or {}).items():
        if labels.get(key) != value:
            return False
    for expr in selector.get("matchExpressions") or []:
        key, op, values = expr["key"], expr["operator"], expr.get("values") or []
        present = key in labels
        if (op == "In" and labels.get(key) not in values) or (op == "NotIn" and present and labels[key] in values) \
                or (op == "Exists" and not present) or (op == "DoesNotExist" and present):
            return False
    return True


def with_two(first: dict, second: dict, ns: dict | None = None):
    cfg = stack_config("dev")
    base = cfg["ackstack:podNetworkings"][0]
    a = {**base, "name": "tier-a", "selector": {"podSelector": first}}
    b = {**base, "name": "tier-b", "selector": {"podSelector": second}}
    if ns is not None:
        b["selector"]["namespaceSelector"] = ns
    return with_value(cfg, "ackstack:podNetworkings", [a, b])


def _labels(text: str) -> dict:
    return dict(pair.split("=", 1) for pair in text.strip("{}").split(", ") if pair)


def test_dev_single_podnetworking_passes():
    assert only(findings_for(stack_config("dev"))) == []


def test_disjoint_in_values_no_finding():
    cfg = with_two({"matchExpressions": [{"key": "tier", "operator": "In", "values": ["a"]}]},
                   {"matchExpressions": [{"key": "tier", "operator": "In", "values": ["b"]}]})
    assert only(findings_for(cfg)) == []


def test_exists_vs_does_not_exist_no_finding():
    cfg = with_two({"matchExpressions": [{"key": "gpu", "operator": "Exists"}]},
                   {"matchExpressions": [{"key": "gpu", "operator": "DoesNotExist"}]})
    assert only(findings_for(cfg)) == []


def test_intersecting_selectors_error_with_matching_example():
    first = {"matchExpressions": [{"key": "tier", "operator": "In", "values": ["a", "b"]}]}
    second = {"matchLabels": {"app": "web"},
              "matchExpressions": [{"key": "tier", "operator": "NotIn", "values": ["a"]}]}
    ns = {"matchLabels": {"env": "prod"}}
    found = only(findings_for(with_two(first, second, ns)))
    assert [(f.level, f.path) for f in found] == [("error", "ackstack:podNetworkings[1].selector")]
    msg = found[0].message
    assert "`tier-a`" in msg and "`tier-b`" in msg
    pod, namespace = re.search(r"a pod labelled (\{[^}]*\}) in a namespace labelled (\{[^}]*\})", msg).groups()
    pod, namespace = _labels(pod), _labels(namespace)
    assert pod == {"app": "web", "tier": "b"}
    assert _matches(first, pod) and _matches(second, pod) and _matches(ns, namespace)


def test_empty_pod_selector_matches_everything_but_absent_selectors_match_nothing():
    cfg = with_two({}, {"matchLabels": {"app": "web"}})  # {} = every pod
    assert len(only(findings_for(cfg))) == 1
    cfg["ackstack:podNetworkings"][0]["selector"] = {}  # both selectors absent: Terway matches nothing
    assert only(findings_for(cfg)) == []
