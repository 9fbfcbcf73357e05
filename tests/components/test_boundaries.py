"""Boundaries and secondary branches no other test pins (issue #25): each test names the mutant it kills.

Expected values are written by hand from the upstream source each test cites, never computed by the code
under test.
"""

from __future__ import annotations

import json

import pytest

from ackstack.engine.testing import findings_for, plan_for, stack_config, stack_inventory, with_value
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


def test_a_selectorless_podnetworking_on_the_deny_lines_gets_their_reason():
    """v1.10.0-v1.13.6 validate.go:37-55 deny every selector-less spec with this reason, whatever its eniType (kills
    skipping the `deny` branch, after which a later check still denies it, for another reason)."""
    spec = {"selector": {}, "vSwitchOptions": ["vsw-1"], "securityGroupIDs": ["sg-1"], "eniOptions": {"eniType": "Default"}}
    for version in ("v1.10.0", "v1.12.1", "v1.13.6"):
        assert W.admission_denial(spec, version) == "neither the PodSelector nor the NamespaceSelector is set"


def test_releases_older_than_the_oldest_line_get_its_rules():
    """Releases before v1.10.0 are not modelled and get the v1.10 line's rules (rules_for's docstring; unverified
    upstream), not the next line's (kills -1 -> -2)."""
    assert W.rules_for("v1.9.3").tag == "v1.10.0"


def test_an_unknown_terway_reader_is_refused():
    with pytest.raises(ValueError, match="unknown Terway reader 'controller'"):
        W.security_group_limit("v1.17.5", reader="controller")


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


# ---------------------------------------------------------------- capacity model: secondary branches
# Densities from ACK "Manage pod capacity on nodes" (constants.shared_eni_pods_per_node, trunk_pods_per_node,
# exclusive_eni_pods_per_node): shared-ENI pods (EniQuantity - 1) x IPv4 per ENI, trunk member ENIs
# EniTotalQuantity - EniQuantity, exclusive ENIs EniQuantity - 1.
def _custom_types(cfg, types: dict[str, dict]):
    return with_value(cfg, "ackstack:capacity", {"instanceTypes": types})


def test_a_pool_of_two_types_counts_the_denser_of_each_figure():
    """type a: 3 ENIs x 10 IPs -> 20 shared pods, 2 exclusive ENIs; type b: 5 ENIs x 4 IPs -> 16 shared, 4 exclusive.
    The worst case takes 20 and 4 (kills max -> min for the shared and the exclusive figure)."""
    cfg = with_value(stack_config("dev"), f"{POOL0}.instanceTypes", ["ecs.a.x", "ecs.b.x"])
    cfg = with_value(cfg, f"{PN}.eniOptions", {"eniType": "ENI"})
    cfg = _custom_types(cfg, {"ecs.a.x": {"eniQuantity": 3, "eniTotalQuantity": 10, "ipv4PerEni": 10, "trunkSupported": True},
                              "ecs.b.x": {"eniQuantity": 5, "eniTotalQuantity": 10, "ipv4PerEni": 4, "trunkSupported": True}})
    report = capacity_report(plan_for(cfg))
    assert report["nodePools"][0]["sharedEniPods"] == 20
    rows = {r["vswitch"]: r for r in report["zones"]}
    assert rows["db-h"]["breakdown"] == ["general: 4 nodes x 4 member-ENI pod IPs"]  # exclusive ENIs, not trunk


def test_an_exclusive_eni_podnetworking_takes_exclusive_enis_only():
    """eniType ENI: g7.xlarge gives 4 - 1 = 3 exclusive ENIs per node, no trunk member ENIs (kills 0 -> 1 and
    `+` -> `-` in _member_enis)."""
    groups = {g.key: g for g in capacity_model(plan_for(with_value(stack_config("dev"), f"{PN}.eniOptions",
                                                                   {"eniType": "ENI"}))).groups}
    assert [s.text() for s in groups["db-clients"].shares] == ["general: 4 nodes x 3 member ENIs"]


def test_a_podnetworking_without_eni_options_takes_trunk_member_enis():
    """No eniOptions is Trunk's default (kills `eni_options is not None` -> `is None`, which reads a missing value)."""
    cfg = stack_config("dev")
    del cfg["ackstack:podNetworkings"][0]["eniOptions"]
    rows = {r["vswitch"]: r for r in capacity_report(plan_for(cfg))["zones"]}
    assert rows["db-h"]["worstCaseDemand"] == 4 * 16


