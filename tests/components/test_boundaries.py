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


# ---------------------------------------------------------------- TAG001 / TAG002 at their limits
# ECS TagResources (components/validation/rules_tag.py TAG_SOURCE): Tag.N for N 1..20, key and value up to 128
# characters. Each case below was written from those numbers, not from the rule's output.
TAGS = "ackstack:environment.tags"


def _tag_findings(tags: dict[str, str]):
    return findings_for(with_value(stack_config("dev"), TAGS, tags))


def test_a_tag_key_and_value_of_exactly_128_characters_pass():
    """Kills `len(key) > 128` -> `>=` and `len(value) > 128` -> `>=` in TAG001."""
    assert only(_tag_findings({"k" * 128: "v" * 128}), "TAG001") == []


def test_a_tag_value_of_129_characters_is_an_error():
    """Kills skipping the value-length branch of TAG001 (no other test has a long value)."""
    found = only(_tag_findings({"team": "v" * 129}), "TAG001")
    assert [(f.path, f.message) for f in found] == [(f"{TAGS}.team", "tag value is 129 characters; at most 128")]


def test_an_empty_tag_key_is_an_error():
    """Kills skipping the empty-key branch of TAG001: ECS refuses a Tag.N.Key of length 0."""
    found = only(_tag_findings({"": "v"}), "TAG001")
    assert [(f.path, f.message) for f in found] == [(f"{TAGS}.", "tag key is empty")]


def test_a_reserved_prefix_message_quotes_the_key_cut_at_40_characters():
    """A 100-character key is quoted by its first 40 characters only (kills 40 -> 41)."""
    key = "acs:" + "x" * 96
    found = only(_tag_findings({key: "v"}), "TAG001")
    assert [f.message for f in found] == [f"tag key `acs:{'x' * 36}` starts with a reserved prefix (acs:, aliyun)"]


def test_eighteen_tags_pass_and_nineteen_do_not():
    """20 per resource minus ackstack's two: exactly 18 pass (kills `>` -> `>=` in TAG002)."""
    assert only(_tag_findings({f"t{i}": "v" for i in range(18)}), "TAG002") == []
    assert len(only(_tag_findings({f"t{i}": "v" for i in range(19)}), "TAG002")) == 1


# ---------------------------------------------------------------- CAP001 message and threshold edges
POOL0 = "ackstack:cluster.nodePools[0]"
DB_H = "ackstack:network.vswitches[4].cidr"


def _podnetworkings_on_a_small_db_h(count: int):
    """dev with `count` PodNetworkings (distinct selectors) on db-h as a /26: 64 - 4 = 60 usable IPs against
    4 nodes x 16 member ENIs = 64 (g7.xlarge: EniTotalQuantity 20 - EniQuantity 4)."""
    cfg = stack_config("dev")
    mysql = cfg["ackstack:podNetworkings"][0]
    cfg["ackstack:podNetworkings"] = [{**mysql, "name": f"db{i}", "selector": {"podSelector": {"matchLabels": {"app": f"db{i}"}}}}
                                      for i in range(count)]
    return with_value(cfg, DB_H, "10.2.0.0/26")


def test_cap001_between_100_and_200_percent_says_it_exceeds_100_percent():
    """64 / 60 = 106.7%: an error against 100%, not the warning threshold (kills `util > 1` -> `util > 2` in the
    limit text). Three PodNetworkings are all named (kills `> 3` -> `>= 3`, which would add "and 0 more")."""
    found = only(findings_for(_podnetworkings_on_a_small_db_h(3)), "CAP001")
    assert [(f.level, f.path, f.message) for f in found] == [(
        "error", DB_H,
        "podnetworking vSwitch `db-h` (PodNetworkings `db0`, `db1`, `db2`) in cn-hangzhou-h has 60 usable IPs "
        "(10.2.0.0/26 minus 4 reserved) but worst-case demand is 64 (general: 4 nodes x 16 member-ENI pod IPs): "
        "106.7% utilisation exceeds 100%; use a larger CIDR, add a vSwitch in cn-hangzhou-h, or lower maxSize")]


