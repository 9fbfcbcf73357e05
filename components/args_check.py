"""Turning rule findings about a component's Args into one `pulumi.InputPropertiesError`.

A component used on its own (from Python or through the component provider) gets the same rule ids and
reasons the program reports for the stack file, with the property path in its Args (`vswitches[1].cidr`)
instead of the stack-file path, before it registers anything.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import pulumi


@dataclass(frozen=True)
class ArgsProblem:
    rule: str
    property_path: str
    reason: str


def known(value: Any) -> bool:
    """A value the checks can read now: plain, not an Output (ids of other resources usually are Outputs)."""
    return value is not None and not isinstance(value, pulumi.Output)


def raise_for(component: str, name: str, problems: Iterable[ArgsProblem]) -> None:
    """One InputPropertiesError listing every problem, or nothing."""
    found = list(problems)
    if not found:
        return
    lines = [f"{component} {name!r}: {len(found)} invalid input(s); nothing was registered."]
    lines += [f"  {p.rule} {p.property_path}: {p.reason}" for p in found]
    raise pulumi.InputPropertiesError(
        "\n".join(lines),
        [{"property_path": p.property_path, "reason": f"{p.rule}: {p.reason}"} for p in found],
    )


def path(*parts: str | int) -> str:
    """`path("vswitches", 1, "cidr")` -> `vswitches[1].cidr` (the Args' Python names)."""
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text