def test_a_podnetworking_no_pod_gets_adds_no_member_eni_demand():
    """Fixed with only Deployments: no fixed-name pod, so Terway never gives the PodNetworking (reach does not
    apply) and its vSwitches and group carry no member ENIs (kills skipping `if not ...applies`)."""
    cfg = with_value(stack_config("dev"), f"{PN}.workloadKinds", ["Deployment"])
    report = capacity_report(plan_for(cfg))
    assert {r["vswitch"]: r["worstCaseDemand"] for r in report["zones"]}["db-h"] == 0
    assert {g["name"]: g["worstCaseMembers"] for g in report["securityGroups"]}["db-clients"] == 0


def test_a_podnetworking_vswitch_the_plan_does_not_know_is_skipped():
    """A vSwitchOptions entry that is neither a declared vSwitch nor in the inventory (NET010's error) is not
    counted; the model must not fail on it (kills skipping `if fact is None`)."""
    cfg = with_value(stack_config("dev"), f"{PN}.vSwitchOptions", ["db-h", "vsw-nowhere"])
    rows = {r["vswitch"]: r for r in capacity_report(plan_for(cfg))["zones"]}
    assert rows["db-h"]["worstCaseDemand"] == 4 * 16 and "vsw-nowhere" not in rows


def test_an_inventory_vswitch_named_by_id_is_reported_at_its_config_path():
    """A PodNetworking naming a vSwitch by id that only the inventory knows: its row and findings point at the
    vSwitchOptions entry (kills skipping the external branch of _vswitch_path)."""
    from ackstack.inputs.inventory import Inventory

    inventory = Inventory(vswitches=[{"id": "vsw-extra", "zoneId": "cn-hangzhou-h", "cidrBlock": "10.3.0.0/28"}])
    cfg = with_value(stack_config("dev"), f"{PN}.vSwitchOptions", ["vsw-extra"])
    [extra] = [v for v in capacity_model(plan_for(cfg, inventory)).vswitches if v.key == "vsw-extra"]
    assert (extra.role, extra.path, extra.usable) == ("external", f"{PN}.vSwitchOptions[0]", 12)


def test_an_adopted_vswitch_without_a_known_cidr_has_no_utilisation():
    """The existing stack without its inventory: vSwitches by id with no CIDR. Usable IPs and utilisation are
    unknown, not 0 or an error (kills skipping `if not self.pool_usable` and r[1] -> r[2] when pooling)."""
    rows = capacity_report(plan_for(stack_config("existing")))["zones"]
    assert rows and all(r["usableIps"] is None and r["utilization"] is None for r in rows)
    assert only(findings_for(stack_config("existing")), "CAP001") == []


def test_report_rows_go_by_zone_then_role():
    """Zone h before zone i, and node, pod, PodNetworking vSwitches in that order within a zone (kills the
    sort key's `v.zone or ""` -> `and`)."""
    rows = capacity_report(plan_for(stack_config("dev")))["zones"]
    assert [r["vswitch"] for r in rows] == ["node-h", "pod-h", "db-h", "node-i", "pod-i", "db-i"]


def test_a_pool_of_unknown_types_is_unknown_only_where_it_would_take_addresses():
    """Unknown density: the pod vSwitches and the PodNetworking vSwitches list the pool as unknown, the node
    vSwitches do not (a node takes one IP whatever its type). Kills skipping `if members is None` and
    `terway and pn_users` -> `or`; the pool lists only the type it does not know (kills `not in` -> `in`)."""
    cfg = with_value(stack_config("dev"), f"{POOL0}.instanceTypes", ["ecs.zz9.large"])
    report = capacity_report(plan_for(cfg))
    assert {r["vswitch"]: r["unknownPools"] for r in report["zones"]} == {
        "node-h": [], "pod-h": ["general"], "db-h": ["general"], "node-i": [], "pod-i": ["general"], "db-i": ["general"]}
    mixed = with_value(stack_config("dev"), f"{POOL0}.instanceTypes", ["ecs.g7.xlarge", "ecs.zz9.large"])
    assert capacity_report(plan_for(mixed))["nodePools"][0]["unknownInstanceTypes"] == ["ecs.zz9.large"]


def test_a_pool_with_its_own_security_groups_puts_its_nodes_there():
    """nodePools[].securityGroups replaces the cluster group for that pool's primary ENIs (kills skipping the
    pool's own groups)."""
    cfg = with_value(stack_config("dev"), f"{POOL0}.securityGroups", ["db-clients"])
    groups = {g["name"]: g["breakdown"] for g in capacity_report(plan_for(cfg))["securityGroups"]}
    assert "general: 4 nodes x 1 primary ENIs" in groups["db-clients"]
    assert "general: 4 nodes x 1 primary ENIs" not in groups["cluster"]


