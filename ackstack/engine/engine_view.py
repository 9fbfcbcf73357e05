"""What the real engine holds for each resource in a preview: the provider's checked inputs, and the
outputs a policy pack's stack analysis sees, with unknowns where the engine has them.

The offline engine answers every resource with concrete planned values (ids, the cluster's endpoint,
the kubeconfig) so the preview can render Cilium and draw the network. The real engine does not: in a
preview, what a resource created by this update computes is unknown, and so is everything derived from
it. This module turns a run into the engine's view, and the differential test checks it against the
real CLI (tests/ackstack/engine/test_real_engine_differential.py):

- the id and every computed-only output of a resource created in this update are unknown, and so is
  every value equal to one of them (the program passed it on) and every result of an invoke whose
  arguments held one (the cluster's credentials, hence the Kubernetes provider's kubeconfig; only texts
  of `_MIN_INVOKE_TEXT` characters and more are matched, since shorter ones such as the cluster's name
  are also the program's own config);
- inputs are what the provider's Check returns (`ackstack.engine.plan_steps.checked_inputs`);
- an explicit provider's inputs carry the plugin `version` and the `__internal` map the engine adds
  (pulumi pkg/v3@v3.276.0 resource/deploy/providers; seen in the real CLI's preview and state);
- outputs: an alicloud resource's preview Create (the inputs, every computed-only field unknown);
  nothing at all for a resource whose provider's configuration is not fully known (sdk/v3@v3.276.0
  go/common/resource/plugin/provider_plugin.go:1419-1436), which is every Kubernetes object of a new
  stack.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from ackstack.engine import bridge
from ackstack.engine.engine import ProgramRun, Registration
from ackstack.engine.plan_steps import checked_inputs, planned_outputs
from ackstack_core.provider_schema import SCHEMA

UNKNOWN = bridge.UNKNOWN
_MIN_INVOKE_TEXT = 32


@dataclass
class EngineResource:
    urn: str
    type: str
    name: str
    custom: bool
    inputs: dict
    outputs: dict
    parent: str | None
    dependencies: list[str]
    property_dependencies: dict[str, list[str]]
    provider: str | None
    protect: bool
    options: dict = field(default_factory=dict)
    op: str = "create"  # or "read" (`Resource.get`), "same"/"update"/"replace" against a state


def preview_view(run: ProgramRun, known_urns: Iterable[str] = ()) -> list[EngineResource]:
    """The engine's view of a preview; `known_urns` already exist (their ids and outputs are in the state)."""
    known = set(known_urns)
    created = [r for r in run.registrations if r.urn not in known]
    unknown_texts = _computed_texts(created)
    for _token, args, result in run.invoke_results:
        if mentions(args, unknown_texts):
            unknown_texts |= {t for t in texts(result) if len(t) >= _MIN_INVOKE_TEXT}
    by_urn = {r.urn: r for r in run.registrations}
    unknown_providers = {reg.urn for reg in run.registrations if reg.type.startswith("pulumi:providers:")
                         and _contains_unknown(unknown_where(reg.inputs, unknown_texts))}
    view: list[EngineResource] = []
    for reg in run.registrations:
        raw = unknown_where(reg.inputs, unknown_texts)
        if reg.type.startswith("pulumi:providers:"):
            inputs = {"__internal": {}, **raw, **({"version": _plugin_version(reg)} if _plugin_version(reg) else {})}
        elif reg.custom and _provider_urn(reg.provider) not in unknown_providers:
            inputs, _failures = checked_inputs(reg.type, reg.name, raw, seed=reg.urn.encode())
        else:  # the engine skips Check when the provider's config is not known (provider_plugin.go:1181-1185)
            inputs = raw
        view.append(EngineResource(reg.urn, reg.type, reg.name, reg.custom, inputs, {}, reg.parent,
                                   list(reg.dependencies), dict(reg.property_dependencies), reg.provider,
                                   reg.protect, dict(reg.options)))
    view += [EngineResource(r.urn, r.type, r.name, True, {}, {}, r.parent, list(r.dependencies), {}, r.provider,
                            False, dict(r.options), op="read") for r in run.reads]
    for item in view:
        provider_urn = _provider_urn(item.provider)
        if item.op == "read":
            continue
        if item.urn in known:
            item.outputs = unknown_where(by_urn[item.urn].outputs, set())
        elif not item.custom or item.type.startswith("pulumi:providers:"):
            item.outputs = dict(item.inputs) if item.custom else unknown_where(by_urn[item.urn].outputs,
                                                                               unknown_texts)
        elif provider_urn in unknown_providers:
            item.outputs = {}
        else:
            item.outputs = planned_outputs(item.type, item.inputs)
    return view


def _plugin_version(reg: Registration) -> str | None:
    from ackstack.engine.plugins import alicloud, kubernetes

    name = reg.type.removeprefix("pulumi:providers:")
    return {alicloud.PROVIDER: alicloud.VERSION, kubernetes.PROVIDER: kubernetes.VERSION}.get(name)


def _provider_urn(reference: str | None) -> str | None:
    """`<provider urn>::<id>` -> the urn."""
    if not reference:
        return None
    parts = reference.split("::")
    return "::".join(parts[:4]) if len(parts) > 4 else reference


def _computed_texts(created: list[Registration]) -> set[str]:
    """Ids, and the texts of computed-only schema fields, of the custom resources this update creates."""
    out: set[str] = set()
    for reg in created:
        if not reg.custom:
            continue
        if reg.id and reg.id not in texts(reg.inputs):  # a Kubernetes object's id is its own name
            out.add(reg.id)
        fields = (SCHEMA.get(reg.type) or {}).get("fields", {})
        for key, spec in fields.items():
            if spec.get("computed") and not (spec.get("optional") or spec.get("required")) and key in reg.outputs:
                out |= texts(reg.outputs[key])
    return out


def texts(value: Any) -> set[str]:
    if isinstance(value, str):
        return {value}
    if isinstance(value, dict):
        return set().union(*(texts(v) for v in value.values())) if value else set()
    if isinstance(value, list):
        return set().union(*(texts(v) for v in value)) if value else set()
    return set()


def mentions(value: Any, wanted: set[str]) -> bool:
    return bool(texts(value) & wanted)


def unknown_where(value: Any, unknown: set[str]) -> Any:
    """`value` with every string in `unknown` unknown."""
    if isinstance(value, str):
        return UNKNOWN if value in unknown else value
    if isinstance(value, dict):
        if bridge.is_secret(value):
            return bridge.secret(unknown_where(value.get("value"), unknown))
        return {k: unknown_where(v, unknown) for k, v in value.items()}
    if isinstance(value, list):
        return [unknown_where(v, unknown) for v in value]
    if type(value).__name__ == "Unknown":  # pulumi.output.Unknown from the SDK's deserialiser
        return UNKNOWN
    return value


def _contains_unknown(value: Any) -> bool:
    if value == UNKNOWN:
        return True
    if isinstance(value, dict):
        return any(_contains_unknown(v) for v in value.values())
    if isinstance(value, list):
        return any(_contains_unknown(v) for v in value)
    return False
