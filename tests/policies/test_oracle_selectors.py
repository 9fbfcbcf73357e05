"""Kubernetes' own selector code as the oracle for selectors.py (issue #22, section 3).

k8s.io/apimachinery (pinned in go/oracles/go.mod, the release terway v1.17.5 builds with) decodes each
selector the way Terway decodes a PodNetworking, converts it with metav1.LabelSelectorAsSelector and
matches label sets with Selector.Matches. Random selectors (every operator, empty, missing and null values,
wrong JSON types, key and value syntax edges) against random label sets: verdicts must be identical. The
exact overlap check is compared with a brute-force enumeration of every label set over a finite universe,
matched by the real matcher. One selector-oracle process per corpus; seed ORACLE_SEED (default 22).
"""

from __future__ import annotations

import itertools
import os
import random

import pytest

from ackstack_core.selectors import (
    NAMESPACE_NAME_LABEL,
    LabelSetIndex,
    SelectorError,
    compile_selector,
    find_overlaps,
    selector_matches,
    selector_problems,
    witness,
)
from tests.oracle_run import ask, oracle_binary

SEED = int(os.environ.get("ORACLE_SEED", "22"))
MATCH_PAIRS = 20_000
OVERLAP_SELECTORS = 260
OVERLAP_ENTRIES = 140

VALID_KEYS = ["app", "tier", "env", "example.com/team", NAMESPACE_NAME_LABEL]
EDGE_KEYS = ["", "/app", "app/", "a/b/c", "Example.com/app", "-app", "app-", "a b", "app\n", "ünï", "1", "_a", "a_",
             ".a", "a.b-c_D", "x" * 63, "x" * 64, "p" * 253 + "/a", "p" * 254 + "/a", "a" * 63 + "." + "b" * 63 + "/c",
             "k8s.aliyun.com/pod-eni", "example.com/" + "n" * 64, "EXAMPLE/a", "ex_ample.com/a"]
VALID_VALUES = ["a", "b", "c", "web", ""]
EDGE_VALUES = ["x" * 63, "x" * 64, "-a", "a-", "a b", "a_b", "A.b", "ñ", "1", "a\n", ".", "a..b", None]
OPERATORS = ["In", "NotIn", "Exists", "DoesNotExist"]
EDGE_OPERATORS = ["in", "Equals", "Gt", "", None, "Exists ", "notin", 1]


@pytest.fixture(scope="module")
def oracle():
    return oracle_binary("selector-oracle")


def _key(rng: random.Random) -> str:
    return rng.choice(EDGE_KEYS) if rng.random() < 0.08 else rng.choice(VALID_KEYS)


def _value(rng: random.Random):
    return rng.choice(EDGE_VALUES) if rng.random() < 0.06 else rng.choice(VALID_VALUES)


def _expression(rng: random.Random) -> object:
    if rng.random() < 0.02:
        return rng.choice([None, 1, "app", [], {"key": "app"}])
    expr: dict = {"key": _key(rng) if rng.random() > 0.01 else None,
                  "operator": rng.choice(EDGE_OPERATORS) if rng.random() < 0.04 else rng.choice(OPERATORS)}
    shape = rng.random()
    if shape < 0.15:
        pass  # no `values` key
    elif shape < 0.2:
        expr["values"] = rng.choice([None, [], "a", [None], [1], {}])
    else:
        expr["values"] = [_value(rng) for _ in range(rng.randint(0 if rng.random() < 0.3 else 1, 3))]
    if expr.get("operator") in ("Exists", "DoesNotExist") and rng.random() < 0.8:
        expr.pop("values", None)
    return expr


def random_selector(rng: random.Random) -> object:
    if rng.random() < 0.01:
        return rng.choice([[], "app=a", 1])
    sel: dict = {}
    if rng.random() < 0.05:
        sel["matchLabels"] = rng.choice([[], "", 0, False, None, {"app": 1}, {"app": None}, {"app": ["a"]}])
    elif rng.random() < 0.6:
        sel["matchLabels"] = {_key(rng): _value(rng) for _ in range(rng.randint(0, 2))}
    if rng.random() < 0.04:
        sel["matchExpressions"] = rng.choice([{}, "x", None, [None], [1], {"key": "app"}])
    elif rng.random() < 0.7:
        sel["matchExpressions"] = [_expression(rng) for _ in range(rng.randint(0, 3))]
    if rng.random() < 0.02:
        sel["matchlabels"] = {"app": "a"}  # not a field: Go's case-sensitive decoding ignores it
    return sel


