"""TWY0xx and K8S0xx rules: each one failing (rule id, exact config path, value and limit in the
message) and passing."""

from __future__ import annotations

import pytest

from ackstack.engine.testing import DELETE, findings_for, plan_for, stack_config, stack_inventory, with_value
from ackstack.inputs.inventory import Inventory

MY_RULES = ({f"TWY0{n:02d}" for n in (*range(1, 11), *range(20, 25))} | {f"PNW0{n:02d}" for n in range(1, 20)}
            | {"K8S001", "K8S002", "K8S003", "SEL002"})


def only(findings, rule_id):
    return [f for f in findings if f.rule == rule_id]


def assert_finding(findings, rule_id, path, *words, level=None):
    hits = [f for f in only(findings, rule_id) if f.path == path]
    assert hits, f"no {rule_id} at {path}; got {[f.line() for f in findings]}"
    finding = hits[0]
    for word in words:
        assert word in finding.message, (word, finding.message)
    if level:
        assert finding.level == level
    return finding


def dev(*edits):
    cfg = stack_config("dev")
    for path, value in edits:
        cfg = with_value(cfg, path, value)
    return cfg


def with_basic_group(cfg):
    groups = cfg["ackstack:network"]["securityGroups"] + [{"name": "legacy", "type": "basic"}]
    return with_value(cfg, "ackstack:network.securityGroups", groups)


@pytest.mark.parametrize("stack", ["dev", "prod", "existing"])
def test_example_stacks_have_no_terway_findings(stack):
    findings = findings_for(stack_config(stack), stack_inventory(stack))
    assert not [f.line() for f in findings if f.rule in MY_RULES]
    assert not [f.line() for f in findings if f.level == "error"]


# ---------------------------------------------------------------- TWY001 / TWY002
def test_twy001_too_many_eni_security_groups():
    cfg = dev(("ackstack:cni.eniSecurityGroups", ["cluster", "db-clients"]),
              ("ackstack:capacity", {"maxSecurityGroupsPerEni": 1}))
    f = assert_finding(findings_for(cfg), "TWY001", "ackstack:cni.eniSecurityGroups", "2 security groups",
                       "cluster, db-clients", "limit of 1", level="error")
    assert "10" in f.message


def test_twy001_passes_at_the_limit():
    cfg = dev(("ackstack:cni.eniSecurityGroups", ["cluster", "db-clients"]),
              ("ackstack:capacity", {"maxSecurityGroupsPerEni": 2}))
    assert not only(findings_for(cfg), "TWY001")


def with_groups(cfg, count):
    """`cfg` with `count` enterprise groups g0.. added and listed in cni.eniSecurityGroups."""
    names = [f"g{i}" for i in range(count)]
    groups = cfg["ackstack:network"]["securityGroups"] + [{"name": n, "type": "enterprise"} for n in names]
    cfg = with_value(cfg, "ackstack:network.securityGroups", groups)
    return with_value(cfg, "ackstack:cni.eniSecurityGroups", names)


@pytest.mark.parametrize(("version", "fires"), [("v1.12.1", True), ("v1.13.7", False), (None, False)])
def test_twy001_follows_the_terway_eniip_version(version, fires):
    """terway-eniip's Config.Validate: at most 5 security_groups up to v1.12, 10 from v1.13
    (AliyunContainerService/terway types/daemon/config.go:110 at v1.12.1, :117 at v1.13.7); unpinned: newest."""
    cfg = with_groups(dev(("ackstack:capacity", {"maxSecurityGroupsPerEni": 10})), 6)
    if version:
        cfg = with_value(cfg, "ackstack:cni.version", version)
    found = only(findings_for(cfg), "TWY001")
    assert bool(found) == fires, [f.line() for f in found]
    if fires:  # the union: eni-config's security_group (the cluster's group) and the 6 listed
        assert_finding(found, "TWY001", "ackstack:cni.eniSecurityGroups", "7 security groups", "exceed the 5",
                       "terway-eniip v1.12.1", "types/daemon/config.go", level="error")
    else:  # within Terway's 10 and the declared quota of 10: a warning naming the declaration
        assert_finding(findings_for(cfg), "TWY025", "ackstack:cni.eniSecurityGroups", "7 security groups",
                       "capacity.maxSecurityGroupsPerEni (10; ECS default 5)", level="warning")


def test_twy001_adopted_cluster_reads_the_installed_eniip_version():
    """No cni.version on an adopted cluster: the installed add-on's version decides (inventory addons)."""
    from tests.components.test_terway_behaviour_rules import existing, existing_inventory

    cfg = with_groups(existing(("ackstack:capacity", {"maxSecurityGroupsPerEni": 10})), 6)
    old = existing_inventory(addons={"terway-eniip": "v1.12.1"})
    assert_finding(findings_for(cfg, old), "TWY001", "ackstack:cni.eniSecurityGroups", "exceed the 5",
                   "terway-eniip v1.12.1")
    assert not only(findings_for(cfg, stack_inventory("existing")), "TWY001")  # inventory: v1.13.7


