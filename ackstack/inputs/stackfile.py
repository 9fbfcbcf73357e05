"""Read `Pulumi.<stack>.yaml` the way the CLI would hand it to the program, without the CLI."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ackstack.inputs.yaml_input import YamlInputError, read_yaml_file
from components.secrets import path_key

# Encrypted `secure:` values cannot be decrypted offline; the program sees this placeholder, as a secret.
SECURE_PLACEHOLDER = "offline-placeholder-for-secure-value"


class StackFileError(ValueError):
    """The stack file cannot be read: exit status 2, one line."""


@dataclass
class StackFile:
    path: Path
    config: dict[str, Any]
    # Top-level keys holding a secret (what the CLI passes as PULUMI_CONFIG_SECRET_KEYS), then the
    # `--path` form of every nested secret (`ackstack:cluster.existing.eniConf.access_secret`).
    secret_keys: list[str] = field(default_factory=list)


def stack_file_path(root: Path, stack: str) -> Path:
    return root / f"Pulumi.{stack}.yaml"


def read_stack_file(path: Path) -> StackFile:
    try:
        document = read_yaml_file(path, "stack file")
    except YamlInputError as exc:
        raise StackFileError(str(exc)) from None
    if document is None:
        document = {}
    if not isinstance(document, dict):
        raise StackFileError(f"stack file {path} must be a mapping with a `config:` key")
    config = document.get("config") or {}
    if not isinstance(config, dict):
        raise StackFileError(f"stack file {path}: `config` must be a mapping of `namespace:key` to values")
    values: dict[str, Any] = {}
    secret_keys: list[str] = []
    nested: list[str] = []
    for key, value in config.items():
        if not isinstance(key, str):
            raise StackFileError(f"stack file {path}: config key {key!r} is not a string")
        if ":" not in key:
            key = f"ackstack:{key}"  # the CLI namespaces bare keys with the project name
        paths: list[str] = []
        try:
            values[key] = _decrypt_offline(value, key, paths)
        except _MalformedSecure as exc:
            raise StackFileError(f"stack file {path}: {exc}") from None
        if paths:
            secret_keys.append(key)
            nested += [p for p in paths if p != key]
    return StackFile(path, values, secret_keys + nested)


def _is_secure(value: Any) -> bool:
    return isinstance(value, dict) and set(value) == {"secure"}


class _MalformedSecure(ValueError):
    """A map with a `secure` key that is not exactly `{secure: <ciphertext text>}`."""


def _decrypt_offline(value: Any, path: str, secret_paths: list[str]) -> Any:
    """`value` with every `secure:` object (at any depth) replaced by the placeholder; records their paths."""
    if _is_secure(value) and isinstance(value["secure"], str):
        secret_paths.append(path)
        return SECURE_PLACEHOLDER
    if isinstance(value, dict) and "secure" in value:
        # The CLI would read it as a plain map (pulumi/pulumi v3.259.0 sdk/go/common/resource/config/object.go:540-550
        # isSecureValue: one key, a string), so the ciphertext would reach the program as text. Refused, and
        # neither the ciphertext nor the other values are quoted: they were meant to be secret.
        extra = sorted(str(k) for k in value if k != "secure")
        why = (f"has other keys besides `secure` ({', '.join(extra)})" if extra
               else "has a `secure` value that is not text")
        raise _MalformedSecure(f"`{path}` is a malformed secret: it {why}; a secret is exactly "
                               "`{secure: <ciphertext>}` as `pulumi config set --secret` writes it (value not shown)")
    if isinstance(value, dict):
        return {k: _decrypt_offline(v, f"{path}{path_key(k)}", secret_paths) for k, v in value.items()}
    if isinstance(value, list):
        return [_decrypt_offline(v, f"{path}[{i}]", secret_paths) for i, v in enumerate(value)]
    return value
