"""The step the real engine plans for a resource: each provider's Check, then its Diff of the stored state
against the checked inputs, then the engine's choice of same / update / replace.

One implementation for the three places that need it: the provider plugins the real CLI talks to
(`ackstack.engine.plugins`), the offline engine's record of inputs, and `--compare` against a `pulumi stack export`.
"""

from __future__ import annotations

from typing import Literal

from ackstack.engine import bridge, kubernetes_model
from ackstack.engine.provider_check import check as refusals
from ackstack_core.provider_schema import SCHEMA

Op = Literal["same", "update", "replace"]


def checked_inputs(type_: str, urn_name: str, news: dict, olds: dict | None = None,
                   seed: bytes = b"") -> tuple[dict, list[tuple[str, str]]]:
    """(inputs the engine stores, [(property, reason)] the provider's Check refuses)."""
    if type_.startswith("alicloud:"):
        inputs = bridge.check(type_, news, olds, urn_name=urn_name, seed=seed)
        return inputs, [(f.field, f.message()) for f in refusals(type_, urn_name, inputs)]
    if type_.startswith("kubernetes:"):
        return kubernetes_model.check(type_, urn_name, news, olds, seed)
    return dict(news), []


def planned_outputs(type_: str, inputs: dict) -> dict:
    """What a provider's Create answers in a preview: the inputs, and every computed-only field unknown
    (the bridge plans a new resource's computed attributes as unknown)."""
    fields = (SCHEMA.get(type_) or {}).get("fields", {})
    unknown = {k: bridge.UNKNOWN for k, spec in fields.items()
               if spec.get("computed") and not (spec.get("optional") or spec.get("required")) and k not in inputs}
    return {**inputs, **unknown}


def planned_diff(type_: str, state: dict, news: dict, old_inputs: dict | None = None,
                 ignore_changes: list[str] | tuple[str, ...] = ()) -> bridge.Diff:
    """The provider's Diff: the bridge compares the state (outputs as last read), pulumi-kubernetes the old
    inputs, with the new checked inputs."""
    if type_.startswith("alicloud:"):
        return bridge.diff(type_, state, news, ignore_changes)
    if type_.startswith("kubernetes:"):
        return kubernetes_model.diff(type_, old_inputs if old_inputs is not None else state, news, ignore_changes)
    return bridge.diff_inputs(old_inputs if old_inputs is not None else state, news, ignore_changes)


def step_op(diff: bridge.Diff, replace_on_changes: list[str] | tuple[str, ...] = ()) -> Op:
    """What the engine does with a provider's answer (pulumi pkg/v3@v3.276.0 resource/deploy/step_generator.go:
    replaces, or a changed property listed in replaceOnChanges, replace; any other change updates)."""
    if not diff.changed:
        return "same"
    if diff.replaces or set(replace_on_changes) & set(diff.diffs) or "*" in replace_on_changes:
        return "replace"
    return "update"