def test_byocni_pods_per_node_follow_cni_max_pods_when_the_pool_sets_none():
    """A BYOCNI pool without maxPods takes cni.maxPodsPerNode (kills `is not None` -> `is`); the pod CIDR's
    maxPodsPerNode is the largest configured (kills max -> min)."""
    cfg = stack_config("staging")
    cfg["ackstack:cluster"]["nodePools"][0].pop("maxPods", None)
    cfg = with_value(cfg, "ackstack:cni.maxPodsPerNode", 64)
    report = capacity_report(plan_for(cfg))
    assert [p["podsPerNode"] for p in report["nodePools"]] == [64] * len(report["nodePools"])
    assert report["podCidr"]["maxPodsPerNode"] == 64
    higher = with_value(cfg, f"{POOL0}.maxPods", 100)
    assert capacity_report(plan_for(higher))["podCidr"]["maxPodsPerNode"] == 100


@pytest.mark.parametrize(("nodes", "other", "failing_route", "failing_node"), [
    (190, 10, None, None),  # exactly the quota of 200
    (5, 200, 201, 1),       # the other routes fill the table: the first node's route is the first to fail
    (5, 201, 201, None),    # the other routes alone exceed it
    (195, 10, 201, 191),
])
def test_the_first_route_that_does_not_fit(nodes, other, failing_route, failing_node):
    """Routes are numbered other routes first, then one per node (VPC CreateRouteEntries, 200 per table): kills
    `<=` -> `<`, `node >= 1` -> `>` and 1 -> 2 in RouteCapacity.failing_node."""
    from components.capacity import RouteCapacity

    routes = RouteCapacity(nodes, other, 200)
    assert (routes.failing_route, routes.failing_node) == (failing_route, failing_node)


# ---------------------------------------------------------------- capacity report and its text
def _rendered_rows(cfg, inventory=None) -> list[str]:
    """The lines of the capacity text (render_capacity_text) of `cfg`."""
    from components.capacity import render_capacity_text

    return render_capacity_text(capacity_report(plan_for(cfg, inventory))).splitlines()


def _row(lines: list[str], name: str) -> str:
    return next(line for line in lines if f" {name} " in f"{line} ")


def test_report_json_rounds_to_four_places_and_marks_pooling_and_podnetworkings():
    """db-clients: 64 member ENIs of 65,536 = 0.0009765625 -> 0.001 at four places (kills 4 -> 5); a vSwitch pooling
    with nothing has no pooledWith (kills `> 1` -> `>= 1`); a PodNetworking vSwitch counts its PodNetworkings,
    a node vSwitch has none (kills skipping that branch)."""
    report = capacity_report(plan_for(stack_config("dev")))
    assert {g["name"]: g["utilization"] for g in report["securityGroups"]}["db-clients"] == 0.001
    rows = {r["vswitch"]: r for r in report["zones"]}
    assert "pooledWith" not in rows["db-i"] and rows["db-i"]["podNetworkings"] == 1
    assert "podNetworkings" not in rows["node-h"]


def test_demand_is_unknown_only_for_an_adopted_cluster_without_node_pools():
    """Kills every mutant of the demandUnknown condition: dev (created cluster) has no note, existing (adopted,
    no pools) has it, existing with a node pool of its own has it no longer."""
    from components.capacity import DEMAND_UNKNOWN

    assert "demandUnknown" not in capacity_report(plan_for(stack_config("dev")))
    existing = stack_config("existing")
    assert capacity_report(plan_for(existing, stack_inventory("existing")))["demandUnknown"] == DEMAND_UNKNOWN
    with_pool = with_value(existing, "ackstack:cluster.nodePools", [stack_config("dev")["ackstack:cluster"]["nodePools"][0]])
    assert "demandUnknown" not in capacity_report(plan_for(with_pool, stack_inventory("existing")))


def test_capacity_text_right_aligns_figures_and_shows_percentages():
    """64 of 252 usable = 25.4% (kills 100 -> 101 in _pct); numbers end where their header ends (kills the right
    alignment set and `in` -> `not in` in the cell format)."""
    lines = _rendered_rows(stack_config("dev"))
    header = next(line for line in lines if "WORST-CASE DEMAND" in line)
    row = _row(lines, "db-h")
    assert row.split() == ["cn-hangzhou-h", "db-h", "podnetworking", "10.2.0.0/24", "252", "64", "25.4%"]
    for title, cell in (("USABLE IPS", "252"), ("WORST-CASE DEMAND", "64"), ("UTIL", "25.4%")):
        end = header.index(title) + len(title)
        assert row[end - len(cell):end] == cell, title


