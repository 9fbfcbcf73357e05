"""Make the pack's cost per resource independent of how many policies it has.

pulumi_policy 1.21 (`policy.py`) converts the request's properties again for every policy: protobuf to
dict (`json_format.MessageToDict`), the SDK's unwrapping (`deserialize_properties`) and the unknown-checking
view (`unknown_checking_proxy`), for the resource and for its provider. `Analyze` does it once per resource
policy (23, most not about the resource's type) and `AnalyzeStack` once per stack policy for every resource
(6 x 2,303 resources at 1,000 PodNetworkings): most of the pack's time (issue #24 §6). The conversions are
pure and the request is immutable, so a result is reused while the same input is being analysed: the last
few per server thread, and every one of the request during an `AnalyzeStack` call (dropped when it returns).
The policies share the views; the pack's own wrappers copy a view once (`_common.plain_props`) and the
checks only read that copy. Installed only when the SDK has the layout this was written against; otherwise
the pack runs unchanged, just slower.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator
from typing import Any

from google.protobuf import json_format as _json_format

_RECENT = 4


class _Conversions:
    """Per server thread: the last few results of each conversion, or all of them while one whole request is
    analysed. Keyed by the input's identity; holding the input keeps that identity unique."""

    def __init__(self) -> None:
        self._local = threading.local()

    def memoized(self, convert: Callable[[Any], Any]) -> Callable[..., Any]:
        def call(value, *args, **kwargs):
            return self._lookup(convert, value) if not (args or kwargs) else convert(value, *args, **kwargs)

        return call

    def _lookup(self, convert: Callable[[Any], Any], value: Any) -> Any:
        request = getattr(self._local, "request", None)
        if request is not None:
            found = request.get((convert, id(value)))
            if found is None or found[0] is not value:
                found = request[(convert, id(value))] = (value, convert(value))
            return found[1]
        recent = getattr(self._local, "recent", None)
        if recent is None:
            recent = self._local.recent = {}
        mine = recent.setdefault(convert, [])
        for seen, converted in mine:
            if seen is value:
                return converted
        converted = convert(value)
        # A request's properties and its provider's alternate.
        mine.insert(0, (value, converted))
        del mine[_RECENT:]
        return converted

    @contextlib.contextmanager
    def whole_request(self) -> Iterator[None]:
        """Every input converted in this thread until the block ends is converted once."""
        self._local.request = {}
        try:
            yield
        finally:
            self._local.request = None


class _MemoJsonFormat:
    """Stands in for the `json_format` module inside pulumi_policy.policy only."""

    def __init__(self, conversions: _Conversions) -> None:
        self.conversions = conversions
        self.MessageToDict = conversions.memoized(_json_format.MessageToDict)

    def __getattr__(self, name: str):
        return getattr(_json_format, name)


def install() -> bool:
    try:
        import pulumi_policy.deserialize as deserialize
        import pulumi_policy.policy as sdk
        import pulumi_policy.proxy as proxy
    except ImportError:
        return False
    servicer = getattr(sdk, "_PolicyAnalyzerServicer", None)
    if (getattr(sdk, "json_format", None) is not _json_format
            or getattr(sdk, "deserialize_properties", None) is not deserialize.deserialize_properties
            or getattr(sdk, "unknown_checking_proxy", None) is not proxy.unknown_checking_proxy
            or not callable(getattr(servicer, "AnalyzeStack", None))):
        return False
    conversions = _Conversions()
    sdk.json_format = _MemoJsonFormat(conversions)
    sdk.deserialize_properties = conversions.memoized(deserialize.deserialize_properties)
    sdk.unknown_checking_proxy = conversions.memoized(proxy.unknown_checking_proxy)
    analyze_stack = servicer.AnalyzeStack

    def AnalyzeStack(self, request, context):  # noqa: N802 - the servicer's method name
        with conversions.whole_request():
            return analyze_stack(self, request, context)

    servicer.AnalyzeStack = AnalyzeStack
    return True
