"""Property tests for the capacity arithmetic (CIDR sizes, utilisation, route quota)."""

from __future__ import annotations

import ipaddress

from hypothesis import given, settings
from hypothesis import strategies as st

from ackstack.engine.testing import DELETE, plan_for, stack_config, with_value
from ackstack_core import constants as C
from components import netmath
from components.capacity import RouteCapacity, capacity_model

FAST = settings(derandomize=True, max_examples=40, deadline=None)
POOL = "ackstack:cluster.nodePools[0]"
DEV = with_value(with_value(stack_config("dev"), f"{POOL}.minSize", 0), f"{POOL}.desiredSize", DELETE)
STAGING = stack_config("staging")


@FAST
@given(prefix=st.integers(C.VSWITCH_MIN_PREFIX, C.VSWITCH_MAX_PREFIX))
def test_usable_is_size_minus_reserved(prefix):
    cidr = str(ipaddress.IPv4Network(f"10.0.0.0/{prefix}"))
    assert netmath.usable_vswitch_ips(cidr, C.VSWITCH_RESERVED_IPS) == 2 ** (32 - prefix) - 4


@FAST
@given(small=st.integers(0, 400), extra=st.integers(0, 400))
def test_utilisation_monotone_in_nodes(small, extra):
    def utils(size):
        model = capacity_model(plan_for(with_value(DEV, f"{POOL}.maxSize", size)))
        return {v.key: v.utilization for v in model.vswitches}, {g.key: g.members for g in model.groups}

    (u1, g1), (u2, g2) = utils(small), utils(small + extra)
    assert all(u1[k] <= u2[k] for k in u1) and all(g1[k] <= g2[k] for k in g1)
    assert u1["pod-h"] == small * 45 / (8192 - 4)


@FAST
@given(prefix=st.integers(8, 24), data=st.data())
def test_pod_cidr_node_capacity(prefix, data):
    mask = data.draw(st.integers(max(prefix, C.NODE_CIDR_MASK_MIN), C.NODE_CIDR_MASK_MAX))
    cfg = with_value(STAGING, "ackstack:cni.podCidr", f"10.0.0.0/{prefix}")
    cfg = with_value(cfg, "ackstack:cni.nodeCidrMask", mask)
    pc = capacity_model(plan_for(cfg)).pod_cidr
    assert pc.nodes_capacity == 2 ** (mask - prefix)
    assert pc.ips_per_node == 2 ** (32 - mask) - 4  # Cilium: network, broadcast, router and health IPs
    # every node CIDR fits exactly: capacity x block size == pod CIDR size
    assert pc.nodes_capacity * 2 ** (32 - mask) == 2 ** (32 - prefix)


@FAST
@given(nodes=st.integers(0, 2000), other=st.integers(0, 300), quota=st.integers(1, 1000))
def test_route_capacity(nodes, other, quota):
    rt = RouteCapacity(nodes, other, quota)
    assert (rt.failing_route is None) == (nodes + other <= quota)
    if rt.failing_node is not None:
        assert rt.failing_node + other == quota + 1 and 1 <= rt.failing_node <= nodes
    elif rt.failing_route is not None:
        assert other > quota
