"""Go's time.ParseDuration, exactly: the cases are Go's own (golang/go src/time/time_test.go,
parseDurationTests and parseDurationErrorTests), expected values as Go's test states them."""

from __future__ import annotations

import pytest

from ackstack_core.go_duration import GoDurationError, parse_go_duration, parse_go_duration_ns

NS, US, MS, S, M, H = 1, 1_000, 1_000_000, 1_000_000_000, 60_000_000_000, 3_600_000_000_000
MAX, MIN = (1 << 63) - 1, -(1 << 63)

GO_VALID = [
    ("0", 0), ("5s", 5 * S), ("30s", 30 * S), ("1478s", 1478 * S), ("-5s", -5 * S), ("+5s", 5 * S),
    ("-0", 0), ("+0", 0), ("5.0s", 5 * S), ("5.6s", 5 * S + 600 * MS), ("5.s", 5 * S), (".5s", 500 * MS),
    ("1.0s", S), ("1.00s", S), ("1.004s", S + 4 * MS), ("1.0040s", S + 4 * MS), ("100.00100s", 100 * S + MS),
    ("10ns", 10), ("11us", 11 * US), ("12µs", 12 * US), ("12μs", 12 * US), ("13ms", 13 * MS), ("14s", 14 * S),
    ("15m", 15 * M), ("16h", 16 * H), ("3h30m", 3 * H + 30 * M), ("10.5s4m", 4 * M + 10 * S + 500 * MS),
    ("-2m3.4s", -(2 * M + 3 * S + 400 * MS)), ("1h2m3s4ms5us6ns", H + 2 * M + 3 * S + 4 * MS + 5 * US + 6),
    ("39h9m14.425s", 39 * H + 9 * M + 14 * S + 425 * MS), ("52763797000ns", 52763797000),
    ("0.3333333333333333333h", 20 * M), ("9007199254740993ns", (1 << 53) + 1),
    ("9223372036854775807ns", MAX), ("9223372036854775.807us", MAX), ("9223372036s854ms775us807ns", MAX),
    ("-9223372036854775808ns", MIN), ("-9223372036854775.808us", MIN), ("-9223372036s854ms775us808ns", MIN),
    ("-2562047h47m16.854775808s", MIN), ("0.100000000000000000000h", 6 * M),
    ("0.830103483285477580700h", 49 * M + 48 * S + 372539827),
]

GO_INVALID = [
    "", "3", "-", "s", ".", "-.", ".s", "+.s", "1d", "\x85\x85", "\xffff", "hello \xffff world", "\ufffd",
    "\ufffd hello \ufffd world",
    # overflow
    "9223372036854775810ns", "9223372036854775808ns", "-9223372036854775809ns", "9223372036854776us",
    "3000000h", "9223372036854775.808us", "9223372036854ms775us808ns",
]


@pytest.mark.parametrize(("text", "want"), GO_VALID)
def test_go_accepts(text, want):
    assert parse_go_duration_ns(text) == want


@pytest.mark.parametrize("text", GO_INVALID)
def test_go_rejects(text):
    with pytest.raises(GoDurationError):
        parse_go_duration_ns(text)


def test_overflow_boundary_is_2562047h():
    assert parse_go_duration_ns("2562047h47m16.854775807s") == MAX
    assert parse_go_duration_ns("2562047h") == 2562047 * H
    with pytest.raises(GoDurationError, match="2562047h"):
        parse_go_duration_ns("2562048h")


def test_only_ascii_digits_count():
    # U+0661 ARABIC-INDIC DIGIT ONE and U+FF11 FULLWIDTH DIGIT ONE are digits to Python, not to Go
    for text in ("\u0661s", "\uff11s", "1\uff10s", "1h\u0661m"):
        with pytest.raises(GoDurationError):
            parse_go_duration_ns(text)


def test_unit_is_everything_up_to_the_next_digit():
    for text in ("1h 30m", "1 h", "5mins", "1H"):
        with pytest.raises(GoDurationError, match="unit"):
            parse_go_duration_ns(text)


def test_seconds_helper():
    assert parse_go_duration("2h45m") == 9900
    assert parse_go_duration("5m0s") == 300
