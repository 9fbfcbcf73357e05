"""Capacity model and the Terway-side capacity rules (CAP001-CAP003): a pass and a fail for each."""

from __future__ import annotations

import json

from ackstack.engine.testing import findings_for, plan_for, stack_config, with_value
from components.capacity import capacity_model, capacity_report, render_capacity_text

POOL = "ackstack:cluster.nodePools[0]"


def only(findings, rule):
    return [f for f in findings if f.rule == rule]


def dev():
    return stack_config("dev")


# ---------------------------------------------------------------- model / report
def test_dev_report_figures_and_shape():
    report = capacity_report(plan_for(dev()))
    json.dumps(report)  # JSON-able
    rows = {r["vswitch"]: r for r in report["zones"]}
    # general: maxSize 4, g7.xlarge (4 ENIs x 15 IPs, 20 total) and g7.2xlarge: max of the two per figure.
    assert rows["node-h"]["usableIps"] == 1024 - 4 and rows["node-h"]["worstCaseDemand"] == 4
    assert rows["pod-h"]["usableIps"] == 8192 - 4 and rows["pod-h"]["worstCaseDemand"] == 4 * 45
    assert rows["db-h"]["usableIps"] == 252 and rows["db-h"]["worstCaseDemand"] == 4 * 16
    assert rows["db-h"]["utilization"] == round(64 / 252, 4)
    groups = {g["name"]: g for g in report["securityGroups"]}
    assert groups["cluster"]["worstCaseMembers"] == 4 * (1 + 3)  # primary + 3 secondary ENIs per node
    assert groups["db-clients"]["worstCaseMembers"] == 4 * 16
    assert groups["cluster"]["unit"] == "ENIs" and groups["cluster"]["capacity"] == 65536
    pool = report["nodePools"][0]
    assert pool == {**pool, "name": "general", "maxSize": 4, "podsPerNode": 61, "sharedEniPods": 45,
                    "trunkMemberEnis": 16, "mode": "shared ENI + trunk"}
    assert report["podCidr"] == {} and report["routeTable"] == {}


def test_render_text_has_aligned_tables():
    text = render_capacity_text(capacity_report(plan_for(dev())))
    assert "vSwitches:" in text and "Security groups:" in text and "Node pools:" in text
    header = next(line for line in text.splitlines() if "WORST-CASE DEMAND" in line)
    row = next(line for line in text.splitlines() if " pod-h " in line)
    assert header.index("UTIL") + 4 == len(header) and row.endswith("2.2%") and len(row) == len(header)


def test_multi_zone_pool_counts_full_max_in_every_zone():
    model = capacity_model(plan_for(with_value(dev(), f"{POOL}.maxSize", 10)))
    assert model.zone_nodes == {"cn-hangzhou-h": 10, "cn-hangzhou-i": 10}


def test_model_is_computed_once_per_plan():
    plan = plan_for(dev())
    assert capacity_model(plan) is capacity_model(plan)


# ---------------------------------------------------------------- CAP001
def test_cap001_pass_dev():
    assert only(findings_for(dev()), "CAP001") == []


def test_cap001_error_when_demand_exceeds_usable():
    cfg = with_value(dev(), "ackstack:network.vswitches[4].cidr", "10.2.0.0/28")
    found = only(findings_for(cfg), "CAP001")
    assert [(f.level, f.path) for f in found] == [("error", "ackstack:network.vswitches[4].cidr")]
    msg = found[0].message
    assert "`db-h`" in msg and "`mysql`" in msg and "12 usable IPs" in msg and "10.2.0.0/28" in msg
    assert "worst-case demand is 64" in msg and "general: 4 nodes x 16 member-ENI pod IPs" in msg
    assert "533.3%" in msg and "exceeds 100%" in msg


def test_cap001_warning_above_threshold():
    cfg = with_value(dev(), "ackstack:network.vswitches[4].cidr", "10.2.0.0/25")
    cfg = with_value(cfg, f"{POOL}.maxSize", 7)
    found = only(findings_for(cfg), "CAP001")
    assert [(f.level, f.path) for f in found] == [("warning", "ackstack:network.vswitches[4].cidr")]
    assert "124 usable IPs" in found[0].message and "112" in found[0].message and "90.3%" in found[0].message
    assert "80% warning threshold" in found[0].message
    raised = with_value(cfg, "ackstack:capacity", {"vswitchUtilizationWarning": 0.95})
    assert only(findings_for(raised), "CAP001") == []


def test_cap001_node_vswitch_counts_every_pool_in_the_zone():
    cfg = with_value(dev(), "ackstack:network.vswitches[0].cidr", "10.0.0.0/29")  # 4 usable
    cfg = with_value(cfg, f"{POOL}.maxSize", 5)
    found = only(findings_for(cfg), "CAP001")
    assert [(f.level, f.path) for f in found] == [("error", "ackstack:network.vswitches[0].cidr")]
    msg = found[0].message
    assert "node vSwitch `node-h`" in msg and "4 usable IPs" in msg and "worst-case demand is 5" in msg
    assert "general: 5 nodes x 1 node IP" in msg and "125.0%" in msg


