"""Read a stack file or inventory the way the Pulumi CLI's YAML library (go-yaml v3) would, or refuse.

Why: PyYAML's `safe_load` speaks YAML 1.1 (`yes` is a bool, an unquoted date becomes a `date`),
keeps the last of two duplicate keys, expands aliases without bound and recurses once per nesting
level (deep input exhausts the C stack). The CLI sees none of that; a preview must not either. Every
refusal is a `YamlInputError` with one line naming the file and, where known, line and column.

Scalar resolution follows go-yaml v3 (facts in `ackstack_core.constants`, "Hostile input" section),
except that an unquoted timestamp stays its text (what the program receives as a top-level value).
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any

import yaml
from yaml.composer import Composer
from yaml.constructor import ConstructorError, SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.resolver import BaseResolver

from ackstack_core import constants as C

_STR, _INT, _FLOAT = "tag:yaml.org,2002:str", "tag:yaml.org,2002:int", "tag:yaml.org,2002:float"
_BOOL, _NULL, _MERGE = "tag:yaml.org,2002:bool", "tag:yaml.org,2002:null", "tag:yaml.org,2002:merge"
_MAP, _SEQ = "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"
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
_SURROGATE = re.compile("[\ud800-\udfff]")


class YamlInputError(ValueError):
    """The file cannot be read as YAML the CLI would accept: exit status 2, one line."""


def resolve_plain(text: str) -> tuple[str, Any]:
    """(tag, value) of an unquoted scalar, as go-yaml v3 `resolve` decides it."""
    if text in _KEYWORDS:
        return _KEYWORDS[text]
    if not text or text[0] not in "+-0123456789.":
        return _STR, text
    plain = text.replace("_", "") if text[0] != "." else text
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
    return _STR, text


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
        return resolve_plain(self.construct_scalar(node))[1]

    def construct_mapping(self, node, deep=False):
        seen: dict[tuple[str, str], Any] = {}
        for key_node, _ in node.value:
            if isinstance(key_node, ScalarNode):
                key = (key_node.tag, key_node.value)
                if key in seen and key_node.tag != _MERGE:
                    raise YamlInputError(f"{_where(key_node.start_mark)}mapping key {key_node.value!r} already "
                                         f"defined at line {seen[key].line + 1}")
                seen[key] = key_node.start_mark
        return super().construct_mapping(node, deep=deep)

    def construct_undefined(self, node):
        raise YamlInputError(f"{_where(node.start_mark)}tag {node.tag} is not supported")


for _tag in (_INT, _FLOAT, _BOOL, _NULL):
    _Constructor.add_constructor(_tag, _Constructor.construct_go_scalar)
_Constructor.add_constructor(_STR, SafeConstructor.construct_yaml_str)
_Constructor.add_constructor(_MAP, SafeConstructor.construct_yaml_map)
_Constructor.add_constructor(_SEQ, SafeConstructor.construct_yaml_seq)
_Constructor.add_constructor(None, _Constructor.construct_undefined)
_Constructor.yaml_constructors = {k: v for k, v in _Constructor.yaml_constructors.items()
                                  if k in (_INT, _FLOAT, _BOOL, _NULL, _STR, _MAP, _SEQ, None)}

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


def parse_yaml(data: bytes, what: str) -> Any:
    """The document in `data` (bytes of a file named `what` in messages), or YamlInputError."""
    if len(data) > C.INPUT_MAX_BYTES:
        raise YamlInputError(f"{what} is larger than {C.INPUT_MAX_BYTES:,} bytes (the most ackstack reads)")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise YamlInputError(f"{what} is not UTF-8 text (invalid byte at offset {exc.start})") from None
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
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


def read_yaml_file(path: Path, what: str) -> Any:
    """Read and parse `path`; every failure (missing, a directory, a FIFO, unreadable, bad YAML) is one line."""
    from ackstack.inputs.input_file import InputFileError, read_input_file

    try:
        data = read_input_file(path, what, C.INPUT_MAX_BYTES)
    except InputFileError as exc:
        raise YamlInputError(str(exc)) from None
    return parse_yaml(data, f"{what} {path}")
