"""Read a stack file or inventory the way the Pulumi CLI's YAML library (go-yaml v3) would, or refuse.

Why: PyYAML's `safe_load` speaks YAML 1.1 (`yes` is a bool, an unquoted date becomes a `date`),
keeps the last of two duplicate keys, expands aliases without bound and recurses once per nesting
level (deep input exhausts the C stack). The CLI sees none of that; a preview must not either. Every
refusal is a `YamlInputError` with one line naming the file and, where known, line and column.

Scalar resolution follows go-yaml v3 (facts in `ackstack_core.constants`, "Hostile input" section; checked
against gopkg.in/yaml.v3 itself by tests/policies/test_oracle_goparse.py). An unquoted timestamp is a `GoTime`: its
text as written (what the inventory reads) carrying the time go-yaml decodes, whose Go `String()` is what the
Pulumi CLI hands a program (ackstack/inputs/stackfile.py).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml
from yaml.composer import Composer
from yaml.constructor import ConstructorError, SafeConstructor
from yaml.events import AliasEvent
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.resolver import BaseResolver

from ackstack.inputs.input_file import InputFileError, read_input_file
from ackstack_core import constants as C

_STR, _INT, _FLOAT = "tag:yaml.org,2002:str", "tag:yaml.org,2002:int", "tag:yaml.org,2002:float"
_BOOL, _NULL, _MERGE = "tag:yaml.org,2002:bool", "tag:yaml.org,2002:null", "tag:yaml.org,2002:merge"
_MAP, _SEQ = "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"
_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_KEYWORDS: dict[str, tuple[str, Any]] = {
    **{s: (_BOOL, True) for s in ("true", "True", "TRUE")},
    **{s: (_BOOL, False) for s in ("false", "False", "FALSE")},
    **{s: (_NULL, None) for s in ("", "~", "null", "Null", "NULL")},
    **{s: (_FLOAT, math.nan) for s in (".nan", ".NaN", ".NAN")},
    **{s: (_FLOAT, math.inf) for s in (".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF")},
    **{s: (_FLOAT, -math.inf) for s in ("-.inf", "-.Inf", "-.INF")},
    "<<": (_MERGE, "<<"),
}
_GO_INT = re.compile(r"([-+]?)(0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)")
_YAML_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?")
_GO_DOT_FLOAT = re.compile(r"\.[0-9](_?[0-9])*([eE][-+]?[0-9](_?[0-9])*)?")
_SURROGATE = re.compile("[\ud800-\udfff]")


class YamlInputError(ValueError):
    """The file cannot be read as YAML the CLI would accept: exit status 2, one line."""


# gopkg.in/yaml.v3 v3.0.1 resolve.go:327-353 (allowedTimestampFormats, parseTimestamp): a plain scalar starting
# with four digits and '-' is tried with Go's time.Parse against "2006-1-2T15:4:5.999999999Z07:00", the same with
# a lower-case "t", "2006-1-2 15:4:5.999999999" and "2006-1-2". time.Parse (golang/go src/time/format.go): year
# four digits, month/day/hour/minute/second one or two, a fraction after '.' or ',' of any length (nanoseconds
# from its first nine digits), zone "Z" or "+hh:mm"/"-hh:mm"; a space of the layout matches a run of spaces;
# fields in range, the day in its month.
_TIME_FORMATS = (
    re.compile(r"(\d{4})-(\d\d?)-(\d\d?)([Tt])(\d\d?):(\d\d?):(\d\d?)(?:[.,](\d+))?(Z|[+-]\d\d:\d\d)"),
    re.compile(r"(\d{4})-(\d\d?)-(\d\d?)( +)(\d\d?):(\d\d?):(\d\d?)(?:[.,](\d+))?()"),
    re.compile(r"(\d{4})-(\d\d?)-(\d\d?)()()()()()()"),
)
_DAYS_IN_MONTH = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


class GoTime(str):
    """A plain scalar go-yaml decodes into a time.Time: the text as written; `go_text` is Go's String() of the
    time for a UTC or zone-less value, None when it carries a numeric offset (its String() then depends on the
    time zone of the machine that runs Go)."""

    go_text: str | None


def _leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def go_yaml_time(text: str) -> GoTime | None:
    """`text` as a GoTime when go-yaml v3 reads it as a timestamp, else None."""
    if not (len(text) > 4 and text[:4].isascii() and text[:4].isdigit() and text[4] == "-"):
        return None
    for layout in _TIME_FORMATS:
        match = layout.fullmatch(text)
        if match is None or not text.isascii():
            continue
        year, month, day = int(match[1]), int(match[2]), int(match[3])
        hour, minute, second = (int(match[i]) if match[i] else 0 for i in (5, 6, 7))
        days = _DAYS_IN_MONTH[month - 1] + (month == 2 and _leap(year)) if 1 <= month <= 12 else 0
        zone = match[9]
        if not (days and 1 <= day <= days and hour < 24 and minute < 60 and second < 60):
            continue
        if zone and zone != "Z" and not (int(zone[1:3]) <= 24 and int(zone[4:6]) <= 60):
            continue
        value = GoTime(text)
        fraction = (match[8] or "")[:9].ljust(9, "0").rstrip("0")
        value.go_text = None if zone not in ("", "Z") else (
            f"{year:04d}-{month:02d}-{day:02d} {hour:02d}:{minute:02d}:{second:02d}"
            f"{'.' + fraction if fraction else ''} +0000 UTC")
        return value
    return None


def resolve_plain(text: str) -> tuple[str, Any]:
    """(tag, value) of an unquoted scalar, as go-yaml v3 `resolve` decides it."""
    if text in _KEYWORDS:
        return _KEYWORDS[text]
    if not text or text[0] not in "+-0123456789.":
        return _STR, text
    if (stamp := go_yaml_time(text)) is not None:
        return _TIMESTAMP, stamp
    if text[0] == ".":  # resolve.go:245-250: strconv.ParseFloat of the text as written (Go literal underscores)
        if _GO_DOT_FLOAT.fullmatch(text) and not math.isinf(number := float(text.replace("_", ""))):
            return _FLOAT, number
        return _STR, text
    plain = text.replace("_", "")
    match = _GO_INT.fullmatch(plain)
    if match:
        sign, digits = match.groups()
        octal_legacy = len(digits) > 1 and digits[0] == "0" and digits[1] in "01234567"
        value = int(digits, 8) if octal_legacy else int(digits, 0)
        value = -value if sign == "-" else value
        if -(2**63) <= value < 2**63 or (not sign and value < 2**64):
            return _INT, value
    if _YAML_FLOAT.fullmatch(plain):
        number = float(plain)
        if not math.isinf(number):  # Go's ParseFloat reports a range error: the text stays a string
            return _FLOAT, number
    # resolve.go:298-345: after "0b"/"0o" (or "-0b"/"-0o") go-yaml calls strconv.ParseInt on the rest, which takes
    # a sign of its own ("0o+6" is 6, "0b-1" is -1); ParseUint (no sign) past int64.
    for prefix, base in (("0b", 2), ("0o", 8)):
        if plain.startswith(prefix):
            value = _go_parse_int(plain[2:], base)
            unsigned = plain[2:3] not in "+-"
            if value is not None and (-(2**63) <= value < 2**63 or (unsigned and 0 <= value < 2**64)):
                return _INT, value
        elif plain.startswith("-" + prefix):
            value = _go_parse_int("-" + plain[3:], base)
            if value is not None and -(2**63) <= value < 2**63:
                return _INT, value
    return _STR, text


def _go_parse_int(text: str, base: int) -> int | None:
    """strconv.ParseInt's reading of `text` in `base` (2 or 8): an optional sign, then at least one digit."""
    sign, digits = (text[0], text[1:]) if text[:1] in ("+", "-") else ("", text)
    if not digits or any(c not in "01234567"[:base] for c in digits):
        return None
    return -int(digits, base) if sign == "-" else int(digits, base)


