"""INP001-INP003: config values the engine could not send, found before anything is registered.

Why: the typed config accepts free-form parts (Cilium `values`, `eniConf`, tags, labels), and the Pulumi
SDK only fails on them while serialising a resource, after the VPC, the cluster and node pools were
registered: values nested a few hundred levels deep exhaust its recursion, a lone surrogate cannot be
encoded as UTF-8 for gRPC, an integer beyond a double's range cannot become a protobuf number.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from typing import Any

from ackstack_core import constants as C
from components.validation.findings import Finding

_FLOAT_MAX = sys.float_info.max


def _has_surrogate(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _child(path: str, key: Any) -> str:
    return f"{path}[{key}]" if isinstance(key, int) else f"{path}.{key}"


def input_findings(path: str, value: Any) -> Iterator[Finding]:
    """Findings for one top-level config value (`path` is `ackstack:<key>`), walked without recursion."""
    stack: list[tuple[str, Any, int]] = [(path, value, 0)]
    while stack:
        where, node, depth = stack.pop()
        if depth > C.INPUT_MAX_NESTING:
            yield Finding("INP001", "error", where, f"value is nested deeper than {C.INPUT_MAX_NESTING} levels "
                          "(the engine cannot serialise it)")
            continue
        if isinstance(node, str):
            if _has_surrogate(node):
                yield Finding("INP002", "error", where, "text holds a lone surrogate code point; it is not "
                              "Unicode text and cannot be sent to the engine (UTF-8)")
        elif isinstance(node, bool) or node is None:
            continue
        elif isinstance(node, int):
            if abs(node) > _FLOAT_MAX:
                yield Finding("INP003", "error", where, f"number with {len(str(abs(node)))} digits is beyond what the "
                              "engine's wire format holds (an IEEE double, at most ~1.8e308)")
        elif isinstance(node, dict):
            for key, item in node.items():
                key_text = str(key)
                if _has_surrogate(key_text):
                    yield Finding("INP002", "error", where, "a key holds a lone surrogate code point; it is not "
                                  "Unicode text and cannot be sent to the engine (UTF-8)")
                    continue
                stack.append((_child(where, key_text), item, depth + 1))
        elif isinstance(node, list | tuple):
            stack.extend((_child(where, index), item, depth + 1) for index, item in enumerate(node))


def too_deep(path: str) -> Finding:
    """For JSON text the decoder itself could not nest (Python's recursion limit)."""
    return Finding("INP001", "error", path, f"value is nested deeper than {C.INPUT_MAX_NESTING} levels "
                   "(the engine cannot serialise it)")
