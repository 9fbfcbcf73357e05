"""The pack's `_speedups` (issue #24 §6) change how often the SDK converts properties, never what the policies
find: the same resources through the pack with and without them give the same findings, and within one
AnalyzeStack request each input is converted once."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

from ackstack.engine.engine import run_program
from ackstack.preview.analyzer import AnalyzedResource, run_policy_pack
from tests.ackstack.preview.test_analyzer_grpc import PACK, resources

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "policies"))  # the pack's own package, as tests/policies/test_policies.py reads it
from bench_scaling import make_config  # noqa: E402


def _pack_without_speedups(tmp_path: Path) -> Path:
    """The shipped pack with its entry point minus the `install_speedups()` call."""
    pack = tmp_path / "pack"
    pack.mkdir()
    shutil.copy(PACK / "PulumiPolicy.yaml", pack)
    for package in ("ackstack_policies", "ackstack_core"):
        (pack / package).symlink_to(PACK / package)
    entry = (PACK / "__main__.py").read_text()
    assert entry.count("install_speedups()") == 1
    (pack / "__main__.py").write_text(entry.replace("install_speedups()", "pass"))
    return pack


def _analysed(config: dict) -> list[AnalyzedResource]:
    run = run_program(str(ROOT / "__main__.py"), config=config, stack="bench")
    assert run.error is None, run.error
    return [AnalyzedResource(urn=r.urn, type=r.type, name=r.name, properties=r.inputs, parent=r.parent,
                             dependencies=r.dependencies, property_dependencies=r.property_dependencies,
                             custom=r.custom, provider=r.provider, protect=r.protect, stack_properties=r.outputs)
            for r in run.registrations]


def test_the_pack_finds_the_same_with_and_without_its_speedups(tmp_path):
    # A generated 30-PodNetworking stack (more resources per request than the memo's recent window) and the
    # hand-written non-compliant resources, which resource and stack policies both flag.
    stack = _analysed(make_config(30)) + resources("dev", compliant=False)
    fast = run_policy_pack(PACK, stack, stack="bench", project="ackstack")
    plain = run_policy_pack(_pack_without_speedups(tmp_path), stack, stack="bench", project="ackstack")
    assert fast == plain
    rules = {f["rule"] for f in fast}
    assert {"podnetworking-vswitch-known", "podnetworking-security-groups"} <= rules  # stack policies
    assert {"ack-deletion-protection", "sg-no-open-admin-ports"} <= rules  # resource policies


def test_within_a_request_each_input_is_converted_once_and_outside_only_the_recent_ones():
    from ackstack_policies._speedups import _RECENT, _Conversions

    calls: list[int] = []

    def convert(value, *extra):
        calls.append(id(value))
        return {"of": value, **({"extra": extra} if extra else {})}

    conversions = _Conversions()
    memo = conversions.memoized(convert)
    inputs = [[i] for i in range(_RECENT + 3)]
    with conversions.whole_request():
        first = [memo(v) for v in inputs]
        again = [memo(v) for v in reversed(inputs)]
    assert len(calls) == len(inputs) and [a is b for a, b in zip(first, reversed(again), strict=True)] == [True] * len(inputs)
    calls.clear()
    for value in inputs:  # outside a request: the last _RECENT are kept, older ones converted again
        memo(value)
    assert len(calls) == len(inputs)
    memo(inputs[-1])
    memo(inputs[0])
    assert len(calls) == len(inputs) + 1
    assert memo(inputs[0], True) == {"of": inputs[0], "extra": (True,)}  # extra arguments: no memo
    assert len(calls) == len(inputs) + 2


@pytest.mark.parametrize("attribute", ["json_format", "deserialize_properties", "unknown_checking_proxy"])
def test_speedups_stand_aside_when_the_sdk_layout_differs(monkeypatch, attribute):
    import pulumi_policy.policy as sdk
    from google.protobuf import json_format
    from pulumi_policy.deserialize import deserialize_properties
    from pulumi_policy.proxy import unknown_checking_proxy

    from ackstack_policies import _speedups

    originals = {"json_format": json_format, "deserialize_properties": deserialize_properties,
                 "unknown_checking_proxy": unknown_checking_proxy}
    for name, value in originals.items():  # the layout install() was written against, whatever ran before
        monkeypatch.setattr(sdk, name, value)
    monkeypatch.setattr(sdk._PolicyAnalyzerServicer, "AnalyzeStack", sdk._PolicyAnalyzerServicer.AnalyzeStack)
    monkeypatch.setattr(sdk, attribute, object())
    assert _speedups.install() is False
    assert sdk._PolicyAnalyzerServicer.AnalyzeStack.__module__ == "pulumi_policy.policy"  # nothing patched
