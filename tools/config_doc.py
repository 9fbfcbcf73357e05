"""Render `docs/configuration.md` from the config models, so the reference cannot drift from the code.

`python -m tools.config_doc > docs/configuration.md`; `tests/test_docs.py` checks it is current.
"""

from __future__ import annotations

import inspect
import types
import typing
from typing import Any, Literal

from annotated_types import Ge, Gt, Le, Lt, MaxLen, MinLen
from pydantic import BaseModel
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from components.config import ScalarText, StackConfig

HEADER = """# Configuration reference

Every key ackstack reads, generated from `components/config.py` (`python -m tools.config_doc`).
Keys live in the stack file `Pulumi.<stack>.yaml` under `config:`; top-level keys are namespaced
`ackstack:` (plus `alicloud:region`). Unknown keys are errors. Nested objects are written as YAML
mappings (the CLI stores them as structured config: `pulumi config set --path`).

Node login: `cluster.keyName` (or `nodePools[i].keyName`) names an ECS key pair; managed node pools (the
default) take only a key pair (CLU007). Secrets: `ackstack:nodePassword` (optional, only for `managed: false`
pools without a key pair) is set with `pulumi config set --secret ackstack:nodePassword`; it is passed to node
pools only as a Pulumi secret and is never printed.
"""


def _type_name(annotation: Any) -> str:
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if annotation is ScalarText:
        return "str (a number or boolean is taken as text)"
    if origin is typing.Annotated:
        return _type_name(args[0])
    if origin is Literal:
        return " \\| ".join(f"`{a}`" for a in args)
    if origin in (typing.Union, types.UnionType):
        names = [_type_name(a) for a in args if a is not type(None)]
        return " or ".join(names) + (" (optional)" if type(None) in args else "")
    if origin is list:
        return f"list of {_type_name(args[0])}"
    if origin is dict:
        return f"map of {_type_name(args[0])} to {_type_name(args[1])}"
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return "object"
    return getattr(annotation, "__name__", str(annotation))


def _constraints(field: FieldInfo) -> str:
    parts = []
    for meta in field.metadata:
        if isinstance(meta, Ge):
            parts.append(f">= {meta.ge}")
        elif isinstance(meta, Gt):
            parts.append(f"> {meta.gt}")
        elif isinstance(meta, Le):
            parts.append(f"<= {meta.le}")
        elif isinstance(meta, Lt):
            parts.append(f"< {meta.lt}")
        elif isinstance(meta, MinLen):
            parts.append(f"min length {meta.min_length}")
        elif isinstance(meta, MaxLen):
            parts.append(f"max length {meta.max_length}")
        elif hasattr(meta, "pattern") and meta.pattern:
            parts.append(f"pattern `{meta.pattern}`")
    return ", ".join(parts)


def _default(field: FieldInfo) -> str:
    if field.is_required():
        return "**required**"
    if field.default_factory is not None:
        value = field.default_factory()
        if isinstance(value, BaseModel):
            return "(see below)"
        return f"`{value!r}`" if value not in ([], {}) else "empty"
    if field.default is PydanticUndefined or field.default is None:
        return "none"
    return f"`{field.default!r}`"


def _models_in(annotation: Any) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [m for a in typing.get_args(annotation) for m in _models_in(a)]


def render() -> str:
    lines = [HEADER]
    seen: set[tuple[str, type]] = set()

    def section(path: str, model: type[BaseModel]) -> None:
        if (path, model) in seen:
            return
        seen.add((path, model))
        doc = inspect.getdoc(model) or ""
        lines.append(f"## `{path}`" + (f" ({model.__name__})" if path.startswith("ackstack:cni") else ""))
        lines.append("")
        if doc and not doc.startswith("Base:"):
            lines.append(doc)
            lines.append("")
        lines.append("| key | type | default | constraints |")
        lines.append("| --- | --- | --- | --- |")
        nested: list[tuple[str, type[BaseModel]]] = []
        for name, field in model.model_fields.items():
            key = field.alias or name
            lines.append(f"| `{key}` | {_type_name(field.annotation)} | {_default(field)} | {_constraints(field)} |")
            origin = typing.get_origin(field.annotation)
            suffix = "[]" if origin is list or list in [typing.get_origin(a) for a in typing.get_args(field.annotation)] else ""
            for sub in _models_in(field.annotation):
                nested.append((f"{path}.{key}{suffix}", sub))
        lines.append("")
        for sub_path, sub in nested:
            section(sub_path, sub)

    for name, field in StackConfig.model_fields.items():
        key = field.alias or name
        if name == "region":
            lines += ["## `alicloud:region`", "", "The Alibaba Cloud region, e.g. `cn-hangzhou`. **Required.**", ""]
            continue
        models = _models_in(field.annotation)
        for model in models:
            section(f"ackstack:{key}" + ("[]" if typing.get_origin(field.annotation) is list else ""), model)
    return "\n".join(lines).rstrip() + "\n"


if __name__ == "__main__":
    print(render(), end="")
