"""Pure IPv4 CIDR arithmetic for ACK network planning.

Why: VPC / vSwitch / pod / service CIDRs must be checked for overlap and
capacity before any cloud API call, and these checks must be exact and cheap
to property-test, so they live here with no Pulumi dependency.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable
from ipaddress import IPv4Network

# alicloud_cs_managed_kubernetes `node_cidr_mask` (aliyun/terraform-provider-alicloud,
# website/docs/r/cs_managed_kubernetes.html.markdown): "24 means 2^(32-24)-1=255 and the
# node can run at most 255 pods". So the documented per-node capacity subtracts one
# address. Other IPAMs reserve differently (CNI host-local skips the network, gateway
# and broadcast addresses), hence `reserved` is a parameter.
DEFAULT_NODE_CIDR_RESERVED = 1

NetLike = IPv4Network | str


# Go's net/netip.ParsePrefix (golang/go src/net/netip/netip.go ParsePrefix, parseIPv4Fields; checked against the
# real thing by tests/policies/test_oracle_goparse.py): dotted-decimal IPv4 with ASCII digits, no leading zeros in an
# octet or in the prefix length, nothing around it; no netmask form (`/255.255.0.0`), which Python's
# ipaddress would take.
_OCTET = r"(?:0|[1-9][0-9]{0,2})"
_GO_IPV4_PREFIX = re.compile(rf"({_OCTET}\.{_OCTET}\.{_OCTET}\.{_OCTET})/(0|[1-9][0-9]?)")


def parse_ipv4_network(text: str) -> IPv4Network:
    """Strictly parse an IPv4 CIDR as Go's netip.ParsePrefix does; host bits set or malformed input raise
    ValueError."""
    if not isinstance(text, str):
        raise ValueError(f"expected an IPv4 CIDR string, got {type(text).__name__}")
    if "/" not in text:
        raise ValueError(f"{text!r} is not a CIDR: missing '/prefix' (e.g. 10.0.0.0/16)")
    match = _GO_IPV4_PREFIX.fullmatch(text)
    if match is None or int(match[2]) > 32 or any(int(o) > 255 for o in match[1].split(".")):
        raise ValueError(f"{text!r} is not a valid IPv4 CIDR: dotted decimal `a.b.c.d/n` with n at most 32, "
                         f"no leading zeros, no spaces, no netmask form (Go's netip.ParsePrefix)")
    try:
        return IPv4Network(text, strict=True)
    except ValueError as exc:
        if "has host bits set" in str(exc):
            fixed = IPv4Network(text, strict=False)
            raise ValueError(f"{text!r} has host bits set; did you mean {fixed}?") from None
        raise ValueError(f"{text!r} is not a valid IPv4 CIDR: {exc}") from None


def _net(value: NetLike) -> IPv4Network:
    if isinstance(value, IPv4Network):
        return value
    if isinstance(value, ipaddress.IPv6Network):
        raise ValueError(f"{value} is IPv6; only IPv4 is supported")
    # The math reads what the config model accepted (Python's reading, host bits clear); how a CIDR is spelt
    # (leading zeros, ...) is NET020's finding, so a rule or the capacity model never crashes on the spelling.
    if isinstance(value, str):
        try:
            return parse_ipv4_network(value)
        except ValueError:
            return IPv4Network(value, strict=True)
    return parse_ipv4_network(value)


def usable_vswitch_ips(cidr: NetLike, reserved: int) -> int:
    """Address count minus the `reserved` addresses the caller says the platform keeps (never < 0)."""
    if reserved < 0:
        raise ValueError("reserved must be >= 0")
    return max(_net(cidr).num_addresses - reserved, 0)


def _check_mask(mask: int) -> None:
    if isinstance(mask, bool) or not isinstance(mask, int) or not 0 <= mask <= 32:
        raise ValueError(f"mask must be an int in 0..32, got {mask!r}")


def nodes_in_pod_cidr(pod_cidr: NetLike, node_mask: int) -> int:
    """How many per-node /node_mask blocks fit in pod_cidr (0 if node_mask < prefix)."""
    _check_mask(node_mask)
    prefix = _net(pod_cidr).prefixlen
    return 0 if node_mask < prefix else 2 ** (node_mask - prefix)


def pod_ips_per_node(node_mask: int, reserved: int = DEFAULT_NODE_CIDR_RESERVED) -> int:
    """Pod IPs in a node's /node_mask block: 2^(32-mask) - reserved (ACK docs: /24 -> 255)."""
    _check_mask(node_mask)
    if reserved < 0:
        raise ValueError("reserved must be >= 0")
    return max(2 ** (32 - node_mask) - reserved, 0)


def overlaps(a: NetLike, b: NetLike) -> bool:
    """True if the two networks share at least one address."""
    return _net(a).overlaps(_net(b))


def within(inner: NetLike, outer: NetLike) -> bool:
    """True if every address of `inner` is in `outer` (equal networks count)."""
    return _net(inner).subnet_of(_net(outer))


def within_any(net: NetLike, ranges: Iterable[NetLike]) -> bool:
    """True if `net` lies entirely inside one of `ranges`."""
    n = _net(net)
    return any(n.subnet_of(_net(r)) for r in ranges)

