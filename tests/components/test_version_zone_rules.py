"""VER001 (Terway version gates) and ASZ001 (autoscaling pools in zones a PodNetworking does not cover)."""

from __future__ import annotations

from ackstack.engine.testing import DELETE, findings_for, stack_config, with_value
from ackstack_core.versions import parse_version

POOL = "ackstack:cluster.nodePools[0]"


def only(findings, rule):
    return [f for f in findings if f.rule == rule]


def dev():
    return stack_config("dev")


def test_parse_version():
    assert parse_version("v1.10.3") == (1, 10, 3) and parse_version("1.11.0") == (1, 11, 0)


# ---------------------------------------------------------------- VER001
def test_ver001_pass_without_version_and_with_new_version():
    assert only(findings_for(dev()), "VER001") == []
    assert only(findings_for(with_value(dev(), "ackstack:cni.version", "v1.11.0")), "VER001") == []


def test_ver001_old_terway_rejects_new_fields():
    found = only(findings_for(with_value(dev(), "ackstack:cni.version", "v1.10.9")), "VER001")
    assert [(f.level, f.path) for f in found] == [
        ("error", "ackstack:podNetworkings[0].vSwitchSelectOptions"),
        ("error", "ackstack:podNetworkings[0].eniOptions"),
    ]
    assert all("`mysql`" in f.message and "v1.11.0" in f.message and "v1.10.9" in f.message for f in found)


def test_ver001_controlplane_version_too():
    found = only(findings_for(with_value(dev(), "ackstack:cni.controlplaneVersion", "v1.10.0")), "VER001")
    assert len(found) == 2 and "cni.controlplaneVersion is v1.10.0" in found[0].message


def test_ver001_only_fields_that_are_set():
    cfg = with_value(dev(), "ackstack:cni.version", "1.9.0")
    cfg = with_value(cfg, "ackstack:podNetworkings[0].eniOptions", DELETE)
    assert [f.path for f in only(findings_for(cfg), "VER001")] == [
        "ackstack:podNetworkings[0].vSwitchSelectOptions"]


# ---------------------------------------------------------------- ASZ001
def with_zone_k(cfg):
    cfg = with_value(cfg, f"{POOL}.zones", ["cn-hangzhou-h", "cn-hangzhou-i", "cn-hangzhou-k"])
    cfg["ackstack:network"]["vswitches"].append(
        {"name": "node-k", "role": "node", "zoneId": "cn-hangzhou-k", "cidr": "10.0.8.0/22"})
    return cfg


def test_asz001_pass_covered_zones_or_no_autoscaling():
    assert only(findings_for(with_value(dev(), f"{POOL}.autoscaling", True)), "ASZ001") == []
    assert only(findings_for(with_zone_k(dev())), "ASZ001") == []  # not autoscaling


def test_asz001_autoscaling_pool_in_uncovered_zone():
    cfg = with_value(with_zone_k(dev()), f"{POOL}.autoscaling", True)
    found = only(findings_for(cfg), "ASZ001")
    assert [(f.level, f.path) for f in found] == [("warning", f"{POOL}.zones[2]")]
    msg = found[0].message
    assert "`general`" in msg and "cn-hangzhou-k" in msg and "`mysql`" in msg
    assert "cn-hangzhou-h, cn-hangzhou-i" in msg


def test_asz001_byocni_never():
    cfg = with_value(stack_config("staging"), f"{POOL}.autoscaling", True)
    assert only(findings_for(cfg), "ASZ001") == []