def test_twy001_counts_the_union_of_security_group_and_security_groups():
    """Every ENI gets eni-config's security_group plus security_groups (AliyunContainerService/terway v1.17.5
    types/daemon/config.go:84-91); a group named and given by id counts once."""
    from tests.components.test_terway_behaviour_rules import existing

    plain = existing()  # eniConf.security_group sg-bp1existcluster0000001 is the group `cluster` listed
    assert plan_for(plain, stack_inventory("existing")).eni_security_groups() == ["sg-bp1existcluster0000001"]
    cfg = with_groups(existing(), 4)  # 4 listed + the cluster's group in security_group: 5, the ECS default
    assert not only(findings_for(cfg, stack_inventory("existing")), "TWY001")
    cfg = with_groups(existing(), 5)  # 5 listed, 6 on every ENI
    assert_finding(findings_for(cfg, stack_inventory("existing")), "TWY001", "ackstack:cni.eniSecurityGroups",
                   "6 security groups (sg-bp1existcluster0000001, g0, g1, g2, g3, g4)", "ECS limit of 5")


def test_twy002_mixed_eni_security_group_types():
    cfg = with_basic_group(dev(("ackstack:cni.eniSecurityGroups", ["cluster", "legacy"])))
    assert_finding(findings_for(cfg), "TWY002", "ackstack:cni.eniSecurityGroups", "basic: legacy",
                   "enterprise: cluster", "one type")
    cfg = with_basic_group(dev(("ackstack:cni.eniSecurityGroups", ["cluster", "db-clients"])))
    assert not only(findings_for(cfg), "TWY002")


# ---------------------------------------------------------------- TWY003 / TWY004
def test_twy003_worker_zone_without_pod_vswitch():
    cfg = dev()
    vsw = [v for v in cfg["ackstack:network"]["vswitches"] if v["name"] != "pod-i"]
    cfg = with_value(cfg, "ackstack:network.vswitches", vsw)
    assert_finding(findings_for(cfg), "TWY003", "ackstack:network.vswitches", "cn-hangzhou-i", "general",
                   "pod vSwitch zones: cn-hangzhou-h")


def test_twy004_pod_and_node_vswitch_same_id():
    cfg = stack_config("existing")
    cfg = with_value(cfg, "ackstack:network.vswitches[2].id", "vsw-bp1existnodeh00000001")
    f = assert_finding(findings_for(cfg, stack_inventory("existing")), "TWY004", "ackstack:network.vswitches[2].id",
                       "vsw-bp1existnodeh00000001", "pod-h", "node-h")
    assert "distinct" in f.message


# ---------------------------------------------------------------- TWY005 / TWY006
def test_twy005_unsupported_instance_type():
    # a declared (verified) figure without trunk support is an error
    cfg = dev(("ackstack:cluster.nodePools[0].instanceTypes", ["ecs.g7.xlarge", "ecs.g6.xlarge"]),
              ("ackstack:capacity", {"instanceTypes": {"ecs.g6.xlarge": {
                  "eniQuantity": 3, "eniTotalQuantity": 3, "ipv4PerEni": 10, "trunkSupported": False}}}))
    assert_finding(findings_for(cfg), "TWY005", "ackstack:cluster.nodePools[0].instanceTypes[1]", "ecs.g6.xlarge",
                   "EniTrunkSupported=false", "g7")


def test_twy006_unverified_no_trunk_figure_is_a_warning():
    cfg = dev(("ackstack:cluster.nodePools[0].instanceTypes", ["ecs.g7.xlarge", "ecs.g6.xlarge"]))
    findings = findings_for(cfg)
    assert not only(findings, "TWY005")
    assert_finding(findings, "TWY006", "ackstack:cluster.nodePools[0].instanceTypes[1]", "ecs.g6.xlarge",
                   "unverified", "capacity.instanceTypes", level="warning")


def test_twy005_override_makes_it_supported():
    cfg = dev(("ackstack:cluster.nodePools[0].instanceTypes", ["ecs.g6.xlarge"]),
              ("ackstack:capacity", {"instanceTypes": {"ecs.g6.xlarge": {
                  "eniQuantity": 3, "eniTotalQuantity": 10, "ipv4PerEni": 10, "trunkSupported": True}}}))
    findings = findings_for(cfg)
    assert not only(findings, "TWY005") and not only(findings, "TWY006")


def test_twy006_unknown_instance_type():
    cfg = dev(("ackstack:cluster.nodePools[0].instanceTypes", ["ecs.hfx9.large"]))
    assert_finding(findings_for(cfg), "TWY006", "ackstack:cluster.nodePools[0].instanceTypes[0]", "ecs.hfx9.large",
                   "unknown", "EniTrunkSupported", level="warning")