def test_cap001_same_podnetworkings_pool_their_vswitches():
    cfg = with_value(dev(), "ackstack:network.vswitches[4].cidr", "10.2.0.0/26")  # 60 usable < 64
    assert only(findings_for(cfg), "CAP001")[0].level == "error"
    cfg["ackstack:network"]["vswitches"].append(
        {"name": "db-h2", "role": "podnetworking", "zoneId": "cn-hangzhou-h", "cidr": "10.2.2.0/26"})
    cfg["ackstack:podNetworkings"][0]["vSwitchOptions"] = ["db-h", "db-h2", "db-i"]
    rows = {r["vswitch"]: r for r in capacity_report(plan_for(cfg))["zones"]}
    assert rows["db-h"]["pooledWith"] == ["db-h2"] and rows["db-h"]["pooledUsableIps"] == 120
    assert rows["db-h"]["utilization"] == round(64 / 120, 4)
    assert only(findings_for(cfg), "CAP001") == []  # 64 of 120 pooled addresses
    found = only(findings_for(with_value(cfg, f"{POOL}.maxSize", 7)), "CAP001")  # 112 of 120
    assert {(f.level, f.path) for f in found} == {("warning", "ackstack:network.vswitches[4].cidr"),
                                                  ("warning", "ackstack:network.vswitches[6].cidr")}
    assert "120 together with `db-h2`" in found[0].message


# ---------------------------------------------------------------- CAP002
def test_cap002_pass_dev():
    assert only(findings_for(dev()), "CAP002") == []


def test_cap002_unknown_instance_type():
    cfg = with_value(dev(), f"{POOL}.instanceTypes", ["ecs.g7.xlarge", "ecs.zz9.large"])
    found = only(findings_for(cfg), "CAP002")
    assert [(f.level, f.path) for f in found] == [("warning", f"{POOL}.instanceTypes[1]")]
    assert "`ecs.zz9.large`" in found[0].message and "`general`" in found[0].message
    assert "capacity.instanceTypes" in found[0].message


def test_cap002_unknown_only_type_leaves_no_figure_and_override_fixes_it():
    cfg = with_value(dev(), f"{POOL}.instanceTypes", ["ecs.zz9.large"])
    report = capacity_report(plan_for(cfg))
    assert report["nodePools"][0]["podsPerNode"] is None
    assert {r["vswitch"]: r for r in report["zones"]}["pod-h"]["unknownPools"] == ["general"]
    cfg = with_value(cfg, "ackstack:capacity", {"instanceTypes": {"ecs.zz9.large": {
        "eniQuantity": 5, "eniTotalQuantity": 25, "ipv4PerEni": 10, "trunkSupported": True}}})
    assert only(findings_for(cfg), "CAP002") == []
    assert capacity_report(plan_for(cfg))["nodePools"][0]["podsPerNode"] == 4 * 10 + 20


def test_cap002_max_pods_above_density():
    found = only(findings_for(with_value(dev(), f"{POOL}.maxPods", 100)), "CAP002")
    assert [(f.level, f.path) for f in found] == [("warning", f"{POOL}.maxPods")]
    msg = found[0].message
    assert "`general`" in msg and "maxPods 100" in msg and "`ecs.g7.2xlarge`" in msg and "at most 51" in msg
    assert only(findings_for(with_value(dev(), f"{POOL}.maxPods", 51)), "CAP002") == []


# ---------------------------------------------------------------- CAP003
def test_cap003_pass_basic_group_small_cluster():
    cfg = with_value(dev(), "ackstack:network.securityGroups[0].type", "basic")
    assert only(findings_for(cfg), "CAP003") == []


def test_cap003_basic_group_overflows():
    cfg = with_value(dev(), "ackstack:network.securityGroups[0].type", "basic")
    cfg = with_value(cfg, f"{POOL}.maxSize", 200)
    found = only(findings_for(cfg), "CAP003")
    assert [(f.level, f.path) for f in found] == [("error", "ackstack:network.securityGroups[0].type")]
    msg = found[0].message
    # per node: 1 primary IP + 3 secondary ENIs x 15 IPs = 46 private IPs
    assert "basic security group `cluster`" in msg and "6,000 private IPs" in msg and "9,200 private IPs" in msg
    assert "general: 200 nodes x 1 primary IPs" in msg and "200 nodes x 45 shared-ENI IPs" in msg
    assert "enterprise" in msg


def test_cap003_enterprise_group_checked_too():
    cfg = with_value(dev(), f"{POOL}.instanceTypes", ["ecs.big.x"])
    cfg = with_value(cfg, f"{POOL}.maxSize", 70)
    cfg = with_value(cfg, "ackstack:capacity", {"instanceTypes": {"ecs.big.x": {
        "eniQuantity": 8, "eniTotalQuantity": 1000, "ipv4PerEni": 30, "trunkSupported": True}}})
    found = only(findings_for(cfg), "CAP003")
    assert [f.path for f in found] == ["ackstack:network.securityGroups[1].type"]
    assert "enterprise security group `db-clients`" in found[0].message
    assert "65,536 ENIs" in found[0].message and "69,440 ENIs" in found[0].message
