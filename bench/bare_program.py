"""A "bare" Pulumi program rebuilt from a run's own registrations (used by bench_overhead.py).

`bare_program(registrations, outputs, secret_outputs)` returns a callable that registers exactly the
same resources as the run it came from: same types, names, parents, inputs, dependencies (property
dependencies and depends_on), providers and options, through plain `pulumi.CustomResource`,
`pulumi.ComponentResource` and `pulumi.ProviderResource` -- no ackstack component, no config
loading, no validation, no invokes, no policy.

How each recorded field is reproduced:

- inputs: the recorded (deserialized) values; engine secret markers become `pulumi.Output.secret`,
  the unknown sentinel stays the sentinel string (which the SDK sends as unknown);
- property dependencies: an input key whose recorded dependencies are non-empty is passed as an
  `Output` that carries those resources (`Output.all(value, *dep.urn)`), exactly as the SDK derives
  `propertyDependencies` from an input's `Output.resources()`;
- dependencies not explained by any property: `depends_on`;
- parent, provider, protect, deleteBeforeReplace, ignoreChanges, replaceOnChanges, retainOnDelete,
  customTimeouts, importId, deletedWith: the matching `ResourceOptions`.

`compare(real, bare)` checks field by field that the bare run registered the same thing.
"""

from __future__ import annotations

from typing import Any

import pulumi
from pulumi.runtime import rpc

_SECRET_KEY = rpc._special_sig_key
_SECRET_SIG = rpc._special_secret_sig


def _convert(value: Any) -> Any:
    if isinstance(value, dict):
        if value.get(_SECRET_KEY) == _SECRET_SIG:
            return pulumi.Output.secret(_convert(value.get("value")))
        return {k: _convert(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_convert(v) for v in value]
    return value


def _options(reg, objs: dict[str, pulumi.Resource]) -> pulumi.ResourceOptions:
    o = reg.options
    prop_deps = {u for urns in reg.property_dependencies.values() for u in urns}
    explicit = [objs[u] for u in reg.dependencies if u not in prop_deps and u in objs]
    timeouts = o.get("customTimeouts")
    provider = None
    if reg.provider:
        provider = objs.get("::".join(reg.provider.split("::")[:4]))
    return pulumi.ResourceOptions(
        parent=objs.get(reg.parent) if reg.parent else None,
        provider=provider,
        depends_on=explicit or None,
        protect=reg.protect or None,
        delete_before_replace=o.get("deleteBeforeReplace"),
        ignore_changes=o.get("ignoreChanges"),
        replace_on_changes=o.get("replaceOnChanges"),
        retain_on_delete=o.get("retainOnDelete"),
        custom_timeouts=pulumi.CustomTimeouts(**timeouts) if timeouts else None,
        import_=o.get("importId"),
        deleted_with=objs.get(o["deletedWith"]) if o.get("deletedWith") else None,
    )


def _props(reg, objs: dict[str, pulumi.Resource]) -> dict:
    props = {}
    for key, value in reg.inputs.items():
        converted = _convert(value)
        deps = [objs[u] for u in reg.property_dependencies.get(key, []) if u in objs]
        if deps:
            converted = pulumi.Output.all(pulumi.Output.from_input(converted), *[d.urn for d in deps]).apply(
                lambda xs: xs[0]
            )
        props[key] = converted
    return props


def bare_program(registrations, outputs: dict | None = None, secret_outputs=frozenset()):
    regs = list(registrations)

    def program() -> None:
        objs: dict[str, pulumi.Resource] = {}
        for reg in regs:
            opts = _options(reg, objs)
            if reg.type.startswith("pulumi:providers:"):
                res: pulumi.Resource = pulumi.ProviderResource(
                    reg.type[len("pulumi:providers:"):], reg.name, _props(reg, objs), opts
                )
            elif reg.custom:
                res = pulumi.CustomResource(reg.type, reg.name, _props(reg, objs), opts)
            else:
                res = pulumi.ComponentResource(reg.type, reg.name, _props(reg, objs) or None, opts)
            objs[reg.urn] = res
        for name, value in (outputs or {}).items():
            pulumi.export(name, pulumi.Output.secret(value) if name in secret_outputs else value)

    return program


def _key(reg):
    return (
        reg.urn,
        reg.type,
        reg.name,
        reg.parent,
        reg.custom,
        sorted(reg.dependencies),
        {k: sorted(v) for k, v in reg.property_dependencies.items() if v},
        reg.provider,
        reg.protect,
        reg.options,
        reg.inputs,
    )


FIELDS = ("urn", "type", "name", "parent", "custom", "dependencies", "propertyDependencies", "provider",
          "protect", "options", "inputs")


def compare(real, bare) -> list[str]:
    """Differences between two runs' registrations (empty list: identical on every recorded field)."""
    problems: list[str] = []
    if len(real) != len(bare):
        problems.append(f"{len(real)} real registrations vs {len(bare)} bare")
    bare_by_urn = {r.urn: r for r in bare}
    for r in real:
        b = bare_by_urn.get(r.urn)
        if b is None:
            problems.append(f"missing in bare: {r.urn}")
            continue
        for field, x, y in zip(FIELDS, _key(r), _key(b), strict=True):
            if x != y:
                problems.append(f"{r.type} {r.name}: {field} differs: real={x!r} bare={y!r}"[:400])
    return problems