class _Resolver(BaseResolver):
    """Plain scalars: go-yaml v3 rules (`resolve_plain`); quoted scalars are strings."""

    def resolve(self, kind, value, implicit):
        if kind is ScalarNode and implicit[0]:
            return resolve_plain(value)[0]
        return super().resolve(kind, value, implicit)


class _Composer(Composer):
    """PyYAML's composer with a nesting limit, checked before it would recurse any deeper."""

    _depth = 0

    def compose_node(self, parent, index):
        self._depth += 1
        try:
            if self._depth > C.INPUT_MAX_NESTING:
                mark = self.peek_event().start_mark
                raise YamlInputError(f"{_where(mark)}nesting is deeper than {C.INPUT_MAX_NESTING} levels")
            # go-yaml v3 lets an anchor be defined again (later aliases name the newest); PyYAML refuses it
            event = self.peek_event()
            if not isinstance(event, AliasEvent) and getattr(event, "anchor", None) is not None:
                self.anchors.pop(event.anchor, None)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


class _Constructor(SafeConstructor):
    """Values as the CLI would hand them on: no timestamps, no YAML 1.1 booleans, duplicate keys refused."""

    def construct_scalar(self, node):
        value = super().construct_scalar(node)
        if isinstance(value, str) and _SURROGATE.search(value):
            raise YamlInputError(f"{_where(node.start_mark)}a string holds a lone surrogate code point "
                                 "(not Unicode text)")
        return value

    def construct_go_scalar(self, node):
        text = self.construct_scalar(node)
        tag, value = resolve_plain(text)
        if node.tag == _FLOAT and tag == _INT:  # an integer serves as a float
            return float(value)
        if node.tag != tag:  # only an explicit tag differs from the resolution; go-yaml v3 resolve.go:190-210
            raise YamlInputError(f"{_where(node.start_mark)}cannot decode `{text}` as {node.tag}")
        return value

    def construct_binary(self, node):
        """!!binary: go-yaml v3 decode.go base64-decodes it into a string (invalid bytes become U+FFFD later)."""
        import base64
        import binascii

        try:
            return base64.b64decode(self.construct_scalar(node), validate=True).decode("utf-8", "replace")
        except (binascii.Error, ValueError):
            raise YamlInputError(f"{_where(node.start_mark)}!!binary value contains invalid base64 data") from None

    def construct_mapping(self, node, deep=False):
        seen: dict[tuple[str, str], Any] = {}
        for key_node, _ in node.value:
            if isinstance(key_node, ScalarNode):
                key = (key_node.tag, key_node.value)
                if key in seen and key_node.tag != _MERGE:
                    raise YamlInputError(f"{_where(key_node.start_mark)}mapping key {key_node.value!r} already "
                                         f"defined at line {seen[key].line + 1}")
                seen[key] = key_node.start_mark
        key_text = getattr(self, "key_text", None)
        if key_text is None:
            return super().construct_mapping(node, deep=deep)
        self.flatten_mapping(node)  # merge keys (`<<`), as SafeConstructor does
        mapping: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = self.construct_object(key_node, deep=True)
            if not isinstance(key, str) or isinstance(key, GoTime):
                if node is getattr(self, "root", None):
                    raise YamlInputError(f"{_where(key_node.start_mark)}expected only string keys at the top level, "
                                         f"got {key_node.value!r}")
                key = key_text(key)
            mapping[key] = self.construct_object(value_node, deep=deep)
        return mapping

    def construct_undefined(self, node):
        """A tag go-yaml does not know is ignored (decode.go: the node is decoded as untagged, a scalar as its
        text); !!set / !!omap / !!pairs are its mapping / sequence."""
        if isinstance(node, ScalarNode):
            return self.construct_scalar(node)
        if isinstance(node, SequenceNode):
            return self.construct_sequence(node, deep=True)
        return self.construct_mapping(node, deep=True)