def test_capacity_text_marks_unknown_demand_and_pooled_addresses():
    """A pool of unknown type: `+?` after the demand where its pods would take addresses and `?` pods per node
    (kills `or` -> `and` and the `+` of "+?"); pooled vSwitches show the pool's usable IPs (kills skipping it)."""
    lines = _rendered_rows(with_value(stack_config("dev"), f"{POOL0}.instanceTypes", ["ecs.zz9.large"]))
    assert _row(lines, "pod-h").split()[5] == "0+?" and _row(lines, "node-h").split()[5] == "4"
    assert _row(lines, "general").split()[3] == "?"
    assert _row(lines, "cluster").split()[5] == "4+?"  # 4 primary ENIs counted, the secondary ENIs unknown
    cfg = with_value(stack_config("dev"), "ackstack:network.vswitches[4].cidr", "10.2.0.0/26")
    cfg["ackstack:network"]["vswitches"].append(
        {"name": "db-h2", "role": "podnetworking", "zoneId": "cn-hangzhou-h", "cidr": "10.2.2.0/26"})
    cfg["ackstack:podNetworkings"][0]["vSwitchOptions"] = ["db-h", "db-h2", "db-i"]
    assert "60 (pool 120)" in _row(_rendered_rows(cfg), "db-h")  # two /26: 2 x (64 - 4)


def test_capacity_text_of_an_adopted_cluster_notes_unknown_demand():
    """The note line and `+?` on every figure when the adopted cluster's nodes are not in the stack (kills
    skipping the note); adopted groups show their ids, created ones `(created)`."""
    lines = _rendered_rows(stack_config("existing"), stack_inventory("existing"))
    assert lines[1].startswith("  Note: demand unknown: the adopted cluster's node pools are not in this stack")
    assert _row(lines, "node-h").split()[5] == "0+?"
    assert _row(lines, "cluster").split()[:2] == ["cluster", "sg-bp1existcluster0000001"]
    assert _row(lines, "cluster").split()[5] == "0+?"
    assert _row(_rendered_rows(stack_config("dev")), "cluster").split()[1] == "(created)"


def test_without_trunking_a_pool_has_no_trunk_member_enis():
    """trunking: false: g7.xlarge gives its (4 - 1) x 15 = 45 shared-ENI pods only (kills 0 -> 1 in _pool_density)."""
    cfg = with_value(stack_config("dev"), "ackstack:cni.trunking", False)
    [pool] = capacity_report(plan_for(cfg))["nodePools"]
    assert (pool["trunkMemberEnis"], pool["podsPerNode"], pool["mode"]) == (0, 45, "shared ENI")


def test_a_podnetworking_without_vswitch_options_uses_the_cluster_pod_vswitches():
    """Terway gives such a PodNetworking's pods the eni-config vSwitches (kills `or` -> `and`)."""
    from components.capacity import effective_vswitch_refs

    plan = plan_for(with_value(stack_config("dev"), f"{PN}.vSwitchOptions", ["db-i", "db-h", "db-i"]))
    assert effective_vswitch_refs(plan, plan.config.pod_networkings[0]) == ["db-i", "db-h"]
    plan = plan_for(with_value(stack_config("dev"), f"{PN}.vSwitchOptions", []))
    assert effective_vswitch_refs(plan, plan.config.pod_networkings[0]) == ["pod-h", "pod-i"]


def test_an_inventory_group_a_pool_names_is_reported_at_that_reference():
    """A security group only the inventory knows (no config path of its own): its CAP003 path is the first
    config entry that names it (kills dropping the first-reference bookkeeping in key_of)."""
    from ackstack.inputs.inventory import Inventory

    inventory = Inventory(security_groups=[{"id": "sg-extra", "type": "enterprise"}])
    cfg = with_value(stack_config("dev"), f"{POOL0}.securityGroups", ["sg-extra"])
    groups = {g.key: g for g in capacity_model(plan_for(cfg, inventory)).groups}
    assert groups["sg-extra"].path == f"{POOL0}.securityGroups[0]"


def test_a_pool_of_unknown_types_leaves_its_groups_membership_unknown():
    """The PodNetworking group lists the pool as unknown too (kills skipping `if members is None` for groups)."""
    cfg = with_value(stack_config("dev"), f"{POOL0}.instanceTypes", ["ecs.zz9.large"])
    groups = {g["name"]: g["unknownPools"] for g in capacity_report(plan_for(cfg))["securityGroups"]}
    assert groups == {"cluster": ["general"], "db-clients": ["general"]}