def random_labels(rng: random.Random) -> dict[str, str]:
    return {rng.choice(VALID_KEYS + ["other"]): rng.choice(VALID_VALUES + ["z"]) for _ in range(rng.randint(0, 4))}


def _model(sel, labels) -> tuple[bool, bool]:
    """(refused, matches) by selectors.py."""
    problems = selector_problems(sel)
    try:
        matches = selector_matches(sel, labels)
    except SelectorError:
        assert problems, sel  # one decision: refused by both entry points or by neither
        return True, False
    assert not problems, (sel, problems)
    return False, matches


def test_oracle_label_selector_conversion_and_matching_agree_on_20000_pairs(oracle):
    rng = random.Random(SEED)
    pairs = [(random_selector(rng), random_labels(rng)) for _ in range(MATCH_PAIRS)]
    verdicts = ask(oracle, [{"op": "match", "selector": sel, "labels": labels} for sel, labels in pairs])
    refused = matched = 0
    for (sel, labels), verdict in zip(pairs, verdicts, strict=True):
        go_refuses = verdict["decodeError"] is not None or verdict["error"] is not None
        ours_refused, ours_matches = _model(sel, labels)
        assert ours_refused == go_refuses, (sel, labels, verdict, selector_problems(sel))
        if not go_refuses:
            assert ours_matches == verdict["matches"], (sel, labels, verdict)
            matched += verdict["matches"]
            # the API server's ValidateLabelSelector agrees with the conversion on every decodable selector
            assert not verdict["validation"], (sel, verdict)
        refused += go_refuses
    # the corpus reaches every outcome in quantity
    assert refused > MATCH_PAIRS // 20 and matched > MATCH_PAIRS // 10 and MATCH_PAIRS - refused - matched > MATCH_PAIRS // 10


INDEX_SELECTORS = 200
INDEX_LABEL_SETS = 50


def test_oracle_label_set_index_finds_exactly_the_sets_the_real_matcher_matches(oracle):
    """LabelSetIndex narrows by In/Exists before matching (namespaces per PodNetworking, issue #24 §6): for
    each random selector, the sets it returns are exactly those apimachinery matches, and it refuses exactly
    the selectors apimachinery refuses."""
    rng = random.Random(SEED + 2)
    label_sets = [random_labels(rng) for _ in range(INDEX_LABEL_SETS)]
    selectors = [random_selector(rng) for _ in range(INDEX_SELECTORS)]
    index = LabelSetIndex(label_sets)
    verdicts = iter(ask(oracle, [{"op": "match", "selector": sel, "labels": labels}
                                 for sel in selectors for labels in label_sets]))
    narrowed = 0
    for sel in selectors:
        answers = [next(verdicts) for _ in label_sets]
        refused = answers[0]["decodeError"] is not None or answers[0]["error"] is not None
        try:
            found = index.matching(compile_selector(sel))
        except SelectorError:
            assert refused, sel
            continue
        assert not refused, sel
        assert found == [i for i, verdict in enumerate(answers) if verdict["matches"]], sel
        narrowed += any(op in ("In", "Exists") for _, op, _ in compile_selector(sel).requirements())
    assert narrowed > INDEX_SELECTORS // 4  # the index's narrowing path, not only the full scan, is compared
    assert LabelSetIndex([]).matching(compile_selector({"matchLabels": {"app": 1}})) == []


# ---------------------------------------------------------------- exact overlap vs brute force
# Selectors over these keys and values only; each key of the universe also takes "z", which no selector
# names: a value a selector does not name behaves like any other it does not name, so every label set
# is equivalent to one in the universe and the enumeration is exhaustive.
OVERLAP_KEYS = ["app", "tier", "env"]
OVERLAP_VALUES = ["a", "b", "c"]
POD_UNIVERSE = {key: [*OVERLAP_VALUES, "z"] for key in OVERLAP_KEYS}
NS_UNIVERSE = {**POD_UNIVERSE, NAMESPACE_NAME_LABEL: [*OVERLAP_VALUES, "z"]}


