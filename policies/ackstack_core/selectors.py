"""Exact overlap analysis between Terway PodNetworking selectors.

Why: Terway assigns a pod to the *first* Ready PodNetworking whose selector
matches (list order), so two PodNetworkings that can match the same pod make
the pod's vSwitch / security groups depend on list ordering. We want to flag
such pairs before deploying, without false alarms for disjoint selectors.

Semantics (confirmed in AliyunContainerService/terway,
``pkg/controller/webhook/mutating.go``, ``matchOnePodNetworking`` and
``PodMatchSelector``):

* For each PodNetworking, if ``Spec.Selector.PodSelector != nil`` the pod's
  labels must match it, and if ``Spec.Selector.NamespaceSelector != nil`` the
  labels of the pod's *Namespace object* must match it (two independent label
  sets). A ``matchOne`` flag is only set by a non-nil selector, so a
  PodNetworking with both selectors absent matches nothing; the validating
  webhook (``pkg/controller/webhook/validate.go``) even denies it ("neither the
  PodSelector nor the NamespaceSelector is set").
* Matching is ``metav1.LabelSelectorAsSelector(sel).Matches(labels)``. In
  apimachinery an empty selector (no matchLabels, no matchExpressions) is
  ``labels.Everything()``; matchLabels are ``Equals`` requirements;
  ``NotIn``/``DoesNotExist`` are satisfied by an absent key.
* ``labels.NewRequirement`` rejects ``In``/``NotIn`` with empty values,
  ``Exists``/``DoesNotExist`` with values, and unknown operators; Terway then
  returns an error for the pod instead of matching. We model any malformed
  selector as matching nothing (so it never produces an overlap report) and
  expose :func:`selector_problems` so callers can reject it separately.

Namespaces always carry ``kubernetes.io/metadata.name=<name>``. Handling it is
cheap, so the namespace side gets an implicit ``Exists`` on that key (a
namespaceSelector with ``DoesNotExist`` on it matches no namespace). Pass
``namespace_name_label=False`` to disable. We do not model that the value must
be the (unique, DNS-1123) namespace name.

Exactness: every requirement constrains a single key, so a conjunction of
requirements is satisfiable iff each key's combined constraint is. Per key we
keep (finite allowed set or "any", excluded values, absent allowed?, present
allowed?), which is closed under intersection and makes both the overlap test
and the witness construction exact.

Performance: :func:`find_overlaps` uses an inverted index (side, key) ->
value -> entries held as int bitsets to discard pairs whose pinned keys
(``In``/matchLabels) disagree or where one side requires a key the other
forbids; only surviving candidates get the exact per-key check. Distinct
``app=...`` selectors therefore cost ~n bitset operations instead of n^2/2
pair checks.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ackstack_core.k8s_names import label_key_problem, label_value_problem

Selector = Mapping[str, Any] | None

NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name"

_OPERATORS = ("In", "NotIn", "Exists", "DoesNotExist")

# Per-key constraint: (allowed values or None for "any", excluded values,
# key may be absent, key may be present). Normalised so that when `allowed` is
# finite, `excluded` is empty and `present_ok` == bool(allowed).
_KeyCon = tuple[frozenset[str] | None, frozenset[str], bool, bool]
_ANY: _KeyCon = (None, frozenset(), True, True)
_EMPTY: frozenset[str] = frozenset()


class _Unsat(Exception):
    """Raised internally when a constraint set can match nothing."""


def _norm(con: _KeyCon) -> _KeyCon:
    allowed, excluded, absent_ok, present_ok = con
    if allowed is not None:
        allowed = allowed - excluded
        excluded = _EMPTY
        present_ok = present_ok and bool(allowed)
    if not (absent_ok or present_ok):
        raise _Unsat
    return (allowed, excluded, absent_ok, present_ok)


def _meet(a: _KeyCon, b: _KeyCon) -> _KeyCon:
    """Intersection of two per-key constraints (raises _Unsat if empty)."""
    if a[0] is None:
        allowed = b[0]
    elif b[0] is None:
        allowed = a[0]
    else:
        allowed = a[0] & b[0]
    return _norm((allowed, a[1] | b[1], a[2] and b[2], a[3] and b[3]))


def _requirement(op: str, values: frozenset[str]) -> _KeyCon:
    if op == "In":
        return (values, _EMPTY, False, True)
    if op == "NotIn":
        return (None, values, True, True)
    if op == "Exists":
        return (None, _EMPTY, False, True)
    return (None, _EMPTY, True, False)  # DoesNotExist


def _parse(sel: Selector) -> tuple[list[tuple[str, str, frozenset[str]]], list[str], list[str]]:
    """Flatten a LabelSelector into (key, op, values) requirements plus problems: (structural, label syntax).

    Mirrors what Terway's decoding (k8s.io/apimachinery/pkg/util/json into metav1.LabelSelector: a JSON null
    string is "", a list or map of the wrong type fails) and LabelSelectorAsSelector (apimachinery v0.36.0
    pkg/apis/meta/v1/helpers.go, labels.NewRequirement in pkg/labels/selector.go) refuse; the syntax part is
    `ackstack_core.k8s_names`. Checked against the real code by tests/policies/test_oracle_selectors.py.
    """
    if sel is None:
        return [], [], []
    if not isinstance(sel, Mapping):
        return [], [f"selector must be a mapping, got {type(sel).__name__}"], []
    reqs: list[tuple[str, str, frozenset[str]]] = []
    problems: list[str] = []
    syntax: list[str] = []
    labels = sel.get("matchLabels")
    if labels is None:
        labels = {}
    if not isinstance(labels, Mapping):
        problems.append("matchLabels must be a mapping")
        labels = {}
    for k, v in labels.items():
        v = "" if v is None else v
        if not isinstance(k, str) or not isinstance(v, str):
            problems.append(f"matchLabels entry {k!r}: {v!r} must map str to str")
            continue
        syntax += _label_syntax(f"matchLabels {k!r}", k, [v])
        reqs.append((k, "In", frozenset((v,))))
    exprs = sel.get("matchExpressions")
    if exprs is None:
        exprs = []
    if isinstance(exprs, (str, bytes, Mapping)) or not isinstance(exprs, Sequence):
        problems.append("matchExpressions must be a list")
        exprs = []
    for i, expr in enumerate(exprs):
        if not isinstance(expr, Mapping):
            problems.append(f"matchExpressions[{i}] must be a mapping")
            continue
        key, op, values = expr.get("key"), expr.get("operator"), expr.get("values")
        key = "" if key is None else key
        values = [] if values is None else values
        if not isinstance(key, str):
            problems.append(f"matchExpressions[{i}].key must be a string")
            continue
        if op not in _OPERATORS:
            problems.append(f"matchExpressions[{i}]: {op!r} is not a valid operator")
            continue
        if isinstance(values, (str, bytes)) or not isinstance(values, Sequence) \
                or not all(v is None or isinstance(v, str) for v in values):
            problems.append(f"matchExpressions[{i}].values must be a list of strings")
            continue
        values = ["" if v is None else v for v in values]
        if op in ("In", "NotIn") and not values:
            problems.append(f"matchExpressions[{i}]: {op} requires non-empty values")
            continue
        if op in ("Exists", "DoesNotExist") and values:
            problems.append(f"matchExpressions[{i}]: {op} must not have values")
            continue
        syntax += _label_syntax(f"matchExpressions[{i}]", key, values)
        reqs.append((key, op, frozenset(values)))
    return reqs, problems, syntax


def _label_syntax(where: str, key: str, values: Sequence[str]) -> list[str]:
    out = [f"{where}: label key `{key}` {problem}"] if (problem := label_key_problem(key)) else []
    out += [f"{where}: label value `{value}` {problem}" for value in values
            if (problem := label_value_problem(value))]
    return out


def selector_problems(sel: Selector, *, label_syntax: bool = True) -> list[str]:
    """Reasons apimachinery's LabelSelectorAsSelector refuses this LabelSelector (empty list if valid);
    `label_syntax=False` leaves out bad label keys and values (rule K8S003 reports them one by one)."""
    _, problems, syntax = _parse(sel)
    return problems + syntax if label_syntax else problems


def _compile(sel: Selector, extra: Sequence[tuple[str, _KeyCon]] = ()) -> dict[str, _KeyCon] | None:
    """Per-key constraints of a selector, or None if it matches nothing.

    Absent (None) compiles to "no constraints": callers handle the
    both-absent rule themselves.
    """
    reqs, problems, syntax = _parse(sel)
    if problems or syntax:
        return None
    cons: dict[str, _KeyCon] = {}
    try:
        for key, con in extra:
            cons[key] = _meet(cons.get(key, _ANY), con)
        for key, op, values in reqs:
            cons[key] = _meet(cons.get(key, _ANY), _requirement(op, values))
    except _Unsat:
        return None
    return cons


def _merge(a: dict[str, _KeyCon], b: dict[str, _KeyCon]) -> dict[str, _KeyCon] | None:
    if len(a) < len(b):
        a, b = b, a
    out = dict(a)
    try:
        for key, con in b.items():
            out[key] = _meet(out[key], con) if key in out else con
    except _Unsat:
        return None
    return out


def _fresh(excluded: frozenset[str]) -> str:
    """A value not in `excluded` ("x", "x1", "x2", ...)."""
    if "x" not in excluded:
        return "x"
    i = 1
    while f"x{i}" in excluded:
        i += 1
    return f"x{i}"


def _labels_for(cons: dict[str, _KeyCon]) -> dict[str, str]:
    """Smallest label set satisfying satisfiable per-key constraints."""
    out: dict[str, str] = {}
    for key in sorted(cons):
        allowed, excluded, absent_ok, _present_ok = cons[key]
        if absent_ok:
            continue  # leaving the key off satisfies NotIn / DoesNotExist / no-op
        out[key] = min(allowed) if allowed is not None else _fresh(excluded)
    return out


def witness(a: Selector, b: Selector) -> dict[str, str] | None:
    """A label set satisfying both selectors (None-absent = unconstrained), or None if disjoint."""
    ca, cb = _compile(a), _compile(b)
    if ca is None or cb is None:
        return None
    merged = _merge(ca, cb)
    return None if merged is None else _labels_for(merged)


def _ns_extra(namespace_name_label: bool) -> tuple[tuple[str, _KeyCon], ...]:
    return ((NAMESPACE_NAME_LABEL, _requirement("Exists", _EMPTY)),) if namespace_name_label else ()


def _compile_entry(
    pod: Selector, ns: Selector, ns_extra: Sequence[tuple[str, _KeyCon]]
) -> tuple[dict[str, _KeyCon], dict[str, _KeyCon]] | None:
    if pod is None and ns is None:
        return None  # Terway: matchOne stays false -> matches nothing
    cp, cn = _compile(pod), _compile(ns, ns_extra)
    if cp is None or cn is None:
        return None
    return cp, cn


def _canonical(entry: tuple[dict[str, _KeyCon], dict[str, _KeyCon]]) -> tuple:
    """A hashable form of a compiled entry, equal for equal constraints whatever their order."""

    def side(cons: dict[str, _KeyCon]) -> tuple:
        return tuple(sorted(
            (key, None if allowed is None else tuple(sorted(allowed)), tuple(sorted(excl)), absent_ok, present_ok)
            for key, (allowed, excl, absent_ok, present_ok) in cons.items()))

    return side(entry[0]), side(entry[1])


def _pair(
    a: tuple[dict[str, _KeyCon], dict[str, _KeyCon]], b: tuple[dict[str, _KeyCon], dict[str, _KeyCon]]
) -> dict | None:
    pod = _merge(a[0], b[0])
    if pod is None:
        return None
    ns = _merge(a[1], b[1])
    if ns is None:
        return None
    return {"pod": _labels_for(pod), "namespace": _labels_for(ns)}


def podnetworking_overlap(
    a_pod: Selector, a_ns: Selector, b_pod: Selector, b_ns: Selector, *, namespace_name_label: bool = True
) -> dict | None:
    """{"pod": labels, "namespace": labels} for a pod that both PodNetworkings match, else None.

    Handles the 'both absent matches nothing' rule.
    """
    extra = _ns_extra(namespace_name_label)
    ea = _compile_entry(a_pod, a_ns, extra)
    eb = _compile_entry(b_pod, b_ns, extra) if ea is not None else None
    if ea is None or eb is None:
        return None
    return _pair(ea, eb)


def find_overlaps(
    entries: Sequence[tuple[str, Selector, Selector]], *, namespace_name_label: bool = True
) -> list[tuple[str, str, dict]]:
    """All overlapping pairs (name_a, name_b, example) with name_a before name_b in input order.

    `entries` are (name, podSelector, namespaceSelector).
    """
    extra = _ns_extra(namespace_name_label)
    compiled = [_compile_entry(pod, ns, extra) for _name, pod, ns in entries]

    # Inverted index over bitsets (bit i = entry i), per (side, key):
    #   pinned[sk]    entries requiring the key present with a value in a finite set
    #   by_value[sk]  value -> entries whose finite set contains the value
    #   present[sk]   entries requiring the key present
    #   absent[sk]    entries requiring the key absent
    pinned: dict[tuple[int, str], int] = {}
    by_value: dict[tuple[int, str], dict[str, int]] = {}
    present: dict[tuple[int, str], int] = {}
    absent: dict[tuple[int, str], int] = {}
    live = 0
    for i, entry in enumerate(compiled):
        if entry is None:
            continue
        bit = 1 << i
        live |= bit
        for side, cons in enumerate(entry):
            for key, (allowed, _excl, absent_ok, present_ok) in cons.items():
                sk = (side, key)
                if not present_ok:
                    absent[sk] = absent.get(sk, 0) | bit
                elif not absent_ok:
                    present[sk] = present.get(sk, 0) | bit
                    if allowed is not None:
                        pinned[sk] = pinned.get(sk, 0) | bit
                        vals = by_value.setdefault(sk, {})
                        for v in allowed:
                            vals[v] = vals.get(v, 0) | bit

    out: list[tuple[str, str, dict]] = []
    # Equal selectors give equal examples: confirm each distinct pair of constraint sets once (1,000 copies
    # of one selector are 499,500 pairs but one `_pair` call).
    canon = [None if entry is None else _canonical(entry) for entry in compiled]
    examples: dict[tuple, dict | None] = {}
    for i, entry in enumerate(compiled):
        if entry is None:
            continue
        cand = live >> (i + 1)  # only later entries; bit 0 of `cand` is entry i+1
        for side, cons in enumerate(entry):
            for key, (allowed, _excl, absent_ok, present_ok) in cons.items():
                sk = (side, key)
                if not present_ok:
                    cand &= ~(present.get(sk, 0) >> (i + 1))
                    continue
                if not absent_ok:
                    cand &= ~(absent.get(sk, 0) >> (i + 1))
                    if allowed is not None and sk in pinned:
                        vals = by_value[sk]
                        ok = 0
                        for v in allowed:
                            ok |= vals.get(v, 0)
                        cand &= ~((pinned[sk] & ~ok) >> (i + 1))
                if not cand:
                    break
            if not cand:
                break
        while cand:
            low = cand & -cand
            j = i + low.bit_length()  # bit position p -> entry i + 1 + p
            cand ^= low
            memo = (canon[i], canon[j])
            if memo not in examples:
                examples[memo] = _pair(entry, compiled[j])  # type: ignore[arg-type]
            example = examples[memo]
            if example is not None:
                out.append((entries[i][0], entries[j][0], example))
    return out


class SelectorError(ValueError):
    """apimachinery's LabelSelectorAsSelector would fail: Terway errors for every pod it meets."""


