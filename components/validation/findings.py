"""The one finding format shared by config parsing, validation rules, the policy pack and the preview."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from typing import Literal

import pulumi

Level = Literal["error", "warning"]
CONFIG_NAMESPACE = "ackstack"
_LINE = re.compile(r"^(ERROR|WARNING)\s+(\S+)\s+(\S+): (.*)$", re.S)


@dataclass(frozen=True)
class Finding:
    rule: str
    level: Level
    path: str
    message: str
    source: str = "validation"
    urn: str = ""

    def as_dict(self) -> dict:
        return asdict(self)

    def line(self) -> str:
        """How the program logs a finding (`pulumi.log.warn`); `from_line` reads it back."""
        where = self.path or self.urn or "stack"
        return f"{self.level.upper():7} {self.rule}  {where}: {self.message}"

    @classmethod
    def from_line(cls, text: str) -> Finding | None:
        match = _LINE.match(text)
        if match is None:
            return None
        where = "" if match[3] == "stack" else match[3]
        return cls(match[2], match[1].lower(), where, match[4])


@dataclass(frozen=True)
class RuleInfo:
    """Catalog metadata; `source` says where the limit comes from."""

    id: str
    level: Level
    title: str
    why: str
    source: str


def rule(id: str, level: Level, title: str, why: str, source: str) -> Callable:
    """Attach catalog metadata to a rule function (no registration: the catalog lists rules explicitly)."""

    def wrap(fn: Callable) -> Callable:
        fn.info = RuleInfo(id, level, title, why, source)
        return fn

    return wrap


def config_path(*parts: str | int) -> str:
    """`config_path("cluster", "nodePools", 1, "zones")` -> `ackstack:cluster.nodePools[1].zones`."""
    text = ""
    for part in parts:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else part
    return f"{CONFIG_NAMESPACE}:{text}"


class ValidationFailed(pulumi.RunError):
    """Raised before any resource is registered; RunError so the CLI prints it without a traceback."""

    def __init__(self, findings: Iterable[Finding]):
        self.findings = [f for f in findings]
        errors = [f for f in self.findings if f.level == "error"]
        lines = [f"ackstack: {len(errors)} configuration error(s); nothing was registered."]
        lines += [f.line() for f in self.findings]
        super().__init__("\n".join(lines))


def has_errors(findings: Iterable[Finding]) -> bool:
    return any(f.level == "error" for f in findings)
