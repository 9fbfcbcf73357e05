"""Hostile input: hypothesis-generated stack configs never crash ackstack, and a bad one registers nothing.

Two properties, seeded and reproducible (`derandomize=True`, no example database):

1. loader + plan + every validation rule + the capacity report (the path the preview takes before and
   besides the program) never raise: they only return findings. LOADER_EXAMPLES configs.
2. The REAL program under the offline engine (`ackstack.engine.testing.run`) ends either cleanly, with resources
   and no error finding, or with `ValidationFailed` and no resource registered. PROGRAM_EXAMPLES configs.

Configs are random structures (wrong types, huge lists, odd unicode, CIDRs at the edges, empty strings)
and mutations of the example stack configs (one random node replaced by junk, deleted, duplicated...).
"""

from __future__ import annotations

import copy
import json
import math
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ackstack.engine.engine import _config_text
from ackstack.engine.testing import ROOT, run, stack_config, stack_inventory
from components.config_loader import load
from components.plan import build_plan
from components.validation.catalog import run_rules
from components.validation.findings import Finding, ValidationFailed, has_errors

# Together 2000 configs; each test asserts that hypothesis really ran its count.
LOADER_EXAMPLES = 1800
PROGRAM_EXAMPLES = 200

STACKS = sorted(p.name[len("Pulumi."):-len(".yaml")] for p in Path(ROOT).glob("Pulumi.*.yaml"))
BASE = {s: stack_config(s) for s in STACKS}
INVENTORY = {s: stack_inventory(s) for s in STACKS}

EDGE_CIDRS = ["0.0.0.0/0", "255.255.255.255/32", "10.0.0.1/8", "10.0.0.0/33", "10.0.0.0/-1", "10.0.0.0/", "/8",
              "10.0.0.0", "10.0.0.0/8/8", "256.0.0.0/8", "::/0", "fe80::/64", "10.0.0.0/08", " 10.0.0.0/8",
              "10.0.0.0/8 ", "10.0.0.0/32", "10.0.0.0/31", "192.168.0.0/16", "172.16.0.0/12", "100.64.0.0/10",
              "127.0.0.0/8", "224.0.0.0/4", "10.0.0.0/29", "10.0.0.0/30", "0.0.0.0/32", "1.2.3.4/32", "١٠.0.0.0/8"]
ODD_TEXT = ["", " ", "\t", "\n", "\x00", "null", "None", "~", "true", "false", "0", "-1", "1e309", "NaN", "[]", "{}",
            "{", "[", '"', "ß", "İ", "ﬀ", "\u200b", "\u202e", "𝔘𝔫𝔦", "😀" * 40, "a" * 300, "ecs.", "vsw-", "sg-",
            "vpc-", "c", "-", "a-", "A", "ns/x", "kube-system", "default", "../../etc/passwd", "${x}", "%s",
            "cn-hangzhou-h", "terway-trunk", "byocni-cilium", "node", "pod", "podnetworking", *EDGE_CIDRS]

scalars = st.one_of(
    st.none(), st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(ODD_TEXT),
    st.text(max_size=30),
)
junk = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=6),
        st.dictionaries(st.one_of(st.sampled_from(["name", "cidr", "id", "zoneId", "role", "mode", "type", "rules",
                                                   "nodePools", "labels", "selector", ""]), st.text(max_size=12)),
                        children, max_size=6),
    ),
    max_leaves=25,
)
TOP_KEYS = ["ackstack:environment", "ackstack:network", "ackstack:cluster", "ackstack:cni",
            "ackstack:podNetworkings", "ackstack:namespaces", "ackstack:capacity", "ackstack:nodePassword",
            "alicloud:region", "ackstack:bogus", "other:key"]