def selector_matches(sel: Selector, labels: Mapping[str, str]) -> bool:
    """`LabelSelectorAsSelector(sel).Matches(labels)`: an empty selector matches everything; NotIn and
    DoesNotExist hold for an absent key. Raises SelectorError where apimachinery returns an error."""
    return compile_selector(sel).matches(labels)


class CompiledSelector:
    """A selector parsed once, to match many label sets (1,000 PodNetworkings x 300 namespaces parsed each
    selector 300 times, issue #24 §6)."""

    __slots__ = ("_problems", "_reqs")

    def __init__(self, sel: Selector) -> None:
        self._reqs, problems, syntax = _parse(sel)
        self._problems = problems + syntax

    def matches(self, labels: Mapping[str, str]) -> bool:
        """See :func:`selector_matches`."""
        return _requirements_hold(self.requirements(), labels)

    def requirements(self) -> list[tuple[str, str, frozenset[str]]]:
        """(key, operator, values) of each requirement, matchLabels as In; SelectorError for a broken selector."""
        if self._problems:
            raise SelectorError("; ".join(self._problems))
        return self._reqs


def compile_selector(sel: Selector) -> CompiledSelector:
    return CompiledSelector(sel)


class LabelSetIndex:
    """Label sets (namespaces) indexed by their labels, so a selector is checked only against the sets that hold
    what its In and Exists requirements need rather than against every set: 5,000 PodNetworkings x 500 namespaces
    were 2,500,000 matches (issue #24 §6). The answer is the same as matching each set in turn."""

    __slots__ = ("_by_key", "_by_pair", "_sets")

    def __init__(self, label_sets: Sequence[Mapping[str, str]]) -> None:
        self._sets = list(label_sets)
        self._by_pair: dict[tuple[str, str], list[int]] = {}
        self._by_key: dict[str, list[int]] = {}
        for index, labels in enumerate(self._sets):
            for key, value in labels.items():
                self._by_pair.setdefault((key, value), []).append(index)
                self._by_key.setdefault(key, []).append(index)

    def matching(self, selector: CompiledSelector) -> list[int]:
        """Positions, in order, of the label sets `selector` matches; SelectorError (as `matches` raises it) for a
        broken selector when there is any set to match."""
        if not self._sets:
            return []
        candidates: set[int] | None = None  # None: every set
        for key, op, values in selector.requirements():
            if op == "In":
                found = {i for value in values for i in self._by_pair.get((key, value), ())}
            elif op == "Exists":
                found = set(self._by_key.get(key, ()))
            else:  # NotIn and DoesNotExist hold for sets without the key: no narrowing
                continue
            candidates = found if candidates is None else candidates & found
        pool = range(len(self._sets)) if candidates is None else sorted(candidates)
        return [i for i in pool if selector.matches(self._sets[i])]


def _requirements_hold(reqs: list[tuple[str, str, frozenset[str]]], labels: Mapping[str, str]) -> bool:
    for key, op, values in reqs:
        present = key in labels
        if op == "In":
            ok = present and labels[key] in values
        elif op == "NotIn":
            ok = not present or labels[key] not in values
        else:
            ok = present if op == "Exists" else not present
        if not ok:
            return False
    return True
