"""Turn the flat Pulumi config map into a `StackConfig`, or into findings that name config paths.

Pulumi hands a program its config as `{"ns:key": "string or JSON"}`; the real CLI and the offline
engine both produce that map, so this is the only place that reads user input.
"""

from __future__ import annotations

import json
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ValidationError

from components.config import CNI_MODES, TOP_LEVEL_KEYS, StackConfig
from components.input_checks import input_findings, too_deep
from components.secrets import Concealer
from components.validation.findings import CONFIG_NAMESPACE, Finding

REGION_KEY = "alicloud:region"
SECRET_KEYS = ("nodePassword",)


@dataclass
class LoadedConfig:
    config: StackConfig | None
    findings: list[Finding]
    secrets: dict[str, str] = field(default_factory=dict)


def read_runtime_config() -> tuple[dict[str, Any], set[str]]:
    """The whole config map of the running program (CLI env or offline engine) and its secret keys.

    The SDK has no public "all keys" API; both sources below are what `pulumi.Config` reads.
    """
    from pulumi.runtime import config as runtime_config

    merged: dict[str, Any] = dict(runtime_config.get_config_env())
    merged.update(runtime_config.CONFIG.get())
    secret_keys = set(runtime_config.get_config_secret_keys_env()) | set(runtime_config._SECRET_KEYS.get())
    return merged, secret_keys


def load(raw: Mapping[str, Any], concealer: Concealer | None = None) -> LoadedConfig:
    """Findings name config paths; a value shown in a message is shown with its secrets masked."""
    findings: list[Finding] = []
    document: dict[str, Any] = {}
    secrets: dict[str, str] = {}
    prefix = f"{CONFIG_NAMESPACE}:"
    for key, value in raw.items():
        if not key.startswith(prefix):
            continue
        name = key[len(prefix) :]
        if name not in TOP_LEVEL_KEYS:
            findings.append(
                Finding(
                    "CFG001",
                    "error",
                    key,
                    f"unknown config key `{name}`; allowed keys under `{CONFIG_NAMESPACE}:` are "
                    f"{', '.join(sorted(TOP_LEVEL_KEYS))}",
                )
            )
            continue
        decoded = _decode(value, key, findings)
        findings.extend(input_findings(key, decoded))
        if name in SECRET_KEYS:
            if (kind := _not_text(value, decoded)) is not None:
                findings.append(Finding("CFG002", "error", key, f"must be a string, not {kind} (value not shown: it "
                                        f"is a secret); set it with `pulumi config set --secret {key}`"))
                continue
            secrets[name] = str(value)
            continue
        document[name] = decoded
    region = raw.get(REGION_KEY)
    if region is not None:
        document["region"] = _decode(region, REGION_KEY, findings)
        findings.extend(input_findings(REGION_KEY, document["region"]))
    try:  # parsed even after CFG001 findings, so every problem is reported at once
        config = StackConfig.model_validate(document)
    except ValidationError as exc:
        findings.extend(_findings_from(exc, document, concealer))
        return LoadedConfig(None, findings, secrets)
    return LoadedConfig(None if findings else config, findings, secrets)


def _not_text(value: Any, decoded: Any) -> str | None:
    """What a secret that must be text is instead: a list, a map or a boolean (the CLI hands those over as JSON
    text), or any typed value (the offline engine hands over the stack file's types). A number the CLI hands over
    as text stays text: `pulumi config set --secret` of digits is a password."""
    if isinstance(decoded, bool) or isinstance(value, bool):
        return "a boolean"
    if isinstance(decoded, list):
        return "a list"
    if isinstance(decoded, dict):
        return "a map"
    if not isinstance(value, str):
        return f"a {type(value).__name__}"
    return None


def _decode(value: Any, key: str = "", findings: list[Finding] | None = None) -> Any:
    """Structured values arrive as JSON text from the CLI; plain strings stay strings."""
    if isinstance(value, str):
        text = value.strip()
        if text[:1] in "{[" or text in ("true", "false") or _is_number(text):
            try:
                return json.loads(text)
            except json.JSONDecodeError:
                return value
            except RecursionError:
                if findings is not None:
                    findings.append(too_deep(key))
                return None
    return value


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _findings_from(exc: ValidationError, document: Mapping[str, Any], concealer: Concealer | None = None
                   ) -> list[Finding]:
    out = []
    for error in exc.errors(include_url=False):
        loc = [part for part in error["loc"] if part not in CNI_MODES]
        path = _render_path(loc)
        kind = error["type"]
        value = error.get("input")
        if kind == "extra_forbidden":
            allowed = _allowed_keys(loc[:-1])
            message = f"unknown key `{loc[-1]}`" + (f"; allowed keys: {', '.join(allowed)}" if allowed else "")
        elif kind == "missing":
            message = "required key is missing"
        else:
            shown = concealer.redact(value) if concealer else value
            message = f"{_clean(error['msg'])} (got {_show(shown)})"
        out.append(Finding("CFG002", "error", path, message))
    return out


def _render_path(loc: list) -> str:
    if loc and loc[0] == "region":
        return REGION_KEY
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return f"{CONFIG_NAMESPACE}:{text}" if text else f"{CONFIG_NAMESPACE}:"


def _clean(msg: str) -> str:
    return msg.removeprefix("Value error, ").removeprefix("Assertion failed, ")


def _show(value: Any) -> str:
    text = json.dumps(value, default=str) if not isinstance(value, str) else repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _allowed_keys(loc: list) -> list[str]:
    """Walk the model along `loc` to list the keys allowed where an unknown key was found."""
    node: Any = StackConfig
    for part in loc:
        node = _unwrap(node)
        if isinstance(part, int):
            args = typing.get_args(node)
            node = args[-1] if args else None
            continue
        if isinstance(node, type) and issubclass(node, BaseModel):
            match = [f for n, f in node.model_fields.items() if (f.alias or n) == part]
            node = match[0].annotation if match else None
        elif typing.get_origin(node) in (dict, Mapping):
            node = typing.get_args(node)[-1]
        else:
            return []
    node = _unwrap(node)
    if isinstance(node, type) and issubclass(node, BaseModel):
        return sorted((f.alias or n) for n, f in node.model_fields.items())
    return []


def _unwrap(node: Any) -> Any:
    while True:
        origin = typing.get_origin(node)
        if origin is typing.Annotated:
            node = typing.get_args(node)[0]
        elif origin in (typing.Union, types.UnionType):
            args = [a for a in typing.get_args(node) if a is not type(None)]
            if len(args) != 1:
                return node
            node = args[0]
        else:
            return node
