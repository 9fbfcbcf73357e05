"""PNW0xx rules: each one failing (rule id, exact config path, value and limit in the message) and passing."""

from __future__ import annotations

from ackstack.engine.testing import DELETE, findings_for, with_value
from ackstack.inputs.inventory import Inventory
from tests.components.test_terway_rules import assert_finding, dev, only, with_basic_group

PN = "ackstack:podNetworkings[0]"


def test_pnw001_too_many_security_groups():
    cfg = dev((f"{PN}.securityGroupIDs", ["db-clients", "cluster"]),
              ("ackstack:capacity", {"maxSecurityGroupsPerEni": 1}))
    assert_finding(findings_for(cfg), "PNW001", f"{PN}.securityGroupIDs", "mysql", "2 security groups",
                   "db-clients, cluster", "limit of 1")
    cfg = dev((f"{PN}.securityGroupIDs", ["db-clients", "cluster"]))
    assert not only(findings_for(cfg), "PNW001")


def test_pnw001_counts_defaulted_groups():
    cfg = dev((f"{PN}.securityGroupIDs", DELETE), ("ackstack:cni.eniSecurityGroups", ["cluster", "db-clients"]),
              ("ackstack:capacity", {"maxSecurityGroupsPerEni": 1}))
    assert_finding(findings_for(cfg), "PNW001", f"{PN}.securityGroupIDs", "defaulted from eni-config's groups",
                   "limit of 1")


def test_pnw002_mixed_security_group_types():
    cfg = with_basic_group(dev((f"{PN}.securityGroupIDs", ["db-clients", "legacy"])))
    assert_finding(findings_for(cfg), "PNW002", f"{PN}.securityGroupIDs", "basic: legacy", "enterprise: db-clients")
    assert not only(findings_for(with_basic_group(dev((f"{PN}.securityGroupIDs", ["legacy"])))), "PNW002")


def test_pnw003_unknown_references():
    cfg = dev((f"{PN}.securityGroupIDs", ["db-clients", "nope"]), (f"{PN}.vSwitchOptions", ["db-h", "db-x"]))
    findings = findings_for(cfg)
    assert_finding(findings, "PNW003", f"{PN}.securityGroupIDs[1]", "`nope`", "cluster, db-clients")
    assert_finding(findings, "PNW003", f"{PN}.vSwitchOptions[1]", "`db-x`", "db-h")


def test_pnw003_adopted_ids_resolve():
    inv = Inventory(vswitches=[{"id": "vsw-extra1", "vpcId": "vpc-x", "zoneId": "cn-hangzhou-h",
                                "cidrBlock": "10.9.0.0/24"}],
                    security_groups=[{"id": "sg-extra1", "type": "enterprise"}])
    cfg = dev((f"{PN}.securityGroupIDs", ["sg-extra1"]))
    assert not only(findings_for(cfg, inv), "PNW003")
    assert_finding(findings_for(dev((f"{PN}.securityGroupIDs", ["sg-missing"])), inv), "PNW003",
                   f"{PN}.securityGroupIDs[0]", "sg-missing")


def test_pnw004_release_settings_need_fixed():
    cfg = dev((f"{PN}.allocationType.type", "Elastic"))
    findings = findings_for(cfg)
    assert_finding(findings, "PNW004", f"{PN}.allocationType.releaseStrategy", "`TTL`", "`Elastic`", "only to type Fixed")
    assert_finding(findings, "PNW004", f"{PN}.allocationType.releaseAfter", "`1h`", "only to type Fixed")
    cfg = dev((f"{PN}.allocationType", {"type": "Elastic"}))
    assert not only(findings_for(cfg), "PNW004")


def test_pnw005_release_after_only_with_ttl():
    cfg = dev((f"{PN}.allocationType.releaseStrategy", "Never"))
    assert_finding(findings_for(cfg), "PNW005", f"{PN}.allocationType.releaseAfter", "`1h`", "`Never`",
                   "only to releaseStrategy TTL")
    cfg = dev((f"{PN}.allocationType", {"type": "Fixed", "releaseStrategy": "Never"}))
    assert not only(findings_for(cfg), "PNW005")


def test_pnw005_ttl_needs_release_after():
    cfg = dev((f"{PN}.allocationType.releaseAfter", DELETE))
    assert_finding(findings_for(cfg), "PNW005", f"{PN}.allocationType.releaseAfter", "TTL without releaseAfter",
                   "5m", "Never")


def test_pnw006_release_after_too_short():
    cfg = dev((f"{PN}.allocationType.releaseAfter", "4m59s"))
    assert_finding(findings_for(cfg), "PNW006", f"{PN}.allocationType.releaseAfter", "`4m59s`", "299s", "5m")