def test_cap001_names_three_podnetworkings_and_counts_the_rest():
    """Kills 3 -> 4 in either place of the PodNetworking list."""
    [finding] = only(findings_for(_podnetworkings_on_a_small_db_h(4)), "CAP001")
    assert "(PodNetworkings `db0`, `db1`, `db2` and 1 more) in cn-hangzhou-h" in finding.message


def test_cap001_at_exactly_the_warning_threshold_says_nothing():
    """3 nodes x 16 = 48 of 60 usable = exactly 80%: not above capacity.vswitchUtilizationWarning (kills `<=` -> `<`)."""
    at_threshold = with_value(_podnetworkings_on_a_small_db_h(1), f"{POOL0}.maxSize", 3)
    assert only(findings_for(at_threshold), "CAP001") == []


def test_cap001_at_exactly_100_percent_names_the_warning_threshold():
    """Kills `util > 1` -> `>=` in the limit text: 100% is measured against the warning threshold, not 100%."""
    cfg = with_value(stack_config("dev"), "ackstack:network.vswitches[0].cidr", "10.0.0.0/29")  # 8 - 4 = 4 usable
    [finding] = only(findings_for(with_value(cfg, f"{POOL0}.maxSize", 4)), "CAP001")
    assert finding.level == "warning"
    assert "100.0% utilisation exceeds the 80% warning threshold (capacity.vswitchUtilizationWarning)" in finding.message
    assert "together with" not in finding.message  # one vSwitch of its role in the zone: nothing pooled


def _single_node_pools(count: int):
    """dev with `count` one-node pools in zone h and node-h as a /29 (4 usable IPs): one node IP each."""
    cfg = stack_config("dev")
    pool = cfg["ackstack:cluster"]["nodePools"][0]
    cfg["ackstack:cluster"]["nodePools"] = [
        {**pool, "name": f"p{i}", "zones": ["cn-hangzhou-h"], "instanceTypes": ["ecs.g7.xlarge"],
         "minSize": 0, "desiredSize": 0, "maxSize": 1} for i in range(count)]
    return with_value(cfg, "ackstack:network.vswitches[0].cidr", "10.0.0.0/29")


def test_cap001_lists_four_pools_and_counts_the_rest():
    """Kills `len(texts) > 4` -> `>=` (four pools all listed) and the arithmetic of "N more pools"."""
    [four] = only(findings_for(_single_node_pools(4)), "CAP001")
    assert "(p0: 1 nodes x 1 node IP; p1: 1 nodes x 1 node IP; p2: 1 nodes x 1 node IP; p3: 1 nodes x 1 node IP)" \
        in four.message
    [five] = only(findings_for(_single_node_pools(5)), "CAP001")
    assert ("(p0: 1 nodes x 1 node IP; p1: 1 nodes x 1 node IP; p2: 1 nodes x 1 node IP; p3: 1 nodes x 1 node IP; "
            "1 more pools): 125.0% utilisation") in five.message


# ---------------------------------------------------------------- CAP002 without trunking
def test_cap002_without_trunking_counts_no_trunk_member_enis():
    """trunking: false leaves the shared-ENI pods only: g7.xlarge (4 - 1) x 15 = 45 (ACK "Manage pod capacity on
    nodes"), so maxPods 50 leaves 5 slots; kills 0 -> 1 for the trunk figure and the `- shared - trunk` arithmetic."""
    cfg = with_value(with_value(stack_config("dev"), "ackstack:cni.trunking", False), f"{POOL0}.maxPods", 50)
    assert [f.message for f in only(findings_for(cfg), "CAP002")] == [
        "node pool `general` sets maxPods 50 but instance type `ecs.g7.xlarge` gives at most 45 pods with an ENI IP "
        "per node (45 shared-ENI + 0 trunk member ENIs); the other 5 slots can only run hostNetwork pods"]


def test_cap002_with_trunking_counts_the_least_dense_type():
    """g7.2xlarge: 45 shared-ENI pods + (EniTotalQuantity 10 - EniQuantity 4) = 6 trunk member ENIs = 51, below
    g7.xlarge's 45 + 16 = 61; maxPods 100 leaves 49 slots (kills either `-` of the slot count turned into `+`)."""
    cfg = with_value(stack_config("dev"), f"{POOL0}.maxPods", 100)
    assert [f.message for f in only(findings_for(cfg), "CAP002")] == [
        "node pool `general` sets maxPods 100 but instance type `ecs.g7.2xlarge` gives at most 51 pods with an ENI IP "
        "per node (45 shared-ENI + 6 trunk member ENIs); the other 49 slots can only run hostNetwork pods"]