@pytest.mark.parametrize(("header", "titles"), [
    ("WORST-CASE MEMBERS", ("CAPACITY", "WORST-CASE MEMBERS", "UTIL")),
    ("PODS/NODE", ("MAX SIZE", "PODS/NODE")),
])
def test_capacity_text_right_aligns_the_group_and_pool_figures(header, titles):
    """Every figure column ends where its header ends (kills moving the right-aligned column sets). The cluster
    group at 50 nodes x 60 of 6,000 private IPs shows 50.0%, wider than its header, so its alignment shows."""
    lines = _rendered_rows(_basic_cluster_group(50))
    head = next(line for line in lines if header in line)
    row = lines[lines.index(head) + 1]
    for title in titles:
        end = head.index(title) + len(title)
        assert row[end - 1] != " " and (end == len(row) or row[end] == " "), (title, row)


# ---------------------------------------------------------------- an adopted cluster's webhook registrations
def test_registrations_that_do_not_exist_or_lack_fields_read_as_kubernetes_defaults():
    """No MutatingWebhookConfiguration: no pod webhook; a hook without failurePolicy: Fail (admissionregistration/v1
    default); hooks or rules without their lists are skipped, not errors (kills each `or []` -> `and`)."""
    none = W.webhook_configurations(None, None, "none")
    assert (none.pod_webhook, none.pod_failure_policy, none.validating_operations, none.validating_failure_policy) \
        == (False, "Fail", (), "Fail")
    mutating = {"webhooks": [{"name": "other", "rules": [{"resources": ["services"]}]},
                             {"name": "pods", "rules": [{"resources": ["pods"], "operations": ["CREATE"]}],
                              "failurePolicy": "Ignore"},
                             {"name": "bare"}]}
    validating = {"webhooks": [{"name": "pn", "rules": [{"resources": ["podnetworkings"], "operations": ["CREATE",
                                                                                                  "UPDATE"]},
                                                        {"operations": ["DELETE"]}],
                                "failurePolicy": "Ignore"}]}
    hooks = W.webhook_configurations(mutating, validating, "cluster")
    assert (hooks.pod_webhook, hooks.pod_failure_policy, hooks.pod_namespace_selector) == (True, "Ignore", None)
    assert (hooks.validating_operations, hooks.validating_failure_policy) == (("CREATE", "UPDATE"), "Ignore")


def test_a_namespace_selector_the_api_server_would_refuse_sees_no_namespace():
    """The API server does not register a webhook with a broken selector (kills False -> True)."""
    broken = W.webhook_configurations({"webhooks": [{"rules": [{"resources": ["pods"]}],
                                                     "namespaceSelector": {"matchLabels": ["x"]}}]}, None, "cluster")
    assert W.webhook_sees_namespace({"a": "b"}, broken) is False


# ---------------------------------------------------------------- eni_conf: what the readers say
def test_a_config_value_with_nan_or_infinity_names_each_path():
    """YAML config can carry `.nan` and `.inf`, which JSON cannot: every such value is named by its path, nested
    ones too (kills the mapping branch of _non_finite_paths, and `or` -> `and` in naming the path)."""
    conf = {"max_pool_size": 5, "kube_client_qps": float("nan"), "vswitches": {"cn-hangzhou-j": [float("inf")]}}
    parsed, reason = W.parse_eni_conf(conf)
    assert parsed is None and reason.startswith("kube_client_qps, vswitches.cn-hangzhou-j[0] is NaN or Infinity")


def test_eni_conf_text_that_is_no_object_is_refused_by_the_parser():
    assert W.parse_eni_conf("[1, 2]") == (None, "must be a JSON object, got list")
    assert W.parse_eni_conf('"text"') == (None, "must be a JSON object, got str")


def test_the_controlplane_names_the_key_of_a_value_of_the_wrong_type():
    """terway-controlplane refuses the whole eni_conf; the reason names the key and its Go type (kills indexing
    the second problem, or its message, instead of the first problem's key)."""
    conf, reason = W.eni_conf_controlplane('{"max_pool_size": "5", "enable_eni_trunking": "yes"}', "v1.17.5")
    assert conf is None
    assert reason.startswith("error parse terway configmap eni-config, max_pool_size must be int (")


def test_a_wrong_value_is_quoted_up_to_60_characters():
    (key, message), = W.eni_conf_type_problems({"max_pool_size": "x" * 100})
    assert key == "max_pool_size" and message.endswith('got "' + "x" * 59 + ")")