def test_pnw006_release_after_not_a_go_duration():
    for bad in ("1 hour", "5", "1d", "h1"):
        cfg = dev((f"{PN}.allocationType.releaseAfter", bad))
        assert_finding(findings_for(cfg), "PNW006", f"{PN}.allocationType.releaseAfter", f"`{bad}`",
                       "not a Go duration", "5m")


def test_pnw006_passes_for_go_durations():
    for good in ("5m0s", "2h45m", "1h", "300s", "0.1h", "1h0m0.5s"):
        assert not only(findings_for(dev((f"{PN}.allocationType.releaseAfter", good))), "PNW006"), good


def test_pnw007_fixed_without_strategy():
    cfg = dev((f"{PN}.allocationType", {"type": "Fixed"}))
    # Terway v1.17.5 pkg/controller/pod-eni/eni_controller.go:649-652: no strategy -> the IP is kept forever
    assert_finding(findings_for(cfg), "PNW007", f"{PN}.allocationType.releaseStrategy", "mysql", "TTL", "Never",
                   "forever")
    assert not only(findings_for(dev()), "PNW007")


def test_pnw008_vswitch_in_another_vpc():
    inv = Inventory(vswitches=[{"id": "vsw-othervpc1", "vpcId": "vpc-other", "zoneId": "cn-hangzhou-h",
                                "cidrBlock": "10.9.0.0/24"}])
    cfg = dev((f"{PN}.vSwitchOptions", ["db-h", "db-i", "vsw-othervpc1"]))
    assert_finding(findings_for(cfg, inv), "PNW008", f"{PN}.vSwitchOptions[2]", "vsw-othervpc1", "vpc-other")
    assert not only(findings_for(dev(), inv), "PNW008")


def test_pnw008_nothing_to_default_to():
    cfg = dev((f"{PN}.vSwitchOptions", DELETE))
    vsw = [v for v in cfg["ackstack:network"]["vswitches"] if v["role"] != "pod"]
    cfg = with_value(cfg, "ackstack:network.vswitches", vsw)
    assert_finding(findings_for(cfg), "PNW008", f"{PN}.vSwitchOptions", "no vSwitchOptions", "at least 1")


def test_pnw009_vswitch_zone_without_nodes():
    cfg = dev()
    vsw = cfg["ackstack:network"]["vswitches"] + [
        {"name": "db-j", "role": "podnetworking", "zoneId": "cn-hangzhou-j", "cidr": "10.2.2.0/24"}]
    cfg = with_value(with_value(cfg, "ackstack:network.vswitches", vsw), f"{PN}.vSwitchOptions", ["db-h", "db-i", "db-j"])
    assert_finding(findings_for(cfg), "PNW009", f"{PN}.vSwitchOptions[2]", "db-j", "cn-hangzhou-j",
                   "cn-hangzhou-h, cn-hangzhou-i")


def test_pnw010_node_zone_missing_from_vswitch_options():
    findings = findings_for(dev((f"{PN}.vSwitchOptions", ["db-h"])))
    f = assert_finding(findings, "PNW010", f"{PN}.vSwitchOptions", "cn-hangzhou-i", "general", "nodeSelectors",
                       level="warning")
    assert "scale-out" not in f.message
    cfg = dev((f"{PN}.vSwitchOptions", ["db-h"]), ("ackstack:cluster.nodePools[0].autoscaling", True))
    assert_finding(findings_for(cfg), "PNW010", f"{PN}.vSwitchOptions", "autoscaling pools general",
                   "blocks scale-out")


def test_pnw011_no_selector():
    cfg = dev((f"{PN}.selector", {}))
    assert_finding(findings_for(cfg), "PNW011", f"{PN}.selector", "mysql", "neither", "matches no pod")


def test_pnw012_empty_selector():
    cfg = dev((f"{PN}.selector.podSelector", {}))
    findings = findings_for(cfg)
    assert_finding(findings, "PNW012", f"{PN}.selector.podSelector", "`{}`", "every pod", "at least 1")
    assert not only(findings, "PNW011")


def test_pnw013_fixed_with_non_statefulset():
    cfg = dev((f"{PN}.workloadKinds", ["StatefulSet", "Deployment"]))
    # Terway v1.17.5 mutating.go:313-318 skips Fixed for pods that are not fixed-name (pkg/utils/k8s.go:22-34)
    assert_finding(findings_for(cfg), "PNW013", f"{PN}.workloadKinds[1]", "`Deployment`", "StatefulSet",
                   "ReplicaSet", "cni.customStatefulWorkloadKinds")
    assert not only(findings_for(dev((f"{PN}.workloadKinds", ["StatefulSet", "Pod"]))), "PNW013")
    cfg = dev((f"{PN}.workloadKinds", ["Deployment"]), (f"{PN}.allocationType", {"type": "Elastic"}))
    assert not only(findings_for(cfg), "PNW013")
