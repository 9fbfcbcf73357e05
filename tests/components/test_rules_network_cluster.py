"""NET and CLU rules (and the adopted-object lookups): a passing and a failing case each; failures name
the config path, the value and the limit."""

import pytest

from ackstack.engine.testing import DELETE, findings_for, stack_config, with_value
from ackstack.inputs.inventory import Inventory


def only(findings, rule):
    found = [f for f in findings if f.rule == rule]
    assert found, f"no {rule} finding in {[f.line() for f in findings]}"
    return found


def none_of(findings, rule):
    assert rule not in {f.rule for f in findings}, [f.line() for f in findings if f.rule == rule]


@pytest.fixture(scope="module")
def dev():
    return stack_config("dev")


@pytest.mark.parametrize("stack", ["dev", "prod", "staging"])
def test_examples_pass_every_net_and_clu_rule(stack):
    rules = {f.rule for f in findings_for(stack_config(stack))}
    assert not {r for r in rules if r.startswith(("NET", "CLU"))}


def test_net001_vpc_cidr_outside_private_ranges(dev):
    cfg = with_value(dev, "ackstack:network.vpc.cidr", "100.64.0.0/10")
    [f] = only(findings_for(cfg), "NET001")
    assert f.path == "ackstack:network.vpc.cidr" and "100.64.0.0/10" in f.message and "/8" in f.message


def test_net002_vswitch_outside_vpc_and_prefix_limit(dev):
    cfg = with_value(dev, "ackstack:network.vpc.cidr", "10.0.0.0/16")
    found = only(findings_for(cfg), "NET002")
    assert any(f.path == "ackstack:network.vswitches[2].cidr" and "10.1.0.0/19" in f.message
               and "10.0.0.0/16" in f.message for f in found)
    tiny = with_value(dev, "ackstack:network.vswitches[4].cidr", "10.2.0.0/30")
    [f] = [f for f in only(findings_for(tiny), "NET002") if "prefix" in f.message]
    assert f.path == "ackstack:network.vswitches[4].cidr" and "/30" in f.message and "/29" in f.message


def test_net003_overlapping_vswitches(dev):
    cfg = with_value(dev, "ackstack:network.vswitches[1].cidr", "10.0.0.0/23")
    [f] = only(findings_for(cfg), "NET003")
    assert f.path == "ackstack:network.vswitches[1]" and "node-h" in f.message and "10.0.0.0/22" in f.message


def test_net004_duplicate_names(dev):
    cfg = with_value(dev, "ackstack:network.vswitches[1].name", "node-h")
    [f] = only(findings_for(cfg), "NET004")
    assert f.path == "ackstack:network.vswitches[1].name" and "node-h" in f.message and "unique" in f.message


def test_net005_reference_to_unknown_security_group(dev):
    cfg = with_value(dev, "ackstack:cluster.securityGroup", "clustr")
    [f] = only(findings_for(cfg), "NET005")
    assert f.path == "ackstack:cluster.securityGroup" and "clustr" in f.message and "db-clients" in f.message


def test_net006_service_cidr_overlap_and_range(dev):
    overlap = with_value(dev, "ackstack:cluster.serviceCidr", "10.200.0.0/16")
    [f] = only(findings_for(overlap), "NET006")
    assert f.path == "ackstack:cluster.serviceCidr" and "10.0.0.0/8" in f.message
    wide = with_value(dev, "ackstack:cluster.serviceCidr", "192.168.0.0/25")
    [f] = only(findings_for(wide), "NET006")
    assert "192.168.0.0/25" in f.message and "/16" in f.message and "/24" in f.message
    missing = with_value(dev, "ackstack:cluster.serviceCidr", DELETE)
    [f] = only(findings_for(missing), "NET006")
    assert "required" in f.message


def test_clu001_non_pro_spec(dev):
    cfg = with_value(dev, "ackstack:cluster.clusterSpec", "ack.standard")
    [f] = only(findings_for(cfg), "CLU001")
    assert f.path == "ackstack:cluster.clusterSpec" and "ack.standard" in f.message and "ack.pro.small" in f.message


