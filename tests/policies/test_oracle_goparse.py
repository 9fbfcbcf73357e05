"""Go's own parsers as the oracle (issue #22, section 4): time.ParseDuration against go_duration,
encoding/json against go_json, net/netip.ParsePrefix against the CIDR parsing the rules use. Fuzzed
corpora (seeded: ORACLE_SEED, default 22), one goparse-oracle process per corpus; every case must agree.
"""

from __future__ import annotations

import base64
import ipaddress
import json
import os
import random
import string

import pytest

from ackstack_core.go_duration import GoDurationError, parse_go_duration_ns
from ackstack_core.go_json import GoJsonError, canonical_json_text, go_json, parse_go_json
from components.netmath import parse_ipv4_network
from tests.oracle_run import ask, oracle_binary

SEED = int(os.environ.get("ORACLE_SEED", "22"))
DURATION_CASES = 20_000
JSON_CASES = 5_000
PREFIX_CASES = 20_000


@pytest.fixture(scope="module")
def goparse():
    return oracle_binary("goparse-oracle")


def _wire(text: str) -> dict:
    """A text as the oracle takes it: JSON string, or base64 when it holds bytes that are not UTF-8."""
    raw = text.encode("utf-8", "surrogateescape")
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return {"b64": base64.b64encode(raw).decode()}
    return {"text": text}


# ---------------------------------------------------------------- time.ParseDuration
_DURATION_TOKENS = (list("0123456789") * 6 + [".", ".", "+", "-", "ns", "us", "µs", "μs", "ms", "s", "s", "m", "m",
                    "h", "h", "u", "n", "µ", "d", " ", "e", "\x00", "\uff11", "\u0661", "9" * 19, "0" * 12,
                    "\udcff"])
_DURATION_EDGES = ["0", "-0", "+0", "", "9223372036854775807ns", "9223372036854775808ns", "-9223372036854775808ns",
                   "2562047h47m16.854775807s", "2562047h47m16.854775808s", "-2562047h47m16.854775808s",
                   "0.0000000001s", "1.9999999999999999999999h", "5m0s", "2h45m", "1.5h", "300s", ".5m", "5.m",
                   "1e3s", "0x10s", "1_0s", "5M", "5 m", " 5m", "5m ", "5mm", "5m5", "-", "+", ".", "-.s"]


def _random_duration(rng: random.Random) -> str:
    return "".join(rng.choice(_DURATION_TOKENS) for _ in range(rng.randint(1, 8)))


def test_oracle_go_parse_duration_agrees_on_a_fuzzed_corpus(goparse):
    rng = random.Random(SEED)
    texts = _DURATION_EDGES + [_random_duration(rng) for _ in range(DURATION_CASES)]
    verdicts = ask(goparse, [{"op": "duration", **_wire(t)} for t in texts])
    accepted = 0
    for text, verdict in zip(texts, verdicts, strict=True):
        try:
            ours, problem = parse_go_duration_ns(text), None
        except GoDurationError as exc:
            ours, problem = None, str(exc)
        if verdict["error"] is None:
            assert problem is None and ours == verdict["ns"], (text, verdict, ours, problem)
            accepted += 1
        else:
            assert problem is not None, (text, verdict, ours)
            # the same reason: Go's "invalid duration", "missing unit in duration", "unknown unit"
            reason = next(r for r in ("missing unit", "unknown unit", "invalid duration") if r in verdict["error"])
            assert reason in problem, (text, verdict["error"], problem)
    assert accepted > len(texts) // 20  # the corpus reaches both sides


# ---------------------------------------------------------------- encoding/json
_SPECIAL_CHARS = "<>&\u2028\u2029\"\\/\b\f\n\r\t\x00\x1f\x7f\u00e9\u4e2d😀\ufffd"


def _random_string(rng: random.Random) -> str:
    alphabet = string.ascii_letters + string.digits + _SPECIAL_CHARS * 3
    return "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 8)))


def _random_number(rng: random.Random) -> int | float:
    kind = rng.randrange(8)
    if kind == 0:
        return rng.randint(-1000, 1000)
    if kind == 1:
        return rng.choice([2**53, 2**53 + 1, 2**63 - 1, 2**64 + 1, 10**20, 10**21, 10**21 + 1, -(10**22), 10**300])
    if kind == 2:
        return rng.randint(-(2**70), 2**70)
    if kind == 3:
        return float(rng.randint(-(10**6), 10**6))
    if kind == 4:
        return rng.choice([1e-6, 9.999999e-7, 1e-7, 1e21, 9.99999999999999e20, 1e16, 1e15, 123456789e-15, 0.1, -0.0,
                           5e-324, 1.7976931348623157e308, 2.5e-10])
    if kind == 5:
        return rng.uniform(-1e3, 1e3)
    return rng.choice([-1, 1]) * 10 ** rng.uniform(-30, 30)