def test_cap002_max_pods_with_only_unknown_types_warns_once():
    """A pool whose every type is unknown has no density to compare maxPods with (kills skipping `if not known`)."""
    cfg = with_value(with_value(stack_config("dev"), f"{POOL0}.instanceTypes", ["ecs.zz9.large"]), f"{POOL0}.maxPods", 50)
    assert [f.path for f in only(findings_for(cfg), "CAP002")] == [f"{POOL0}.instanceTypes[0]"]


# ---------------------------------------------------------------- CAP003 at exactly the group's capacity
def _basic_cluster_group(max_size: int):
    """The cluster group as a basic group (6,000 private IPs) and a type of 2 ENIs x 59 IPs: a node puts its
    primary IP and (2 - 1) x 59 shared-ENI IPs in the group, 60 private IPs per node."""
    cfg = with_value(stack_config("dev"), "ackstack:network.securityGroups[0].type", "basic")
    cfg = with_value(cfg, f"{POOL0}.instanceTypes", ["ecs.two.x"])
    cfg = with_value(cfg, f"{POOL0}.maxSize", max_size)
    return with_value(cfg, "ackstack:capacity", {"instanceTypes": {"ecs.two.x": {
        "eniQuantity": 2, "eniTotalQuantity": 3, "ipv4PerEni": 59, "trunkSupported": True}}})


def test_cap003_a_basic_group_holds_exactly_6000_private_ips():
    """100 nodes x 60 = 6,000 fits (kills `<=` -> `<`); 101 x 60 = 6,060 does not, with the basic group's advice
    (kills `==` -> `!=` on the group type)."""
    assert only(findings_for(_basic_cluster_group(100)), "CAP003") == []
    [finding] = only(findings_for(_basic_cluster_group(101)), "CAP003")
    assert finding.message.startswith("basic security group `cluster` holds 6,000 private IPs but worst-case "
                                      "membership is 6,060 private IPs")
    assert finding.message.endswith("; use an enterprise (advanced) security group (type: enterprise, 65,536 ENIs) "
                                    "or split the nodes and PodNetworkings over several groups")


def test_cap003_an_enterprise_group_gets_the_split_advice():
    cfg = with_value(stack_config("dev"), f"{POOL0}.instanceTypes", ["ecs.big.x"])
    cfg = with_value(cfg, f"{POOL0}.maxSize", 70)
    cfg = with_value(cfg, "ackstack:capacity", {"instanceTypes": {"ecs.big.x": {
        "eniQuantity": 8, "eniTotalQuantity": 1000, "ipv4PerEni": 30, "trunkSupported": True}}})
    [finding] = only(findings_for(cfg), "CAP003")
    assert finding.message.endswith("; split the nodes and PodNetworkings over several enterprise groups")


# ---------------------------------------------------------------- CAP004 / CAP005 at their limits
def test_cap004_a_pod_cidr_holds_exactly_its_node_cidrs():
    """A /20 holds 2^(24 - 20) = 16 node CIDRs of /24: 16 nodes fit (kills `<=` -> `<`)."""
    cfg = with_value(stack_config("staging"), "ackstack:cni.podCidr", "172.16.0.0/20")
    assert only(findings_for(with_value(cfg, f"{POOL0}.maxSize", 16)), "CAP004") == []


def test_cap005_max_pods_per_node_equal_to_the_node_cidr_ips_passes():
    """/26: 64 - 4 = 60 pod IPs (Cilium host-scope IPAM), so maxPodsPerNode 60 fits (kills `>` -> `>=`)."""
    cfg = with_value(stack_config("staging"), "ackstack:cni.nodeCidrMask", 26)
    cfg = with_value(with_value(cfg, "ackstack:cni.maxPodsPerNode", 60), f"{POOL0}.maxPods", 60)
    assert only(findings_for(cfg), "CAP005") == []