for _tag in (_INT, _FLOAT, _BOOL, _NULL, _TIMESTAMP):
    _Constructor.add_constructor(_tag, _Constructor.construct_go_scalar)
_Constructor.add_constructor(_STR, SafeConstructor.construct_yaml_str)
_Constructor.add_constructor("tag:yaml.org,2002:binary", _Constructor.construct_binary)
_Constructor.add_constructor(_MAP, SafeConstructor.construct_yaml_map)
_Constructor.add_constructor(_SEQ, SafeConstructor.construct_yaml_seq)
_Constructor.add_constructor(None, _Constructor.construct_undefined)
_Constructor.yaml_constructors = {k: v for k, v in _Constructor.yaml_constructors.items()
                                  if k in (_INT, _FLOAT, _BOOL, _NULL, _TIMESTAMP, _STR, _MAP, _SEQ,
                                           "tag:yaml.org,2002:binary", None)}

# libyaml's event parser keeps its own state stack (no recursion); the composer above is Python's.
try:
    from yaml.cyaml import CParser as _Parser
except ImportError:  # PyYAML without libyaml: the pure-Python reader, scanner and parser
    from yaml.reader import Reader
    from yaml.scanner import Scanner

    class _Parser(Reader, Scanner, yaml.parser.Parser):  # type: ignore[no-redef]
        def __init__(self, stream: str) -> None:
            Reader.__init__(self, stream)
            Scanner.__init__(self)
            yaml.parser.Parser.__init__(self)