def _random_value(rng: random.Random, depth: int = 0):
    kind = rng.randrange(7 if depth < 3 else 5)
    if kind == 0:
        return None
    if kind == 1:
        return rng.random() < 0.5
    if kind == 2:
        return _random_number(rng)
    if kind in (3, 4):
        return _random_string(rng)
    if kind == 5:
        return [_random_value(rng, depth + 1) for _ in range(rng.randint(0, 4))]
    return {_random_string(rng): _random_value(rng, depth + 1) for _ in range(rng.randint(0, 4))}


_JSON_EDGES = ['{"a": NaN}', '{"a": Infinity}', '[-Infinity]', '{"a": 1e400}', '[1e-400]', '{"a": "\\ud800"}',
               '{"\\udc00": 1, "\\udc01": 2}', '{"a": 1,}', '{"a": 1} x', '{"a": 1, "a": 2}', '[9007199254740993]',
               '{"a": "\\u00e9<>&"}', '{"a": 0.1e1}', '{"a": -0}', '{"a": 1E+2}', ' {"a": [] } ', '"text"', '12', 'null',
               '{"a": "\x01"}', '{"a": 01}', '{"a": .5}', '{"a": +1}', '{"a": 1.}', '[]', '{}', '{"a":{"b":[{}]}}']


def test_oracle_go_json_marshal_agrees_on_a_fuzzed_corpus(goparse):
    """What the provider stores for an add-on config text: go_json / canonical_json_text vs Go's json.Unmarshal
    into interface{} then json.Marshal (resource_alicloud_cs_kubernetes_addon.go:101-123)."""
    rng = random.Random(SEED)
    values = [{k: _random_value(rng) for k in (_random_string(rng) for _ in range(rng.randint(0, 5)))}
              for _ in range(JSON_CASES)]
    texts = _JSON_EDGES + [json.dumps(v, ensure_ascii=rng.random() < 0.5) for v in values]
    verdicts = ask(goparse, [{"op": "json", "text": t} for t in texts])
    for index, (text, verdict) in enumerate(zip(texts, verdicts, strict=True)):
        try:
            ours, problem = parse_go_json(text), None
        except (json.JSONDecodeError, GoJsonError) as exc:
            ours, problem = None, exc
        assert (verdict["error"] is None) == (problem is None), (text, verdict, problem)
        if problem is not None:
            assert canonical_json_text(text) == text  # the text is kept as it is, Go cannot read it
            continue
        assert go_json(ours) == verdict["marshal"], (text, verdict["marshal"], go_json(ours))
        assert canonical_json_text(text) == (verdict["marshal"] if verdict["marshal"][0] in "[{" else text)
        if index >= len(_JSON_EDGES):  # a Python value the program builds: go_json of it directly
            assert go_json(values[index - len(_JSON_EDGES)]) == verdict["marshal"], text


# ---------------------------------------------------------------- net/netip.ParsePrefix
def _random_prefix(rng: random.Random) -> str:
    def octet() -> str:
        return rng.choice([str(rng.randint(0, 255)), str(rng.randint(0, 300)), "0" + str(rng.randint(0, 99)), "00",
                           "", "a", "\uff11", "-1", " 1", "+1", "1e1", "0x1"])

    if rng.random() < 0.05:
        return rng.choice(["::/0", "::ffff:10.0.0.0/104", "fe80::1%eth0/64", "10.0.0.0/8%eth0", "/8", "10.0.0.0/",
                           "10.0.0.0", "10.0.0.0//8", "10.0.0.0/8/8"])
    if rng.random() < 0.4:  # a well-formed network (host bits clear), the common case
        network = ipaddress.IPv4Network((rng.getrandbits(32), rng.randint(0, 32)), strict=False)
        return str(network)
    parts = [octet() if rng.random() < 0.15 else str(rng.choice([0, 10, 172, 192, 255, rng.randint(0, 255)]))
             for _ in range(rng.choice([4] * 12 + [3, 5]))]
    address = ".".join(parts)
    bits = rng.choice([str(rng.randint(0, 32))] * 8 + [str(rng.randint(33, 128)), "0" + str(rng.randint(0, 32)),
                                                       "255.255.0.0", "255.0.0.0", "0.0.255.255", "", "+8", " 8",
                                                       "8 ", "\u0668", "1_6", "3e1"])
    text = f"{address}/{bits}"
    if rng.random() < 0.03:
        text = rng.choice([" ", "\t", "\n"]) + text
    return text


def test_oracle_go_netip_prefix_agrees_with_the_cidr_parser(goparse):
    """parse_ipv4_network (every config CIDR, the inventory, the rules) accepts exactly what ParsePrefix accepts
    as an IPv4 prefix with no host bits, and reads the same network."""
    rng = random.Random(SEED)
    texts = [_random_prefix(rng) for _ in range(PREFIX_CASES)]
    verdicts = ask(goparse, [{"op": "prefix", "text": t} for t in texts])
    accepted = 0
    for text, verdict in zip(texts, verdicts, strict=True):
        try:
            network, problem = parse_ipv4_network(text), None
        except ValueError as exc:
            network, problem = None, str(exc)
        go_accepts = verdict["error"] is None and verdict["is4"] and verdict["masked"]
        assert go_accepts == (problem is None), (text, verdict, problem)
        if network is not None:
            accepted += 1
            assert (str(network.network_address), network.prefixlen) == (verdict["addr"], verdict["bits"])
        elif verdict["error"] is None and verdict["is4"]:
            assert "host bits set" in problem, (text, problem)
    assert accepted > len(texts) // 3


