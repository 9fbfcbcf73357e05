"""BYOCNI capacity rules: pod-CIDR node capacity (CAP004), pod IPs per node (CAP005), route quota (CAP006)."""

from __future__ import annotations

from ackstack.engine.testing import findings_for, plan_for, stack_config, with_value
from components.capacity import capacity_report, render_capacity_text

POOL = "ackstack:cluster.nodePools[0]"


def only(findings, rule):
    return [f for f in findings if f.rule == rule]


def staging():
    return stack_config("staging")


def test_report_pod_cidr_and_route_table():
    report = capacity_report(plan_for(staging()))
    assert report["podCidr"] == {"cidr": "172.16.0.0/16", "nodeCidrMask": 24, "nodesCapacity": 256,
                                 "nodesNeeded": 12, "podIpsPerNode": 252, "maxPodsPerNode": 110}
    assert report["routeTable"] == {"routesNeeded": 12, "nodeRoutes": 12, "otherRoutes": 0, "quota": 200,
                                    "failingRoute": None, "failingNode": None}
    assert report["nodePools"][0]["podsPerNode"] == 110 and report["nodePools"][0]["mode"] == "node pod CIDR"
    text = render_capacity_text(report)
    assert "holds 256 nodes, node pools need 12" in text and "vs quota 200: fits" in text


def test_byocni_has_no_terway_findings():
    cfg = with_value(staging(), f"{POOL}.instanceTypes", ["ecs.zz9.large"])
    assert only(findings_for(cfg), "CAP002") == [] and only(findings_for(cfg), "SEL001") == []


# ---------------------------------------------------------------- CAP004
def test_cap004_pass_staging():
    assert only(findings_for(staging()), "CAP004") == []


def test_cap004_pod_cidr_too_small():
    cfg = with_value(staging(), "ackstack:cni.podCidr", "172.16.0.0/20")  # 16 node CIDRs of /24
    assert only(findings_for(cfg), "CAP004") == []  # 12 nodes fit
    found = only(findings_for(with_value(cfg, f"{POOL}.maxSize", 17)), "CAP004")
    assert [(f.level, f.path) for f in found] == [("error", "ackstack:cni.podCidr")]
    msg = found[0].message
    assert "172.16.0.0/20" in msg and "2^(24 - 20) = 16 node CIDRs of /24" in msg and "adds up to 17 nodes" in msg


# ---------------------------------------------------------------- CAP005
def test_cap005_pass_staging():
    assert only(findings_for(staging()), "CAP005") == []


def test_cap005_cni_max_pods_above_node_cidr():
    cfg = with_value(staging(), "ackstack:cni.nodeCidrMask", 26)
    found = only(findings_for(cfg), "CAP005")  # cni.maxPodsPerNode and pool maxPods 110 > 60
    assert [(f.level, f.path) for f in found] == [("error", "ackstack:cni.maxPodsPerNode"),
                                                  ("error", f"{POOL}.maxPods")]
    assert "`general` maxPods 110" in found[1].message and "60 pod IPs of a /26" in found[1].message
    # Cilium's host-scope IPAM: 64 addresses - network - broadcast - router - health = 60. Before issue #23 the
    # rule counted 63 and accepted 61..63 pods, which never get an address.
    cfg = with_value(with_value(cfg, "ackstack:cni.maxPodsPerNode", 61), f"{POOL}.maxPods", 60)
    found = only(findings_for(cfg), "CAP005")
    assert [(f.level, f.path) for f in found] == [("error", "ackstack:cni.maxPodsPerNode")]
    assert "maxPodsPerNode 61 exceeds the 60 pod IPs" in found[0].message and "router and health" in found[0].message


# ---------------------------------------------------------------- CAP006
def test_cap006_pass_at_exact_quota():
    cfg = with_value(with_value(staging(), f"{POOL}.maxSize", 190), "ackstack:cni.otherCustomRoutes", 10)
    assert only(findings_for(cfg), "CAP006") == []


def test_cap006_route_quota_exceeded():
    cfg = with_value(with_value(staging(), f"{POOL}.maxSize", 195), "ackstack:cni.otherCustomRoutes", 10)
    found = only(findings_for(cfg), "CAP006")
    assert [(f.level, f.path) for f in found] == [("error", "ackstack:capacity.routeTableQuota")]
    msg = found[0].message
    assert "205 custom routes" in msg and "195 nodes" in msg and "10 cni.otherCustomRoutes" in msg
    assert "quota is 200" in msg and "node 191's route (route 201) fails" in msg


def test_cap006_raised_quota_or_no_cloud_routes():
    cfg = with_value(staging(), f"{POOL}.maxSize", 250)
    assert only(findings_for(cfg), "CAP006")
    assert only(findings_for(with_value(cfg, "ackstack:capacity", {"routeTableQuota": 300})), "CAP006") == []
    assert only(findings_for(with_value(cfg, "ackstack:cni.cloudRoutes", False)), "CAP006") == []
