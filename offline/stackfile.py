"""Read `Pulumi.<stack>.yaml` the way the CLI would hand it to the program, without the CLI."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

# Encrypted `secure:` values cannot be decrypted offline; the program sees this placeholder, as a secret.
SECURE_PLACEHOLDER = "offline-placeholder-for-secure-value"


class StackFileError(ValueError):
    """The stack file cannot be read: exit status 2, one line."""


@dataclass
class StackFile:
    path: Path
    config: dict[str, Any]
    secret_keys: list[str] = field(default_factory=list)


def stack_file_path(root: Path, stack: str) -> Path:
    return root / f"Pulumi.{stack}.yaml"


def _safe_load(text: str) -> Any:
    """`yaml.safe_load`, with libyaml's parser when available (3x faster on large stack files; same
    SafeConstructor, so the same values). On a syntax error the pure-Python parser re-reads the text, so
    error messages and line/column marks are exactly those of `yaml.safe_load`."""
    loader = getattr(yaml, "CSafeLoader", None)
    if loader is not None:
        try:
            return yaml.load(text, Loader=loader)  # noqa: S506 - CSafeLoader is the safe loader
        except yaml.YAMLError:
            pass
    return yaml.safe_load(text)


def read_stack_file(path: Path) -> StackFile:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise StackFileError(f"stack file {path} does not exist") from None
    except OSError as exc:
        raise StackFileError(f"cannot read stack file {path}: {exc.strerror}") from None
    try:
        document = _safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise StackFileError(f"stack file {path} is not valid YAML{where}: {problem}") from None
    if document is None:
        document = {}
    if not isinstance(document, dict):
        raise StackFileError(f"stack file {path} must be a mapping with a `config:` key")
    config = document.get("config") or {}
    if not isinstance(config, dict):
        raise StackFileError(f"stack file {path}: `config` must be a mapping of `namespace:key` to values")
    values: dict[str, Any] = {}
    secret_keys: list[str] = []
    for key, value in config.items():
        key = str(key)
        if ":" not in key:
            key = f"ackstack:{key}"  # the CLI namespaces bare keys with the project name
        if isinstance(value, dict) and set(value) == {"secure"}:
            values[key] = SECURE_PLACEHOLDER
            secret_keys.append(key)
        else:
            values[key] = value
    return StackFile(path, values, secret_keys)
