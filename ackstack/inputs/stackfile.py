"""Read `Pulumi.<stack>.yaml` the way the CLI would hand it to the program, without the CLI.

The pinned CLI (pulumi/pulumi sdk v3.276.0 go/common/workspace/loaders.go:173-233 LoadProjectStackBytes, then
go/common/resource/config value.go, object.go and map.go Decrypt) reads the file with gopkg.in/yaml.v3 into Go
values, round-trips them through YAML, and hands the program `config.Map.Decrypt`: a top-level value as text
(a string as is, a number or boolean as JSON, null as ""), an object as JSON whose numbers were re-read with
json.Number (an integer literal that fits int64 is an int, anything else a float64), a time as Go's
time.Time.String(), a non-string map key as Go's "%v" of it. NaN or Infinity anywhere refuses the file (JSON
cannot carry it). Checked against the CLI itself by tests/ackstack/inputs/test_oracle_stackfile.py.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from ackstack.inputs.yaml_input import GoTime, YamlInputError, read_yaml_file
from ackstack_core.go_json import go_number
from components.secrets import is_secure_value, path_key

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


_INT64 = range(-(2**63), 2**63)


def _go_g(number: float) -> str:
    """strconv.FormatFloat(number, 'g', -1, 64), Go's %v of a float64: shortest digits, exponent form from 1e+06
    or below 1e-04 (golang/go src/strconv/ftoa.go, %e when exp < -4 || exp >= 6 for the shortest precision)."""
    if number == 0:
        return "-0" if math.copysign(1.0, number) < 0 else "0"
    decimal = Decimal(repr(abs(number))).normalize()
    _, digits, exponent = decimal.as_tuple()
    power = int(exponent) + len(digits) - 1
    sign = "-" if number < 0 else ""
    if -4 <= power < 6:
        return sign + format(decimal, "f")
    text = "".join(map(str, digits))
    mantissa = text[0] + ("." + text[1:] if len(text) > 1 else "")
    return f"{sign}{mantissa}e{'-' if power < 0 else '+'}{abs(power):02d}"


def _finite(number: float, where: str) -> float:
    if not math.isfinite(number):
        raise StackFileError(f"{where}: {number} (.inf / .nan) is not a value the Pulumi CLI can read: it refuses the "
                             f"whole stack file (json: unsupported value)")
    return number


def _time_text(value: GoTime, where: str) -> str:
    if value.go_text is None:
        raise StackFileError(f"{where}: the unquoted timestamp {str(value)!r} has a numeric time-zone offset; the "
                             f"Pulumi CLI hands the program Go's text for it, which depends on the time zone of the "
                             f"machine that runs pulumi: quote it (\"{value}\") to pass the text as written")
    return value.go_text


def _key_text(key: Any) -> str:
    """Go's "%v" of a decoded map key after the CLI's YAML round trip (config/object.go unmarshalObject map[any]any)."""
    if key is None:
        return "<nil>"
    if isinstance(key, bool):
        return "true" if key else "false"
    if isinstance(key, float):
        text = _go_g(_finite(key, "a mapping key"))
        return "0" if text == "-0" else text
    if isinstance(key, GoTime):
        return _time_text(key, "a mapping key")
    return str(key)


def _top_level_text(value: Any, where: str) -> Any:
    """What config.Map.Decrypt gives the program for a top-level scalar (value.go MarshalString: JSON of a number or
    boolean, the string itself, "" for null); objects and lists go through _object_value."""
    if isinstance(value, GoTime):
        return _time_text(value, where)
    if isinstance(value, str):
        return value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        text = go_number(_finite(value, where))
        return "0" if text == "-0" else text
    return _object_value(value, where)


def _object_value(value: Any, where: str) -> Any:
    """A value inside an object as the program's json.loads sees it: JSON written by Go, numbers re-read as int64
    when the text is an integer literal that fits, else float64 (object.go UnmarshalJSON with UseNumber)."""
    if isinstance(value, dict):
        return {key: _object_value(item, where) for key, item in value.items()}
    if isinstance(value, list):
        return [_object_value(item, where) for item in value]
    if isinstance(value, GoTime):
        return _time_text(value, where)
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, float) and value == 0:
        return 0  # the YAML round trip writes -0.0 as "-0", read back as the integer 0
    written = go_number(_finite(value, where)) if isinstance(value, float) else str(value)
    if not (written.lstrip("-").isdigit() and int(written) in _INT64):
        written = go_number(float(written))  # json.Number.Float64, written again as a float64
    return int(written) if written.lstrip("-").isdigit() else float(written)  # the program's json.loads


def _config_key(key: str, path: Path) -> str:
    """The key as the CLI reads it (sdk config/key.go:40-66 ParseKey; loaders.go:199-208 namespaces a bare key
    with the project): `<namespace>:<name>`, the old `<namespace>:config:<name>`, or a bare name."""
    parts = key.split(":")
    if len(parts) == 1:
        return f"ackstack:{key}"
    if len(parts) == 2:
        return key
    if len(parts) == 3 and parts[1] == "config" and parts[0] and parts[2]:
        return f"{parts[0]}:{parts[2]}"
    raise StackFileError(f"stack file {path}: could not parse {key} as a configuration key (the Pulumi CLI reads "
                         f"`<namespace>:<name>`)")


def read_stack_file(path: Path) -> StackFile:
    try:
        document = read_yaml_file(path, "stack file", key_text=_key_text)
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
    origin: dict[str, str] = {}
    for key, value in config.items():
        if not isinstance(key, str):
            raise StackFileError(f"stack file {path}: config key {key!r} is not a string")
        written, key = key, _config_key(key, path)
        if key in origin:
            # loaders.go:61-86 and config/map.go:310-328 fill Go maps from Go maps: which one wins is random
            raise StackFileError(f"stack file {path}: config key {key} is given twice (as `{origin[key]}` and "
                                 f"`{written}`); the Pulumi CLI keeps one of them at random: keep one")
        origin[key] = written
        paths: list[str] = []
        try:
            values[key] = _top_level_text(_decrypt_offline(value, key, paths), f"stack file {path}: {key}")
        except _MalformedSecure as exc:
            raise StackFileError(f"stack file {path}: {exc}") from None
        if paths:
            secret_keys.append(key)
            nested += [p for p in paths if p != key]
    return StackFile(path, values, secret_keys + nested)


class _MalformedSecure(ValueError):
    """A map with a `secure` key that is not exactly `{secure: <ciphertext text>}`."""


def _decrypt_offline(value: Any, path: str, secret_paths: list[str]) -> Any:
    """`value` with every `secure:` object (at any depth) replaced by the placeholder; records their paths."""
    if is_secure_value(value):
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
