"""Boundaries and secondary branches no other test pins (issue #25): each test names the mutant it kills.

Expected values are written by hand from the upstream source each test cites, never computed by the code
under test.
"""

from __future__ import annotations

import json

import pytest

from ackstack.engine.testing import findings_for, plan_for, stack_config, with_value
from ackstack_core import terway_webhook as W
from components.capacity import capacity_model, capacity_report

PN = "ackstack:podNetworkings[0]"


def only(findings, rule):
    return [f for f in findings if f.rule == rule]


# ---------------------------------------------------------------- Terway release lines
# (version, security groups the validating webhook admits, selector-less eniType Trunk spec admitted with the
# default enableWebhookInjectResource). Read at AliyunContainerService/terway:
#   v1.10.0 / v1.11.0 / v1.12.1 pkg/controller/webhook/validate.go:37-55 (5 groups, every selector-less spec denied);
#   v1.13.7 validate.go:38-67 (10 groups; selector-less only with eniType Default);
#   v1.16.1 validate.go:39-68 (selector check skipped while enableWebhookInjectResource is true).
LINE_EDGES = [
    ("v1.13.6", 5, False), ("v1.13.7", 10, False), ("1.13.7", 10, False),
    ("v1.16.0", 10, False), ("v1.16.1", 10, True), ("v1.16.1-rc.1", 10, True),
]


@pytest.mark.parametrize(("version", "groups", "selectorless_admitted"), LINE_EDGES)
def test_a_line_starts_at_its_first_version(version, groups, selectorless_admitted):
    """Kills `parsed >= line.first` -> `>` in rules_for: the first version of a line gets that line's rules."""
    base = {"selector": {"podSelector": {}}, "vSwitchOptions": ["vsw-1"]}
    at_limit = {**base, "securityGroupIDs": [f"sg-{i}" for i in range(groups)]}
    over = {**base, "securityGroupIDs": [f"sg-{i}" for i in range(groups + 1)]}
    assert W.admission_denial(at_limit, version) is None
    assert W.admission_denial(over, version) == f"security group can not more than {groups}"
    selectorless = {**base, "selector": {}, "securityGroupIDs": ["sg-1"], "eniOptions": {"eniType": "Trunk"}}
    assert (W.admission_denial(selectorless, version) is None) is selectorless_admitted


@pytest.mark.parametrize(("version", "tag"), [("v1.10.9", "v1.10.0"), ("v1.11.0", "v1.12.1"), ("v1.13.6", "v1.12.1")])
def test_the_v1_11_line_starts_at_v1_11_0(version, tag):
    """v1.10.x and v1.11.0-v1.13.6 admit the same specs (validate.go:37-55 is the same file); only the CRD differs
    (eniOptions from v1.11.0), so the daemon's message naming the line's tag is what shows the line."""
    conf = {"security_groups": [f"sg-{i}" for i in range(6)]}
    assert W.eni_conf_problems(conf, version) == [
        ("security_groups", f"security groups should not be more than 5, current 6 (Terway {tag} and its line)")]


@pytest.mark.parametrize(("version", "limit"), [("v1.12.1", 5), ("v1.17.5", 10)])
def test_eni_conf_at_exactly_its_security_group_limit(version, limit):
    """types/daemon/config.go Validate (`len(SecurityGroupIDs) > N`, :102-113 at v1.12.1, :139-151 at v1.17.5) and
    dynamicconfig.go:62-65 admit exactly N; kills `>` -> `>=` in eni_conf_problems / eni_conf_controlplane."""
    at_limit = {"security_groups": [f"sg-{i}" for i in range(limit)]}
    over = {"security_groups": [f"sg-{i}" for i in range(limit + 1)]}
    assert W.eni_conf_problems(at_limit, version) == []
    assert W.eni_conf_controlplane(json.dumps(at_limit), version)[1] is None
    assert [key for key, _ in W.eni_conf_problems(over, version)] == ["security_groups"]
    assert W.eni_conf_controlplane(json.dumps(over), version) == (
        None, f"security groups should not be more than 5, current {limit + 1}")


# ---------------------------------------------------------------- capacity: member ENIs by zone
def _two_single_zone_pools(pn_vswitches: list[str]):
    """dev with its pool split into `general-h` (zone h) and `general-i` (zone i), both g7.xlarge at maxSize 4,
    and the mysql PodNetworking on `pn_vswitches`."""
    cfg = stack_config("dev")
    pool = cfg["ackstack:cluster"]["nodePools"][0]
    pool.update(instanceTypes=["ecs.g7.xlarge"], zones=["cn-hangzhou-h"], name="general-h")
    cfg["ackstack:cluster"]["nodePools"].append({**pool, "name": "general-i", "zones": ["cn-hangzhou-i"]})
    return with_value(cfg, f"{PN}.vSwitchOptions", pn_vswitches)


