"""Per-release facts of the official Cilium chart (key paths, JSON types, images) and the pure checks over them.

The facts are generated data, one JSON file a release in `cilium_charts/` (header field `source` names
the chart package and its sha256; generator: tools/cilium_chart_facts.py). Stdlib only, so the
policy pack can use it when `policies/` is copied alone.
"""

from __future__ import annotations

import difflib
import functools
import ipaddress
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ackstack_core import constants as C
from ackstack_core.versions import parse_version

FACTS_DIR = Path(__file__).resolve().parent / "cilium_charts"

_JSON_TYPES = {bool: ("boolean",), int: ("integer", "number"), float: ("number",), str: ("string",),
               list: ("array",), dict: ("object",), type(None): ("null",)}


@dataclass(frozen=True)
class ChartFacts:
    """What one chart release accepts: every key path (with its schema type, "" if untyped), free-form maps,
    enums, keys documented only in comments, and image paths with their default repository."""

    version: str
    sha256: str
    paths: dict[str, str]
    maps: frozenset[str]
    enums: dict[str, list]
    commented: frozenset[str]
    images: dict[str, str]
    templates: frozenset[str] = frozenset()  # read by the templates, absent from values.yaml and the schema


def facts_file(version: str) -> Path:
    return FACTS_DIR / f"cilium-{version}.json"


@functools.cache
def load(version: str) -> ChartFacts | None:
    path = facts_file(version)
    if not path.exists():
        return None
    raw = json.loads(path.read_text(encoding="utf-8"))
    return ChartFacts(raw["version"], raw["sha256"], raw["paths"], frozenset(raw["maps"]), raw["enums"],
                      frozenset(raw["commented"]), raw["images"], frozenset(raw.get("templates", ())))


def release_line(version: str) -> tuple[int, int] | None:
    parsed = parse_version(version)
    return parsed.line if parsed else None


def release_record(version: str) -> C.CiliumReleaseLine | None:
    """The record of `version`'s release line; a line ackstack does not know gets its nearest known neighbour
    (older than the oldest: the oldest, newer than the newest: the newest); None when `version` is no version."""
    line = release_line(version)
    if line is None:
        return None
    known = {r.line: r for r in C.CILIUM_RELEASE_LINES}
    if line in known:
        return known[line]
    return known[max(known)] if line > max(known) else known[min(known)]


def facts_for(version: str) -> tuple[ChartFacts | None, bool]:
    """(facts, exact): the release's own facts, else the newest known patch of its release line."""
    exact = load(version)
    if exact is not None:
        return exact, True
    line = release_line(version)
    same_line = [v for v in C.CILIUM_CHART_FACTS_VERSIONS if release_line(v) == line]
    return (load(same_line[-1]), False) if same_line else (None, False)


def _extra_types() -> dict[str, str]:
    return {f"ipMasqAgent.config.{key}": kind for key, kind in C.CILIUM_IP_MASQ_AGENT_CONFIG_TYPES.items()}


def _known(facts: ChartFacts, path: str) -> bool:
    if path in facts.paths or path in facts.commented or path in facts.templates or path in _extra_types():
        return True
    if any(p.startswith(path + ".") for p in (*facts.commented, *facts.templates, *_extra_types())):
        return True  # the parent of a comment-only key (`ipMasqAgent.config`)
    parts = path.split(".")
    return any(".".join(parts[:n]) in facts.maps for n in range(1, len(parts)))


def closest_key(facts: ChartFacts, path: str) -> str | None:
    """The real key nearest to a mistyped one, preferring siblings (`ipMasqAgent.enable` -> `.enabled`)."""
    parent = path.rsplit(".", 1)[0] if "." in path else ""
    candidates = [*facts.paths, *facts.commented, *facts.templates, *_extra_types()]
    siblings = [p for p in candidates if (p.rsplit(".", 1)[0] if "." in p else "") == parent]
    for pool in (siblings, candidates):
        match = difflib.get_close_matches(path, pool, n=1, cutoff=0.6)
        if match:
            return match[0]
    return None


def unknown_paths(values: dict, facts: ChartFacts, prefix: str = "") -> list[str]:
    """Key paths of `values` the chart does not have (the first unknown level of each branch)."""
    unknown: list[str] = []
    for key, value in values.items():
        path = f"{prefix}.{key}" if prefix else str(key)
        if not _known(facts, path):
            unknown.append(path)
        elif isinstance(value, dict) and value and path not in facts.maps:
            unknown.extend(unknown_paths(value, facts, path))
    return unknown


def json_type_ok(value: Any, declared: str) -> bool:
    kinds = _JSON_TYPES.get(type(value), ())
    if isinstance(value, float) and value.is_integer():
        kinds = ("integer", "number")
    return any(kind in declared.split("|") for kind in kinds)


def type_problems(values: dict, facts: ChartFacts, prefix: str = "") -> list[tuple[str, Any, str]]:
    """(path, value, expected) for every value whose JSON type or enum the chart's schema rejects.

    `null` is skipped: Helm deletes a key set to null before it checks the schema.
    """
    problems: list[tuple[str, Any, str]] = []
    extra = _extra_types()
    for key, value in values.items():
        path = f"{prefix}.{key}" if prefix else str(key)
        declared = facts.paths.get(path) or extra.get(path, "")
        if value is None:
            continue
        if declared and not json_type_ok(value, declared):
            problems.append((path, value, declared.replace("|", " or ")))
        elif path in facts.enums and value not in facts.enums[path]:
            problems.append((path, value, "one of " + ", ".join(map(json.dumps, facts.enums[path]))))
        elif isinstance(value, dict) and path not in facts.maps:
            problems.extend(type_problems(value, facts, path))
    return problems


_BITS = re.compile(r"^(0|[1-9][0-9]*)$")


def go_prefix_error(text: Any) -> str | None:
    """Why Go's `netip.ParsePrefix` would reject `text` (None if it parses): no spaces, an address
    without zone or leading zeros, a decimal prefix length without leading zeros, in range."""
    if not isinstance(text, str):
        return f"{text!r} is not a string"
    address, slash, bits = text.partition("/")
    if not slash:
        return f"{text!r} has no '/<prefix length>'"
    if "%" in address:
        return f"{text!r} has a zone, which a prefix cannot have"
    try:
        parsed = ipaddress.ip_address(address)  # rejects spaces and IPv4 leading zeros, like netip
    except ValueError:
        return f"{text!r}: {address!r} is not an IP address"
    if not _BITS.match(bits):
        return f"{text!r}: prefix length {bits!r} is not a decimal number without spaces or leading zeros"
    if int(bits) > parsed.max_prefixlen:
        return f"{text!r}: prefix length {bits} exceeds {parsed.max_prefixlen}"
    return None