class _Loader(_Composer, _Constructor, _Resolver, _Parser):
    def __init__(self, stream: str) -> None:
        _Parser.__init__(self, stream)
        Composer.__init__(self)
        SafeConstructor.__init__(self)
        BaseResolver.__init__(self)


def _where(mark) -> str:
    return f"line {mark.line + 1}, column {mark.column + 1}: " if mark is not None else ""


def _expanded_size(root: Node) -> int:
    """Nodes the document holds once every alias is expanded (memoised: a billion laughs costs microseconds).
    A recursive alias has no finite expansion."""
    sizes: dict[int, int] = {}
    active: set[int] = set()

    def size(node: Node) -> int:
        key = id(node)
        if key in sizes:
            return sizes[key]
        if key in active:
            raise YamlInputError(f"{_where(node.start_mark)}an alias refers to a node that contains it")
        active.add(key)
        if isinstance(node, SequenceNode):
            total = 1 + sum(size(n) for n in node.value)
        elif isinstance(node, MappingNode):
            total = 1 + sum(size(k) + size(v) for k, v in node.value)
        else:
            total = 1
        active.discard(key)
        sizes[key] = min(total, C.INPUT_MAX_NODES + 1)
        return sizes[key]

    return size(root)


def parse_yaml(data: bytes, what: str, key_text: Callable[[Any], str] | None = None) -> Any:
    """The document in `data` (bytes of a file named `what` in messages), or YamlInputError. With `key_text`,
    a mapping key that is not a string becomes `key_text(key)` as it is read (Python would merge 1 and True), and
    one at the top level is refused, as the Pulumi CLI does (ackstack/inputs/stackfile.py)."""
    if len(data) > C.INPUT_MAX_BYTES:
        raise YamlInputError(f"{what} is larger than {C.INPUT_MAX_BYTES:,} bytes (the most ackstack reads)")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise YamlInputError(f"{what} is not UTF-8 text (invalid byte at offset {exc.start})") from None
    loader = _Loader(text)
    try:
        node = loader.get_node() if loader.check_node() else None  # go-yaml's Unmarshal reads the first document
        if node is None:
            return None
        loader.key_text, loader.root = key_text, node
        if (count := _expanded_size(node)) > C.INPUT_MAX_NODES:
            raise YamlInputError(f"expands to more than {C.INPUT_MAX_NODES:,} values "
                                 f"(aliases included; got >{count - 1:,})")
        return loader.construct_document(node)
    except YamlInputError as exc:
        raise YamlInputError(f"{what}: {exc}") from None
    except (yaml.YAMLError, ConstructorError) as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise YamlInputError(f"{what} is not valid YAML: {_where(mark)}{problem}") from None
    finally:
        loader.dispose()


def read_yaml_file(path: Path, what: str, key_text: Callable[[Any], str] | None = None) -> Any:
    """Read and parse `path`; every failure (missing, a directory, a FIFO, unreadable, bad YAML) is one line."""
    try:
        data = read_input_file(path, what, C.INPUT_MAX_BYTES)
    except InputFileError as exc:
        raise YamlInputError(str(exc)) from None
    return parse_yaml(data, f"{what} {path}", key_text)