# ---------------------------------------------------------------- TWY007 / TWY008
def test_twy007_trunking_off_below_131():
    cfg = dev(("ackstack:cluster.kubernetesVersion", "1.30.7-aliyun.1"), ("ackstack:cni.trunking", False))
    findings = findings_for(cfg)
    assert_finding(findings, "TWY007", "ackstack:cni.trunking", "1.30.7-aliyun.1", "1.31", level="error")
    assert not only(findings, "TWY008")


def test_twy007_passes_with_trunking_on_below_131():
    cfg = dev(("ackstack:cluster.kubernetesVersion", "1.30.7-aliyun.1"))
    assert not only(findings_for(cfg), "TWY007")


def test_twy008_trunking_off_from_131_is_ignored_by_ack():
    findings = findings_for(dev(("ackstack:cni.trunking", False)))
    assert_finding(findings, "TWY008", "ackstack:cni.trunking", "1.35.2-aliyun.1", "1.31", "cannot be turned off",
                   level="warning")
    assert not only(findings, "TWY007")


# ---------------------------------------------------------------- TWY009 / TWY010
def test_twy009_existing_cluster_needs_eni_conf():
    inv = stack_inventory("existing")
    cfg = with_value(stack_config("existing"), "ackstack:cluster.existing.eniConf", DELETE)
    assert_finding(findings_for(cfg, inv), "TWY009", "ackstack:cluster.existing.eniConf", "eni_conf",
                   "enable_eni_trunking", "credential_path")
    cfg = with_value(stack_config("existing"), "ackstack:cluster.existing.eniConf", "{not json")
    assert_finding(findings_for(cfg, inv), "TWY009", "ackstack:cluster.existing.eniConf", "not valid JSON")
    cfg = with_value(stack_config("existing"), "ackstack:cluster.existing.eniConf", '{"max_pool_size": 5}')
    assert not only(findings_for(cfg, inv), "TWY009")


def test_twy009_existing_cluster_needs_trunking_on():
    cfg = with_value(stack_config("existing"), "ackstack:cni.trunking", False)
    assert_finding(findings_for(cfg, stack_inventory("existing")), "TWY009", "ackstack:cni.trunking", "true")


def test_twy010_old_terway_with_implicit_fields():
    cfg = dev(("ackstack:podNetworkings[0].vSwitchSelectOptions", DELETE), ("ackstack:cni.version", "v1.10.3"))
    assert_finding(findings_for(cfg), "TWY010", "ackstack:cni.version", "v1.10.3", "v1.11.0", "mysql")
    assert not only(findings_for(dev(("ackstack:podNetworkings[0].vSwitchSelectOptions", DELETE),
                                     ("ackstack:cni.version", "v1.11.0"))), "TWY010")


# ---------------------------------------------------------------- K8S00x
def test_k8s001_podnetworking_name():
    cfg = dev(("ackstack:podNetworkings[0].name", "MySQL_db"))
    assert_finding(findings_for(cfg), "K8S001", "ackstack:podNetworkings[0].name", "MySQL_db", "DNS subdomain")
    assert not only(findings_for(dev(("ackstack:podNetworkings[0].name", "mysql.primary-1"))), "K8S001")


def test_k8s002_namespace_name():
    cfg = dev(("ackstack:namespaces[0].name", "Data.bases"))
    assert_finding(findings_for(cfg), "K8S002", "ackstack:namespaces[0].name", "Data.bases", "DNS label")


def test_k8s003_selector_and_namespace_labels():
    cfg = dev(("ackstack:podNetworkings[0].selector.podSelector.matchLabels", {"bad key!": "x"}),
              ("ackstack:namespaces[0].labels", {"network": "v" * 64}))
    findings = findings_for(cfg)
    assert_finding(findings, "K8S003", "ackstack:podNetworkings[0].selector.podSelector.matchLabels.bad key!",
                   "bad key!", "63")
    assert_finding(findings, "K8S003", "ackstack:namespaces[0].labels.network", "64 characters", "at most 63")
    cfg = dev(("ackstack:podNetworkings[0].selector.podSelector.matchLabels",
               {"app.kubernetes.io/name": "mysql", "tier": ""}))
    assert not only(findings_for(cfg), "K8S003")


def test_k8s003_match_expression_values():
    expr = [{"key": "example.com/app", "operator": "In", "values": ["ok", "-bad"]}]
    cfg = dev(("ackstack:podNetworkings[0].selector.podSelector", {"matchExpressions": expr}))
    assert_finding(findings_for(cfg), "K8S003",
                   "ackstack:podNetworkings[0].selector.podSelector.matchExpressions[0].values[1]", "-bad")


def test_rules_are_silent_outside_terway_mode():
    inv = Inventory()
    cfg = dev(("ackstack:cni", {"mode": "byocni-cilium", "podCidr": "172.20.0.0/16"}),
              ("ackstack:podNetworkings[0].name", "Bad_Name"),
              ("ackstack:cluster.nodePools[0].instanceTypes", ["ecs.g6.xlarge"]))
    assert not [f for f in findings_for(cfg, inv) if f.rule in MY_RULES]
