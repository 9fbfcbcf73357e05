"""The one error for input the preview cannot read (exit 2): a missing or foreign stack file, inventory,
`--compare` base or policy-pack config. It sits with the readers so that every command that reads input
raises it without importing another command's module."""

from __future__ import annotations


class InputError(Exception):
    """Input that cannot be read (exit 2)."""