def test_member_enis_are_counted_only_for_pools_in_the_zones_a_podnetworking_reaches():
    """Kills dropping `pn_zones.intersection(pool.zones)` in _group_loads: a PodNetworking on the zone-h vSwitch
    only puts member ENIs of zone-h nodes in its group. g7.xlarge: 4 ENIs, EniTotalQuantity 20 -> 16 trunk member
    ENIs per node (ACK "Manage pod capacity on nodes": EniTotalQuantity - EniQuantity)."""
    groups = {g.key: g for g in capacity_model(plan_for(_two_single_zone_pools(["db-h"]))).groups}
    assert groups["db-clients"].members == 4 * 16
    assert [(s.pool, s.per_node) for s in groups["db-clients"].shares] == [("general-h", 16)]
    both = {g.key: g for g in capacity_model(plan_for(_two_single_zone_pools(["db-h", "db-i"]))).groups}
    assert both["db-clients"].members == 2 * 4 * 16


def test_member_eni_ip_demand_stays_in_the_vswitch_zone():
    """The zone-h PodNetworking vSwitch takes member-ENI IPs from zone-h nodes only (pools_in_zone)."""
    rows = {r["vswitch"]: r for r in capacity_report(plan_for(_two_single_zone_pools(["db-h"])))["zones"]}
    assert rows["db-h"]["worstCaseDemand"] == 4 * 16
    assert rows["db-i"]["worstCaseDemand"] == 0


# ---------------------------------------------------------------- capacity: BYOCNI pods per node
def test_byocni_pods_per_node_are_capped_by_the_node_cidr_mask():
    """A /26 node CIDR holds 2^6 - 4 = 60 pod IPs (network, broadcast, Cilium's router and health IPs): maxPods
    110 is not reachable. Kills removing the `min(...)` in _pool_density: the table and JSON must show 60."""
    cfg = with_value(stack_config("staging"), "ackstack:cni.nodeCidrMask", 26)
    cfg = with_value(cfg, "ackstack:cni.maxPodsPerNode", 110)
    pools = capacity_report(plan_for(cfg))["nodePools"]
    assert [p["podsPerNode"] for p in pools] == [60] * len(pools)
    roomy = with_value(cfg, "ackstack:cni.nodeCidrMask", 24)  # 252 IPs: maxPods decides
    assert [p["podsPerNode"] for p in capacity_report(plan_for(roomy))["nodePools"]] == [110] * len(pools)


# ---------------------------------------------------------------- CAP001 at exactly 100%
def test_a_vswitch_at_exactly_100_percent_is_a_warning_not_an_error():
    """Demand equal to the usable IPs still fits: a warning (above the 80% threshold), one node more is an error.
    node-h as a /28: 16 - 4 reserved (VPC CreateVSwitchCidrReservation) = 12 usable; a node takes one IP of it.
    Kills `util > 1` -> `util >= 1` in CAP001."""
    cfg = _two_single_zone_pools(["db-h", "db-i"])
    cfg = with_value(cfg, "ackstack:network.vswitches[0].cidr", "10.0.0.0/28")  # node-h: 16 - 4 = 12 usable
    node_h = "ackstack:network.vswitches[0].cidr"
    full = with_value(cfg, "ackstack:cluster.nodePools[0].maxSize", 12)
    assert [(f.level, f.path) for f in only(findings_for(full), "CAP001")] == [("warning", node_h)]
    over = with_value(cfg, "ackstack:cluster.nodePools[0].maxSize", 13)
    assert [f.level for f in only(findings_for(over), "CAP001") if f.path == node_h] == ["error"]


# ---------------------------------------------------------------- NET021: malformed zone suffixes
@pytest.mark.parametrize("zone", ["cn-hangzhou-", "cn-hangzhou-a b", "cn-hangzhou-\u00e4", "cn-hangzhou-h-"])
def test_a_malformed_zone_suffix_of_the_right_region_is_an_error(zone):
    """A zone id is the region id, '-', an ASCII letter/digit suffix (Alibaba Cloud docs: Regions and zones).
    Kills dropping isalnum() (empty, space, '-') or isascii() (a non-ASCII letter) in zones_in_region."""
    cfg = with_value(stack_config("dev"), "ackstack:cluster.nodePools[0].zones", ["cn-hangzhou-h", zone])
    assert [f.path for f in only(findings_for(cfg), "NET021")] == ["ackstack:cluster.nodePools[0].zones[1]"]


def test_a_well_formed_zone_of_the_region_passes():
    cfg = with_value(stack_config("dev"), "ackstack:cluster.nodePools[0].zones", ["cn-hangzhou-h", "cn-hangzhou-k"])
    assert only(findings_for(cfg), "NET021") == []
