"""Security-group rule field validity, shared by the engine's provider Check and the validation rules.

Pure (no pydantic, no Pulumi): the policy pack may import it when `policies/` is copied alone.
"""

from __future__ import annotations

import ipaddress

from ackstack_core import constants as C


def port_range_problem(protocol: str, port_range: str) -> str | None:
    """Why ECS / the provider refuse `port_range` for `protocol`, or None when they accept it."""
    if protocol not in C.SG_PORTED_PROTOCOLS:
        if port_range != C.SG_ALL_PORT_RANGE:
            return (f"protocol `{protocol}` takes only port range {C.SG_ALL_PORT_RANGE}, not `{port_range}` "
                    "(terraform-provider-alicloud resource_alicloud_security_group_rule.go:215-216)")
        return None
    if port_range == C.SG_ALL_PORT_RANGE:
        return (f"protocol `{protocol}` needs a port range inside [{C.SG_PORT_MIN}, {C.SG_PORT_MAX}], not "
                f"{C.SG_ALL_PORT_RANGE} (resource_alicloud_security_group_rule.go:212-213)")
    start, sep, end = port_range.partition("/")
    if not sep or not start.isdigit() or not end.isdigit():
        return f"port range `{port_range}` is not `<from>/<to>`"
    low, high = int(start), int(end)
    if not C.SG_PORT_MIN <= low <= C.SG_PORT_MAX or not C.SG_PORT_MIN <= high <= C.SG_PORT_MAX:
        return (f"port range `{port_range}` leaves [{C.SG_PORT_MIN}, {C.SG_PORT_MAX}] "
                "(ECS AuthorizeSecurityGroup PortRange)")
    if low > high:
        return f"port range `{port_range}` starts after it ends"
    return None


def cidr_problem(cidr: str) -> str | None:
    """Why `cidr` is not an IPv4 CIDR block ECS accepts as a rule's source or destination."""
    try:
        ipaddress.IPv4Network(cidr, strict=False)
    except (ValueError, TypeError):
        return f"`{cidr}` is not an IPv4 CIDR block or address"
    return None