# ---------------------------------------------------------------- gopkg.in/yaml.v3 scalars (the CLI's YAML)
YAML_CASES = 20_000
_YAML_TOKENS = (list("0123456789") * 5 + ["-", "-", ":", ".", "_", "+", "e", "E", "x", "o", "b", "T", "t", "Z",
                                          " ", "0x", "0o", "0b", ".inf", ".nan", "yes", "true", "~", "null", "2024-",
                                          "2024-01-01", "T10:00:00", "+08:00", ",5", "a"])
_YAML_EDGES = ["2024-01-01", "2024-1-1", "2024-01-01T10:00:00Z", "2024-01-01t10:00:00z", "2024-01-01 10:00:00.5",
               "2024-02-29", "2023-02-29", "2024-01-01T24:00:00Z", "2024-01-01T10:00:60Z", "2024-01-01T10:00:00,5Z",
               "2024-01-01T10:00:00.1234567891Z", "0000-01-01", "2024-01-01T10:00:00+24:00", "99999-01-01",
               "08", "0777", "-0b101", "0x_1", "1_000", "9223372036854775808", "18446744073709551616", "1e400",
               "+.inf", "-.Inf", ".NaN", "0o", "0x", "-", "+", ".", "1.", ".e1", "1e", "1__2", "_1", "0b", "00",
               "-0", "+0", "0.0", "1e-400"]


def _timestamp_like(rng: random.Random) -> str:
    def field(top: int) -> str:
        value = rng.randint(0, top)
        return f"{value:02d}" if rng.random() < 0.6 else str(value)

    text = f"{rng.choice(['2024', '2023', '0001', '1999', '202'])}-{field(13)}-{field(32)}"
    if rng.random() < 0.6:
        text += rng.choice(["T", "t", " ", "  ", "x"]) + f"{field(25)}:{field(61)}:{field(61)}"
        if rng.random() < 0.4:
            text += rng.choice([".", ","]) + str(rng.randint(0, 10**rng.randint(1, 12)))
        text += rng.choice(["", "Z", "z", "+08:00", "-05:30", "+8", " Z", "+25:00"])
    return text


def _yaml_scalar(rng: random.Random) -> str:
    if rng.random() < 0.2:
        return _timestamp_like(rng)
    return "".join(rng.choice(_YAML_TOKENS) for _ in range(rng.randint(1, 6))).strip() or "0"


def _same_yaml(go: dict, ours) -> bool:
    """A node of goparse-oracle's typed tree and the project's value for it."""
    from ackstack.inputs.yaml_input import GoTime

    kind = go["t"]
    if kind == "null":
        return ours is None
    if kind == "bool":
        return ours is go["v"]
    if kind in ("int", "uint64"):
        return type(ours) is int and ours == int(go["v"])
    if kind == "float":
        return type(ours) is float and (ours == float(go["v"]) or (ours != ours and go["v"] == "NaN"))
    if kind == "time":
        return isinstance(ours, GoTime) and ours.go_text in (go["v"], None)
    if kind == "string":
        return type(ours) is str and ours == go["v"]
    return False


def test_oracle_go_yaml_v3_scalars_agree_with_the_reader(goparse):
    """ackstack.inputs.yaml_input's scalar resolution (resolve_plain, go_yaml_time) against gopkg.in/yaml.v3 v3.0.1 decoding
    `v: <scalar>` into interface{}: the same type and value, or both refuse."""
    from ackstack.inputs.yaml_input import YamlInputError, parse_yaml

    rng = random.Random(SEED)
    scalars = _YAML_EDGES + [_yaml_scalar(rng) for _ in range(YAML_CASES)]
    verdicts = ask(goparse, [{"op": "yaml", "text": f"v: {s}\n"} for s in scalars])
    kinds: dict[str, int] = {}
    for scalar, verdict in zip(scalars, verdicts, strict=True):
        try:
            ours = parse_yaml(f"v: {scalar}\n".encode(), "case")
        except YamlInputError as exc:
            assert verdict["error"] is not None, (scalar, verdict, str(exc))
            continue
        assert verdict["error"] is None, (scalar, verdict["error"], ours)
        go = dict((k["v"], v) for k, v in verdict["value"]["v"])["v"]
        assert _same_yaml(go, ours["v"]), (scalar, go, ours["v"])
        kinds[go["t"]] = kinds.get(go["t"], 0) + 1
    assert all(kinds.get(k, 0) > 50 for k in ("int", "float", "string", "time")), kinds
