"""JSON text exactly as the provider stores an add-on's config on read: Go's `json.Unmarshal` into
`map[string]interface{}`, then `json.Marshal`.

terraform-provider-alicloud reads an add-on's config back that way (aliyun/terraform-provider-alicloud@ace5bcf8777e
alicloud/resource_alicloud_cs_kubernetes_addon.go:101-123). Go's encoding/json (golang/go src/encoding/json,
checked against the real thing by tests/policies/test_oracle_goparse.py) then writes: compact, map keys sorted, every
number a float64 (an integer past 2^53 rounds; 1.0 is `1`; exponent form below 1e-6 and from 1e21, `1e-7`,
`1e+21`), `<`, `>`, `&`, U+2028, U+2029 escaped as \\u003c, \\u003e, \\u0026, \\u2028, \\u2029 (HTML-safe
default), other non-ASCII kept, a lone surrogate (invalid UTF-8) as U+FFFD. Emitting the same text means no
diff on the next preview.
"""

from __future__ import annotations

import json
import math
import re
from decimal import Decimal
from typing import Any

_HTML_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}
_SURROGATE = re.compile("[\ud800-\udfff]")
# encoding/json floatEncoder: exponent form below 1e-6 and from 1e21 (encode.go, floatEncoder.encode)
_EXPONENT_BELOW, _EXPONENT_FROM = 1e-6, 1e21


class GoJsonError(ValueError):
    """Go's encoding/json cannot carry the value (NaN, Infinity, a number past float64, a non-string key)."""


def _valid_text(text: str) -> str:
    """Go strings are bytes; a lone surrogate is invalid UTF-8, which Go's decoder and encoder turn into U+FFFD."""
    return _SURROGATE.sub("\ufffd", text)


def go_number(value: int | float) -> str:
    """`value` as a float64 the way encoding/json writes it (shortest round-trip digits)."""
    try:
        number = float(value)
    except OverflowError:
        raise GoJsonError(f"number {value} does not fit Go's float64") from None
    if not math.isfinite(number):
        raise GoJsonError(f"{number} is not a JSON number (Go's encoding/json refuses NaN and Infinity)")
    if number == 0:
        return "-0" if math.copysign(1.0, number) < 0 else "0"
    sign = "-" if number < 0 else ""
    decimal = Decimal(repr(abs(number))).normalize()  # repr: the shortest digits that round-trip, as Go's
    if _EXPONENT_BELOW <= abs(number) < _EXPONENT_FROM:
        return sign + format(decimal, "f")
    _, digits, exponent = decimal.as_tuple()
    text = "".join(map(str, digits))
    power = int(exponent) + len(text) - 1
    mantissa = text[0] + ("." + text[1:] if len(text) > 1 else "")
    # strconv 'e' writes at least two exponent digits; encoding/json then cuts "e-07" to "e-7"
    exp = f"{abs(power):02d}" if power >= 0 or abs(power) >= 10 else str(abs(power))
    return f"{sign}{mantissa}e{'-' if power < 0 else '+'}{exp}"


def _string(text: str) -> str:
    out = json.dumps(_valid_text(text), ensure_ascii=False)
    for char, escaped in _HTML_ESCAPES.items():
        out = out.replace(char, escaped)
    return out


def go_json(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return go_number(value)
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, dict):
        items: dict[str, Any] = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise GoJsonError(f"object key {key!r} is not a string")
            items[_valid_text(key)] = item  # two keys that become one: the later wins, as in Go's map
        return "{" + ",".join(f"{_string(k)}:{go_json(items[k])}" for k in sorted(items)) + "}"
    if isinstance(value, list | tuple):
        return "[" + ",".join(go_json(item) for item in value) + "]"
    raise GoJsonError(f"{type(value).__name__} is not a JSON value")


def _reject_constant(name: str) -> Any:
    raise GoJsonError(f"`{name}` is not JSON (Go's encoding/json refuses NaN and Infinity)")


def parse_go_json(text: str) -> Any:
    """`text` decoded as Go's json.Unmarshal into interface{} would: no NaN/Infinity, every number a float64
    (GoJsonError past its range), lone surrogates as U+FFFD. json.JSONDecodeError for malformed text."""
    value = json.loads(text, parse_constant=_reject_constant, parse_int=Decimal, parse_float=Decimal)
    return _as_go(value)


def _as_go(value: Any) -> Any:
    if isinstance(value, Decimal):
        number = float(value)
        if not math.isfinite(number):
            raise GoJsonError(f"number {value} does not fit Go's float64")
        return number
    if isinstance(value, str):
        return _valid_text(value)
    if isinstance(value, dict):
        return {_valid_text(k): _as_go(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_as_go(v) for v in value]
    return value


def canonical_json_text(text: Any) -> Any:
    """`text` re-serialised as Go would store it; anything that is not a JSON object/array text Go can read is
    returned as is."""
    if not isinstance(text, str):
        return text
    try:
        value = parse_go_json(text)
    except (json.JSONDecodeError, GoJsonError, RecursionError):
        return text
    return go_json(value) if isinstance(value, dict | list) else text
