"""Go's `time.ParseDuration`, to the nanosecond, so ackstack accepts exactly what Terway accepts.

Terway parses `allocationType.releaseAfter` with Go's parser in its validating webhook
(AliyunContainerService/terway v1.17.5 pkg/controller/webhook/validate.go:58) and again in the
pod-ENI GC (pkg/controller/pod-eni/eni_controller.go:626). Go's grammar (golang/go
src/time/format.go, ParseDuration, leadingInt, leadingFraction; behaviour pinned by
src/time/time_test.go parseDurationTests / parseDurationErrorTests) works on bytes: only ASCII
digits count, a unit is every byte up to the next digit or `.`, and the total is an int64 of
nanoseconds, so anything past 2562047h47m16.854775807s overflows. Written from those facts, not
translated from Go's code.
"""

from __future__ import annotations

NANOSECONDS_MAX = (1 << 63) - 1
# Source: golang/go src/time/format.go unitMap (ns, us, µs U+00B5, μs U+03BC, ms, s, m, h)
_UNITS: dict[bytes, int] = {
    b"ns": 1,
    b"us": 1_000,
    "µs".encode(): 1_000,
    "μs".encode(): 1_000,
    b"ms": 1_000_000,
    b"s": 1_000_000_000,
    b"m": 60 * 1_000_000_000,
    b"h": 3600 * 1_000_000_000,
}
_DIGITS = frozenset(b"0123456789")


class GoDurationError(ValueError):
    """The text is not something Go's `time.ParseDuration` accepts; the message says why."""


def _leading_int(data: bytes, pos: int) -> tuple[int, int]:
    value = 0
    while pos < len(data) and data[pos] in _DIGITS:
        if value > (1 << 63) // 10:
            raise OverflowError
        value = value * 10 + data[pos] - 48
        if value > 1 << 63:
            raise OverflowError
        pos += 1
    return value, pos


def _leading_fraction(data: bytes, pos: int) -> tuple[int, float, int]:
    value, scale, overflow = 0, 1.0, False
    while pos < len(data) and data[pos] in _DIGITS:
        if not overflow:
            if value > NANOSECONDS_MAX // 10:
                overflow = True
            else:
                candidate = value * 10 + data[pos] - 48
                if candidate > 1 << 63:
                    overflow = True
                else:
                    value, scale = candidate, scale * 10
        pos += 1
    return value, scale, pos


def parse_go_duration_ns(text: str) -> int:
    """Nanoseconds in `text`, or GoDurationError exactly where Go returns an error."""
    data = text.encode("utf-8", "surrogateescape")
    pos, negative = 0, False
    if data[:1] in (b"-", b"+"):
        negative = data[:1] == b"-"
        pos = 1
    if data[pos:] == b"0":
        return 0
    if pos == len(data):
        raise GoDurationError(f"invalid duration {text!r}")
    total = 0
    try:
        while pos < len(data):
            if not (data[pos] == 46 or data[pos] in _DIGITS):
                raise GoDurationError(f"invalid duration {text!r}")
            start = pos
            whole, pos = _leading_int(data, pos)
            has_whole = pos != start
            fraction, scale, has_fraction = 0, 1.0, False
            if pos < len(data) and data[pos] == 46:
                start = pos + 1
                fraction, scale, pos = _leading_fraction(data, start)
                has_fraction = pos != start
            if not has_whole and not has_fraction:
                raise GoDurationError(f"invalid duration {text!r}")
            start = pos
            while pos < len(data) and not (data[pos] == 46 or data[pos] in _DIGITS):
                pos += 1
            if pos == start:
                raise GoDurationError(f"missing unit in duration {text!r}")
            unit = _UNITS.get(data[start:pos])
            if unit is None:
                raise GoDurationError(f"unknown unit {data[start:pos].decode('utf-8', 'replace')!r} in duration "
                                      f"{text!r} (Go units: ns, us, µs, ms, s, m, h)")
            if whole > (1 << 63) // unit:
                raise OverflowError
            whole *= unit
            if fraction > 0:
                whole += int(float(fraction) * (float(unit) / scale))
                if whole > 1 << 63:
                    raise OverflowError
            total += whole
            if total > 1 << 63:
                raise OverflowError
    except OverflowError:
        raise GoDurationError(f"invalid duration {text!r}: past Go's int64 nanoseconds "
                              f"(at most 2562047h47m16.854775807s)") from None
    if negative:
        return -total
    if total > NANOSECONDS_MAX:
        raise GoDurationError(f"invalid duration {text!r}: past Go's int64 nanoseconds "
                              f"(at most 2562047h47m16.854775807s)")
    return total


def parse_go_duration(text: str) -> float:
    """Seconds in a Go duration string (`2h45m`, `5m0s`, `1.5h`); GoDurationError (a ValueError) otherwise."""
    return parse_go_duration_ns(text) / 1e9