def small_selector(rng: random.Random, keys: list[str]) -> dict:
    sel: dict = {}
    if rng.random() < 0.5:
        sel["matchLabels"] = {rng.choice(keys): rng.choice(OVERLAP_VALUES) for _ in range(rng.randint(0, 2))}
    exprs = []
    for _ in range(rng.randint(0, 3)):
        op = rng.choice(OPERATORS)
        expr = {"key": rng.choice(keys), "operator": op}
        if op in ("In", "NotIn"):
            expr["values"] = rng.sample(OVERLAP_VALUES, rng.randint(1 if rng.random() > 0.03 else 0, 3))
        exprs.append(expr)
    if exprs or rng.random() < 0.3:
        sel["matchExpressions"] = exprs
    return sel


def _bitsets(oracle, selectors: list[dict], universe: dict, required: list[str]) -> tuple[int, list[int | None]]:
    (verdict,) = ask(oracle, [{"op": "enumerate", "selectors": selectors, "universe": universe,
                               "required": required}])
    return verdict["size"], [None if m is None else int(m, 16) for m in verdict["matches"]]


def test_oracle_exact_overlap_equals_brute_force_over_a_finite_universe(oracle):
    rng = random.Random(SEED)
    selectors = [small_selector(rng, OVERLAP_KEYS) for _ in range(OVERLAP_SELECTORS)]
    size, bits = _bitsets(oracle, selectors, POD_UNIVERSE, [])
    assert size == 5 ** len(OVERLAP_KEYS)
    witnesses, disjoint = [], 0
    for i, j in itertools.combinations(range(len(selectors)), 2):
        example = witness(selectors[i], selectors[j])
        truth = bits[i] is not None and bits[j] is not None and bits[i] & bits[j] != 0
        assert (example is not None) == truth, (selectors[i], selectors[j], example)
        if example is None:
            disjoint += 1
        elif len(witnesses) < 4000:
            witnesses.append((i, j, example))
    assert disjoint > 1000 and len(witnesses) == 4000
    # every example the model gives is a label set both selectors really match
    cases = [{"op": "match", "selector": selectors[k], "labels": example} for i, j, example in witnesses
             for k in (i, j)]
    assert all(v["matches"] for v in ask(oracle, cases))


def test_oracle_find_overlaps_equals_brute_force_for_podnetworkings(oracle):
    """find_overlaps (SEL001) against the enumeration: pod side and namespace side (every namespace carries
    kubernetes.io/metadata.name), an absent selector unconstrained, both absent or one refused matching nothing."""
    rng = random.Random(SEED + 1)
    entries = []
    for index in range(OVERLAP_ENTRIES):
        pod = small_selector(rng, OVERLAP_KEYS) if rng.random() < 0.75 else None
        ns = small_selector(rng, [*OVERLAP_KEYS, NAMESPACE_NAME_LABEL]) if rng.random() < 0.6 else None
        entries.append((f"pn{index}", pod, ns))
    _, pod_bits = _bitsets(oracle, [e[1] or {} for e in entries], POD_UNIVERSE, [])
    _, ns_bits = _bitsets(oracle, [e[2] or {} for e in entries], NS_UNIVERSE, [NAMESPACE_NAME_LABEL])
    truth = set()
    for i, j in itertools.combinations(range(len(entries)), 2):
        if (entries[i][1] is None and entries[i][2] is None) or (entries[j][1] is None and entries[j][2] is None):
            continue
        if (pod_bits[i] or 0) & (pod_bits[j] or 0) and (ns_bits[i] or 0) & (ns_bits[j] or 0):
            truth.add((entries[i][0], entries[j][0]))
    found = {(a, b) for a, b, _ in find_overlaps(entries)}
    assert found == truth
    assert 50 < len(truth) < len(entries) * (len(entries) - 1) // 2 - 50
