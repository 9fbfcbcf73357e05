"""Make the pack's cost per resource independent of how many policies it has.

pulumi_policy 1.21 (`policy.py`, `Analyze`) converts the request's protobuf properties to a dict
again for every policy. The conversion is pure and the request is immutable, so the last result is
kept per server thread and reused while the same message is being analysed. Installed only when the
SDK has the layout this was written against; otherwise the pack runs unchanged, just slower.
"""

from __future__ import annotations

import threading

from google.protobuf import json_format as _json_format

_RECENT = 4


class _MemoJsonFormat:
    """Stands in for the `json_format` module inside pulumi_policy.policy only."""

    def __init__(self) -> None:
        self._local = threading.local()

    def MessageToDict(self, message, *args, **kwargs):  # noqa: N802 - mirrors protobuf's name
        if args or kwargs:
            return _json_format.MessageToDict(message, *args, **kwargs)
        recent = getattr(self._local, "recent", None)
        if recent is None:
            recent = self._local.recent = []
        for seen, converted in recent:
            if seen is message:
                return converted  # pulumi_policy only reads it (deserialize_properties builds new objects)
        converted = _json_format.MessageToDict(message)
        # A request's properties and its provider's alternate; holding the messages keeps identities unique.
        recent.insert(0, (message, converted))
        del recent[_RECENT:]
        return converted

    def __getattr__(self, name: str):
        return getattr(_json_format, name)


def install() -> bool:
    try:
        import pulumi_policy.policy as sdk
    except ImportError:
        return False
    if getattr(sdk, "json_format", None) is not _json_format:
        return False
    sdk.json_format = _MemoJsonFormat()
    return True
