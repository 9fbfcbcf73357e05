"""The offline engine answers to the real one: for every example stack, what the offline engine plans (its
view of a preview, ackstack/engine/engine_view.py) and what the pinned CLI plans in the rehearsal's preview must
agree on every URN, type, parent, dependency, option, the inputs after Check, the policy findings with
their enforcement, and the verdict. A divergence is listed and fails the test."""

from __future__ import annotations

import json
from typing import Any

import pytest

from ackstack.engine.engine_view import preview_view
from ackstack.engine.rehearse import policy_violations
from ackstack.preview.preview import run_preview
from tests.real_engine import ROOT, deployed, per_stack

# The engine's own resources the program does not register: the root stack and the default providers.
ENGINE_OWN = ("pulumi:pulumi:Stack",)
LEVEL = {"warning": "advisory", "error": "mandatory"}


def _comparable(value: Any) -> Any:
    """The preview JSON masks secrets as "[secret]" and writes whole numbers as integers."""
    if isinstance(value, dict):
        if "4dabf18193072939515e22adb298388d" in value:
            return "[secret]"
        return {k: _comparable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_comparable(v) for v in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def divergences(stack: str) -> list[str]:
    real = deployed(stack)
    pack_config = ROOT / "policies" / f"config.{stack}.json"
    offline = run_preview(stack, policy=True, policy_config_file=str(pack_config) if pack_config.is_file() else None)
    view = {r.urn: r for r in preview_view(offline.run)}
    steps = {s["urn"]: s for s in real.result.documents["preview"]["steps"]
             if s["newState"]["type"] not in ENGINE_OWN and "::default_" not in s["urn"]}
    out = [f"only in the real engine: {urn}" for urn in steps if urn not in view]
    out += [f"only offline: {urn}" for urn in view if urn not in steps]
    for urn, step in steps.items():
        mine, state = view.get(urn), step["newState"]
        if mine is None:
            continue
        if step["op"] != mine.op:
            out.append(f"{urn}: op {step['op']} (real) != {mine.op}")
        options = mine.options
        pairs = {"type": (state["type"], mine.type), "parent": (state.get("parent"), mine.parent),
                 "dependencies": (sorted(state.get("dependencies") or []), sorted(mine.dependencies)),
                 "protect": (bool(state.get("protect")), bool(mine.protect)),
                 "ignoreChanges": (state.get("ignoreChanges") or [], options.get("ignoreChanges") or []),
                 "retainOnDelete": (bool(state.get("retainOnDelete")), bool(options.get("retainOnDelete"))),
                 "deleteBeforeReplace": (bool(state.get("deleteBeforeReplace")),
                                         bool(options.get("deleteBeforeReplace")))}
        if step["op"] != "read":
            pairs["inputs"] = (_comparable(state.get("inputs") or {}), _comparable(mine.inputs))
        for what, (theirs, ours) in pairs.items():
            if what == "parent" and ours is None and "pulumi:pulumi:Stack" in (theirs or ""):
                continue  # the engine parents top-level resources to its root stack
            if theirs != ours:
                out.append(f"{urn}: {what}: real {json.dumps(theirs, sort_keys=True)[:400]} != offline "
                           f"{json.dumps(ours, sort_keys=True, default=str)[:400]}")
    real_findings = policy_violations(real.result.documents["preview with the policy pack"])
    offline_findings = sorted((f["rule"], f.get("urn") or "", LEVEL[f["level"]])
                              for f in offline.findings if f.get("source") == "policy")
    out += [f"policy finding only in the real engine: {f}" for f in real_findings if f not in offline_findings]
    out += [f"policy finding only offline: {f}" for f in offline_findings if f not in real_findings]
    real_blocked = next(s for s in real.result.steps if s.name == "preview with the policy pack").exit_code != 0
    policy_blocked = any(f[2] == "mandatory" for f in offline_findings)
    if real_blocked != policy_blocked:
        out.append(f"verdict: real {'BLOCKED' if real_blocked else 'OK'} != offline "
                   f"{'BLOCKED' if policy_blocked else 'OK'}")
    return out


@pytest.mark.parametrize("stack", per_stack())
def test_offline_engine_agrees_with_the_real_engine(stack):
    found = divergences(stack)
    assert found == [], "\n".join(found)
