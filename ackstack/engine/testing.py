"""Pytest helpers over the offline engine: run the real program with a config, assert on registrations.

Used as a plugin from `tests/conftest.py`; every call builds a fresh engine, so nothing leaks.
"""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import pytest

from ackstack.engine.engine import ProgramRun, run_program
from ackstack.inputs.inventory import Inventory
from ackstack.inputs.stackfile import read_stack_file
from components.config_loader import load
from components.plan import NetworkPlan, build_plan
from components.validation.catalog import run_rules
from components.validation.findings import Finding

ROOT = Path(__file__).resolve().parents[2]  # the repository: its example stacks and inventories
PROGRAM = "components.program:main"

_STEP = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def stack_config(stack: str) -> dict[str, Any]:
    """The config map of an example stack file (`Pulumi.<stack>.yaml`), deep-copied."""
    return copy.deepcopy(read_stack_file(ROOT / f"Pulumi.{stack}.yaml").config)


def stack_inventory(stack: str) -> Inventory:
    path = ROOT / "inventory" / f"{stack}.yaml"
    return Inventory.load(path) if path.exists() else Inventory()


def with_value(config: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    """A copy of `config` with `path` set, e.g. `ackstack:cluster.nodePools[0].maxSize`.

    `value=DELETE` removes the key.
    """
    config = copy.deepcopy(config)
    split = min((i for i in (path.find("."), path.find("[")) if i >= 0), default=len(path))
    key, rest = path[:split], path[split:].lstrip(".")
    if not rest:
        if value is DELETE:
            config.pop(key, None)
        else:
            config[key] = value
        return config
    node = config[key]
    steps = [m.group(1) if m.group(1) is not None else int(m.group(2)) for m in _STEP.finditer(rest)]
    for step in steps[:-1]:
        node = node[step]
    if value is DELETE:
        del node[steps[-1]]
    else:
        node[steps[-1]] = value
    return config


DELETE = object()


def findings_for(config: dict[str, Any], inventory: Inventory | None = None) -> list[Finding]:
    """Config parsing + every rule, without Pulumi: the fast path for rule tests."""
    loaded = load(config)
    if loaded.config is None:
        return loaded.findings
    return run_rules(build_plan(loaded.config, (inventory or Inventory()).cloud_facts()))


def plan_for(config: dict[str, Any], inventory: Inventory | None = None) -> NetworkPlan:
    loaded = load(config)
    assert loaded.config is not None, [f.line() for f in loaded.findings]
    return build_plan(loaded.config, (inventory or Inventory()).cloud_facts())


def run(config: dict[str, Any], stack: str = "test", inventory: Inventory | None = None,
        secret_keys: tuple[str, ...] = ()) -> ProgramRun:
    """Run the real `__main__.py` under a fresh offline engine."""
    return run_program(PROGRAM, config=config, stack=stack, inventory=inventory, secret_keys=secret_keys)



def changed(config: dict[str, Any], *changes: tuple[str, Any]) -> dict[str, Any]:
    """`config` with each `(path, value)` of `changes` applied in order (see `with_value`)."""
    for path, value in changes:
        config = with_value(config, path, value)
    return config


def assert_fires(findings: list[Finding], rule_id: str, level: str, path: str, needles: list[str]) -> Finding:
    """The rule fired at `path` with `level`, and its message holds every needle (value, limit, source)."""
    found = [f for f in findings if f.rule == rule_id]
    assert found, f"{rule_id} did not fire"
    match = [f for f in found if f.path == path and f.level == level]
    assert match, [f.line() for f in found]
    for needle in needles:
        assert needle in match[0].message, match[0].message
    return match[0]


def require_reference(available: bool, what: str) -> None:
    """Reference data or tools a test needs: FAIL in CI (env `CI` set), else skip saying what is missing."""
    if available:
        return
    import os

    if os.environ.get("CI"):
        pytest.fail(f"{what} is missing in CI")
    pytest.skip(f"{what} is missing (CI fails here; see README set-up)")


@pytest.fixture
def run_stack():
    """`run_stack(config_map, stack="test", inventory=None)` -> ProgramRun, a fresh engine per call."""
    return run