def _paths(node, path=()):
    yield path
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _paths(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _paths(value, (*path, index))


@st.composite
def mutated(draw, max_mutations: int = 3):
    """An example stack config with 1..max_mutations random nodes broken."""
    stack = draw(st.sampled_from(STACKS))
    config = copy.deepcopy(BASE[stack])
    for _ in range(draw(st.integers(1, max_mutations))):
        paths = [p for p in _paths(config) if p]
        path = draw(st.sampled_from(paths))
        parent = config
        for step in path[:-1]:
            parent = parent[step]
        last = path[-1]
        current = parent[last]
        op = draw(st.sampled_from(["junk", "delete", "cidr", "text", "duplicate", "huge", "wrap", "extra-key",
                                   "json-text", "type-swap"]))
        if op == "junk":
            parent[last] = draw(junk)
        elif op == "delete":
            del parent[last]
        elif op == "cidr":
            parent[last] = draw(st.sampled_from(EDGE_CIDRS))
        elif op == "text":
            parent[last] = draw(st.one_of(st.sampled_from(ODD_TEXT), st.text(max_size=80)))
        elif op == "duplicate" and isinstance(current, list) and current:
            parent[last] = current + [copy.deepcopy(draw(st.sampled_from(current)))]
        elif op == "huge":
            parent[last] = [copy.deepcopy(current)] * draw(st.integers(50, 400))
        elif op == "wrap":
            parent[last] = [current] if not isinstance(current, list) else {"items": current}
        elif op == "extra-key" and isinstance(current, dict):
            current[draw(st.text(max_size=10))] = draw(junk)
        elif op == "json-text":
            parent[last] = json.dumps(current, default=str)
        else:  # type-swap (and the fallbacks above)
            swap = {bool: 1, int: "1", str: 1, float: "x", list: "[]", dict: [], type(None): 0}
            parent[last] = swap.get(type(current))
    return config


EDGE_INTS = [0, -1, 1, 2, 7, 8, 11, 16, 24, 28, 29, 30, 32, 33, 63, 64, 1000, 1001, 1024, 1025, 2**31, 2**63, -(2**63)]


def _strings(node) -> list[str]:
    return sorted({v for p in _paths(node) if isinstance(v := _at(node, p), str)} | {
        k for p in _paths(node) if isinstance(d := _at(node, p), dict) for k in d if isinstance(k, str)})


def _at(node, path):
    for step in path:
        node = node[step]
    return node


@st.composite
def typed(draw, max_mutations: int = 3):
    """An example stack config with 1..max_mutations values replaced by values OF THE SAME TYPE at the edges
    (CIDRs, odd unicode, names of other objects, boundary integers, emptied/duplicated lists), so most still
    parse and the plan, the rules and the program are reached."""
    stack = draw(st.sampled_from(STACKS))
    config = copy.deepcopy(BASE[stack])
    names = _strings(config)
    for _ in range(draw(st.integers(1, max_mutations))):
        path = draw(st.sampled_from([p for p in _paths(config) if p]))
        parent, last = _at(config, path[:-1]), path[-1]
        current = parent[last]
        if isinstance(current, bool):
            parent[last] = not current
        elif isinstance(current, int):
            parent[last] = draw(st.sampled_from(EDGE_INTS))
        elif isinstance(current, float):
            parent[last] = draw(st.sampled_from([0.0, 1e-9, 0.5, 1.0, 1.0000001, -0.0]))
        elif isinstance(current, str):
            pool = draw(st.sampled_from(["names", "names", "names", "cidr", "odd", "text"]))
            parent[last] = draw({"names": st.sampled_from(names), "cidr": st.sampled_from(EDGE_CIDRS),
                                 "odd": st.sampled_from(ODD_TEXT), "text": st.text(max_size=20)}[pool])
        elif isinstance(current, list):
            op = draw(st.sampled_from(["empty", "dup", "drop", "huge", "reverse", "reverse", "drop"]))
            if op == "empty" or not current:
                parent[last] = []
            elif op == "dup":
                parent[last] = current + [copy.deepcopy(draw(st.sampled_from(current)))]
            elif op == "drop":
                parent[last] = current[1:]
            elif op == "huge":
                parent[last] = [copy.deepcopy(current[0]) for _ in range(draw(st.integers(20, 120)))]
            else:
                parent[last] = current[::-1]
        elif isinstance(current, dict) and current:
            key = draw(st.sampled_from(sorted(current, key=str)))
            if draw(st.sampled_from([True, True, False])):
                del current[key]
            else:
                current[draw(st.sampled_from(names))] = copy.deepcopy(current[key])
    return config


@st.composite
def random_map(draw):
    """A config map from scratch: known and unknown keys with random structures."""
    keys = draw(st.lists(st.sampled_from(TOP_KEYS), max_size=len(TOP_KEYS), unique=True))
    return {key: draw(junk) for key in keys}


configs = st.one_of(typed(max_mutations=1), typed(), typed(max_mutations=1), mutated(), typed(max_mutations=6), random_map())


def _checked(findings: list) -> list[Finding]:
    assert isinstance(findings, list) and all(isinstance(f, Finding) for f in findings)
    for f in findings:
        assert f.level in ("error", "warning") and f.rule and isinstance(f.message, str)
    return findings


def _stack_of(config: dict) -> str:
    env = config.get("ackstack:environment")
    return "existing" if isinstance(env, dict) and env.get("name") == "existing" and "existing" in STACKS else "dev"


def _non_finite(value) -> list:
    """Every NaN/Infinity anywhere in the report (it must stay JSON for `--json`)."""
    if isinstance(value, float):
        return [] if math.isfinite(value) else [value]
    if isinstance(value, dict):
        return [bad for item in value.values() for bad in _non_finite(item)]
    if isinstance(value, list | tuple):
        return [bad for item in value for bad in _non_finite(item)]
    return []


def _loader_case(config: dict) -> None:
    from components.capacity import capacity_report

    loaded = load(config)
    _checked(loaded.findings)
    if loaded.config is None:
        assert has_errors(loaded.findings), "no config and no error finding"
        return
    plan = build_plan(loaded.config, INVENTORY.get(_stack_of(config), INVENTORY["dev"]).cloud_facts())
    _checked(run_rules(plan))
    report = capacity_report(plan)  # the preview builds it for every parsed config, valid or not
    assert isinstance(report, dict) and _non_finite(report) == []
    json.dumps(report, allow_nan=False)


def _program_case(config: dict) -> None:
    stack = _stack_of(config)
    result = run(config, stack=stack, inventory=INVENTORY.get(stack))
    if result.error is None:
        # the program saw the CLI form of the map (every value as text), so load that form
        loaded = load({key: _config_text(value) for key, value in config.items()})
        assert loaded.config is not None and not has_errors(loaded.findings)
        assert result.registrations, "a clean run must register the stack's resources"
        return
    assert isinstance(result.error, ValidationFailed), f"{type(result.error).__name__}: {result.error}"
    assert has_errors(result.error.findings)
    assert result.registrations == [], [r.urn for r in result.registrations]


def test_loader_rules_and_capacity_never_raise():
    ran: list[None] = []

    @settings(derandomize=True, database=None, max_examples=LOADER_EXAMPLES, deadline=None,
              suppress_health_check=list(HealthCheck))
    @given(configs)
    def case(config):
        ran.append(None)
        _loader_case(config)

    case()
    assert len(ran) >= LOADER_EXAMPLES, f"hypothesis ran {len(ran)} of {LOADER_EXAMPLES} configs"


def test_program_registers_nothing_for_invalid_config_and_never_crashes():
    ran: list[None] = []

    @settings(derandomize=True, database=None, max_examples=PROGRAM_EXAMPLES, deadline=None,
              suppress_health_check=list(HealthCheck))
    @given(st.one_of(typed(max_mutations=1), typed(), typed(max_mutations=1), mutated(max_mutations=1), random_map()))
    def case(config):
        ran.append(None)
        _program_case(config)

    case()
    assert len(ran) >= PROGRAM_EXAMPLES, f"hypothesis ran {len(ran)} of {PROGRAM_EXAMPLES} configs"
