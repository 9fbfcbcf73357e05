"""Tests for CIDR arithmetic."""

from __future__ import annotations

from ipaddress import IPv4Address, IPv4Network

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from components.netmath import (
    DEFAULT_NODE_CIDR_RESERVED,
    nodes_in_pod_cidr,
    overlaps,
    parse_ipv4_network,
    pod_ips_per_node,
    usable_vswitch_ips,
    within,
    within_any,
)

FAST = settings(max_examples=200, deadline=None, derandomize=True)


@st.composite
def networks(draw, min_prefix: int = 0, max_prefix: int = 32):
    prefix = draw(st.integers(min_prefix, max_prefix))
    addr = draw(st.integers(0, 2**32 - 1))
    return IPv4Network((addr, prefix), strict=False)


# --------------------------------------------------------------------------- parsing


def test_parse_ok():
    assert parse_ipv4_network("10.0.0.0/8") == IPv4Network("10.0.0.0/8")
    assert parse_ipv4_network("192.168.0.0/16") == IPv4Network("192.168.0.0/16")


@pytest.mark.parametrize("text", [" 192.168.0.0/16 ", "10.0.0.0/08", "10.0.0.0/255.0.0.0", "010.0.0.0/8"])
def test_parse_refuses_what_go_netip_refuses(text):
    """Go's netip.ParsePrefix refuses these (tests/policies/test_oracle_goparse.py checks the parser against it)."""
    with pytest.raises(ValueError, match="not a valid IPv4 CIDR"):
        parse_ipv4_network(text)


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("10.0.0.1/8", "host bits set; did you mean 10.0.0.0/8"),
        ("10.0.0.0", "missing '/prefix'"),
        ("10.0.0.0/33", "not a valid IPv4 CIDR"),
        ("300.0.0.0/8", "not a valid IPv4 CIDR"),
        ("fd00::/8", "not a valid IPv4 CIDR"),
        ("", "missing '/prefix'"),
        ("abc/def", "not a valid IPv4 CIDR"),
    ],
)
def test_parse_errors(text, fragment):
    with pytest.raises(ValueError) as info:
        parse_ipv4_network(text)
    assert fragment in str(info.value)


def test_parse_rejects_non_string():
    with pytest.raises(ValueError):
        parse_ipv4_network(None)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- capacity


def test_capacity_examples():
    assert usable_vswitch_ips("10.0.0.0/24", 4) == 252
    assert usable_vswitch_ips("10.0.0.0/30", 8) == 0
    assert nodes_in_pod_cidr("172.16.0.0/16", 24) == 256
    assert nodes_in_pod_cidr("172.16.0.0/16", 16) == 1
    assert nodes_in_pod_cidr("172.16.0.0/16", 15) == 0
    # ACK doc: node_cidr_mask 24 -> 2^(32-24)-1 = 255 pods.
    assert DEFAULT_NODE_CIDR_RESERVED == 1
    assert pod_ips_per_node(24) == 255
    assert pod_ips_per_node(26) == 63
    assert pod_ips_per_node(24, reserved=3) == 253
    assert pod_ips_per_node(32, reserved=3) == 0


@pytest.mark.parametrize("mask", [-1, 33, "24", True, 24.0])
def test_bad_masks(mask):
    with pytest.raises(ValueError):
        nodes_in_pod_cidr("10.0.0.0/8", mask)
    with pytest.raises(ValueError):
        pod_ips_per_node(mask)


def test_negative_reserved():
    with pytest.raises(ValueError):
        usable_vswitch_ips("10.0.0.0/24", -1)
    with pytest.raises(ValueError):
        pod_ips_per_node(24, reserved=-1)


@FAST
@given(networks(), st.integers(0, 32))
def test_node_blocks_tile_pod_cidr(net, mask):
    n = nodes_in_pod_cidr(net, mask)
    if mask >= net.prefixlen:
        assert n * 2 ** (32 - mask) == net.num_addresses
        if n <= 4096:
            assert n == len(list(net.subnets(new_prefix=mask)))
    else:
        assert n == 0


@FAST
@given(st.integers(0, 31), st.integers(0, 8))
def test_pod_ips_per_node_matches_formula(mask, reserved):
    assert pod_ips_per_node(mask, reserved) == max(2 ** (32 - mask) - reserved, 0)
    # A bigger block never holds fewer pods.
    assert pod_ips_per_node(mask, reserved) >= pod_ips_per_node(mask + 1, reserved)


@FAST
@given(networks(), st.integers(0, 16), st.integers(0, 16))
def test_usable_ips_monotonic(net, r1, r2):
    lo, hi = sorted((r1, r2))
    assert usable_vswitch_ips(net, lo) >= usable_vswitch_ips(net, hi) >= 0
    assert usable_vswitch_ips(net, 0) == net.num_addresses
    if net.prefixlen > 0:
        assert usable_vswitch_ips(net.supernet(), lo) >= usable_vswitch_ips(net, lo)


# --------------------------------------------------------------------------- relations


def test_relation_examples():
    assert overlaps("10.0.0.0/8", "10.1.0.0/16")
    assert not overlaps("10.0.0.0/16", "10.1.0.0/16")
    assert within("10.1.0.0/16", "10.0.0.0/8")
    assert within("10.0.0.0/8", "10.0.0.0/8")
    assert not within("10.0.0.0/8", "10.1.0.0/16")
    assert within_any("192.168.1.0/24", ["10.0.0.0/8", "192.168.0.0/16"])
    assert not within_any("192.168.0.0/15", ["192.168.0.0/16", "192.169.0.0/16"])
    assert not within_any("10.0.0.0/8", [])


def test_relations_reject_bad_input():
    with pytest.raises(ValueError):
        overlaps("10.0.0.1/8", "10.0.0.0/8")
    with pytest.raises(ValueError):
        within("10.0.0.0/8", "fd00::/8")


@FAST
@given(networks(8), networks(8))
def test_overlaps_symmetric_and_consistent(a, b):
    assert overlaps(a, b) == overlaps(b, a) == a.overlaps(b)
    # CIDR blocks either nest or are disjoint.
    assert overlaps(a, b) == (within(a, b) or within(b, a))
    first = IPv4Address(max(int(a.network_address), int(b.network_address)))
    assert overlaps(a, b) == (first in a and first in b)


@FAST
@given(networks(), networks())
def test_within_is_subset(inner, outer):
    expect = int(outer.network_address) <= int(inner.network_address) and int(inner.broadcast_address) <= int(
        outer.broadcast_address
    )
    assert within(inner, outer) == expect
    assert within(inner, outer) <= overlaps(inner, outer)
    assert within_any(inner, [outer]) == expect


@FAST
@given(networks(8), st.lists(networks(8), max_size=5))
def test_within_any_matches_subnet_of_any(net, others):
    assert within_any(net, others) == any(net.subnet_of(o) for o in others)
    # Strings and networks are interchangeable.
    assert within_any(str(net), [str(o) for o in others]) == within_any(net, others)