def test_clu002_unknown_kubernetes_version(dev):
    cfg = with_value(dev, "ackstack:cluster.kubernetesVersion", "1.20.4-aliyun.1")
    [f] = only(findings_for(cfg), "CLU002")
    assert f.level == "warning" and f.path == "ackstack:cluster.kubernetesVersion" and "1.20.4-aliyun.1" in f.message


def test_clu003_node_pool_zone_without_node_vswitch(dev):
    cfg = with_value(dev, "ackstack:cluster.nodePools[0].zones", ["cn-hangzhou-h", "cn-hangzhou-k"])
    [f] = only(findings_for(cfg), "CLU003")
    assert f.path == "ackstack:cluster.nodePools[0].zones[1]" and "cn-hangzhou-k" in f.message
    assert "cn-hangzhou-h, cn-hangzhou-i" in f.message


def test_clu004_no_node_pools(dev):
    cfg = with_value(dev, "ackstack:cluster.nodePools", [])
    [f] = only(findings_for(cfg), "CLU004")
    assert f.level == "warning" and f.path == "ackstack:cluster.nodePools"


def test_clu005_production_without_deletion_protection(dev):
    cfg = with_value(dev, "ackstack:environment.production", True)
    [f] = only(findings_for(cfg), "CLU005")
    assert f.path == "ackstack:cluster.deletionProtection" and "production" in f.message
    none_of(findings_for(with_value(cfg, "ackstack:cluster.deletionProtection", True)), "CLU005")


def test_clu006_public_api_server_in_production():
    prod = stack_config("prod")
    none_of(findings_for(prod), "CLU006")
    [f] = only(findings_for(with_value(prod, "ackstack:cluster.apiServer.public", True)), "CLU006")
    assert f.level == "warning" and f.path == "ackstack:cluster.apiServer.public"


ADOPTED = Inventory.from_mapping({
    "vpcs": [{"id": "vpc-adopted", "cidrBlock": "10.0.0.0/8"}],
    "vswitches": [{"id": "vsw-adoptednode", "vpcId": "vpc-adopted", "zoneId": "cn-hangzhou-h",
                   "cidrBlock": "10.0.0.0/22"}],
    "securityGroups": [{"id": "sg-adoptedbasic", "vpcId": "vpc-adopted", "type": "normal"}],
})


def adopting(dev):
    cfg = with_value(dev, "ackstack:network.vpc", {"id": "vpc-adopted"})
    cfg = with_value(cfg, "ackstack:network.vswitches[0]", {"name": "node-h", "role": "node", "id": "vsw-adoptednode"})
    return cfg


def test_adopted_objects_resolve_through_the_inventory(dev):
    found = {f.rule for f in findings_for(adopting(dev), ADOPTED)}
    assert not found & {"NET010", "NET011", "NET012", "NET013", "NET014"}


def test_net010_and_net014_adopted_ids_not_found(dev):
    findings = findings_for(adopting(dev), Inventory())
    [vsw] = only(findings, "NET010")
    assert vsw.path == "ackstack:network.vswitches[0].id" and "vsw-adoptednode" in vsw.message
    [vpc] = only(findings, "NET014")
    assert vpc.path == "ackstack:network.vpc.id" and "vpc-adopted" in vpc.message


def test_net011_adopted_vswitch_zone_mismatch(dev):
    cfg = with_value(adopting(dev), "ackstack:network.vswitches[0].zoneId", "cn-hangzhou-i")
    [f] = only(findings_for(cfg, ADOPTED), "NET011")
    assert f.path == "ackstack:network.vswitches[0].zoneId" and "cn-hangzhou-h" in f.message


def test_net012_and_net013_adopted_security_groups(dev):
    missing = with_value(dev, "ackstack:network.securityGroups[1]", {"name": "db-clients", "id": "sg-nope"})
    [f] = only(findings_for(missing, ADOPTED), "NET012")
    assert f.path == "ackstack:network.securityGroups[1].id" and "sg-nope" in f.message
    mistyped = with_value(dev, "ackstack:network.securityGroups[1]", {"name": "db-clients", "id": "sg-adoptedbasic"})
    [f] = only(findings_for(mistyped, ADOPTED), "NET013")
    assert f.path == "ackstack:network.securityGroups[1].type" and "basic" in f.message and "enterprise" in f.message
