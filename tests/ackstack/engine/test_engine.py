"""The offline engine answers like the providers: real id shapes, computed outputs, invokes,
captured dependencies and options, and no state shared between runs."""

import re

import pulumi
import pulumi_alicloud as alicloud
import pytest
import yaml

from ackstack.engine.engine import mask_secrets, run_program
from ackstack.engine.providers import UnknownInvoke
from ackstack.inputs.inventory import Inventory, InventoryError

VPC = "alicloud:vpc/network:Network"
SWITCH = "alicloud:vpc/switch:Switch"
CLUSTER = "alicloud:cs/managedKubernetes:ManagedKubernetes"
NODEPOOL = "alicloud:cs/nodePool:NodePool"
SG = "alicloud:ecs/securityGroup:SecurityGroup"


def small_program():
    vpc = alicloud.vpc.Network("vpc", cidr_block="10.0.0.0/8")
    sw = alicloud.vpc.Switch("sw", vpc_id=vpc.id, cidr_block="10.1.0.0/20", zone_id="cn-hangzhou-h")
    sg = alicloud.ecs.SecurityGroup("sg", vpc_id=vpc.id, security_group_type="enterprise")
    cluster = alicloud.cs.ManagedKubernetes(
        "c", cluster_spec="ack.pro.small", vswitch_ids=[sw.id], security_group_id=sg.id,
        opts=pulumi.ResourceOptions(protect=True, custom_timeouts=pulumi.CustomTimeouts(delete="60m")),
    )
    alicloud.cs.NodePool("np", cluster_id=cluster.id, vswitch_ids=[sw.id], instance_types=["ecs.g7.xlarge"])
    cred = alicloud.cs.get_cluster_credential_output(cluster_id=cluster.id)
    pulumi.export("kubeconfig", pulumi.Output.secret(cred.kube_config))
    pulumi.export("region", pulumi.Config("alicloud").get("region"))


def test_ids_have_real_prefixes():
    run = run_program(small_program, config={"alicloud:region": "cn-hangzhou"})
    assert run.error is None
    assert re.fullmatch(r"vpc-bp1[a-z0-9]{18,22}", run.one(VPC).id)
    assert re.fullmatch(r"vsw-bp1[a-z0-9]{18,22}", run.one(SWITCH).id)
    assert re.fullmatch(r"sg-bp1[a-z0-9]{18,22}", run.one(SG).id)
    cluster_id = run.one(CLUSTER).id
    assert re.fullmatch(r"c[0-9a-f]{32}", cluster_id)
    assert re.fullmatch(rf"{cluster_id}:np[0-9a-f]{{32}}", run.one(NODEPOOL).id)


def test_region_changes_id_infix_and_stack_changes_ids():
    a = run_program(small_program, config={"alicloud:region": "cn-shanghai"}, stack="a")
    b = run_program(small_program, config={"alicloud:region": "cn-shanghai"}, stack="b")
    assert a.one(VPC).id.startswith("vpc-uf6")
    assert a.one(VPC).id != b.one(VPC).id


def test_computed_outputs_programs_read():
    run = run_program(small_program, config={})
    switch = run.one(SWITCH)
    assert switch.outputs["zoneId"] == "cn-hangzhou-h"
    assert "availableIpAddressCount" not in switch.outputs  # not an output of vpc.Switch in 4.0.0 (issue #23)
    cluster = run.one(CLUSTER).outputs
    intranet = cluster["connections"][0]["apiServerIntranet"]
    assert re.fullmatch(r"https://10\.1\.\d+\.\d+:6443", intranet)
    assert cluster["securityGroupId"] == run.one(SG).id
    assert cluster["vpcId"] == run.one(VPC).id


def test_cluster_credential_is_a_valid_kubeconfig_pointing_at_the_cluster():
    run = run_program(small_program, config={})
    assert "kubeconfig" in run.secret_outputs
    kubeconfig = yaml.safe_load(run.outputs["kubeconfig"])
    assert kubeconfig["kind"] == "Config"
    server = kubeconfig["clusters"][0]["cluster"]["server"]
    assert server == run.one(CLUSTER).outputs["connections"][0]["apiServerIntranet"]
    assert kubeconfig["current-context"] in {c["name"] for c in kubeconfig["contexts"]}
    assert ("alicloud:cs/getClusterCredential:getClusterCredential",
            {"clusterId": run.one(CLUSTER).id}) in [(t, {k: v for k, v in a.items() if v is not None})
                                                     for t, a in run.invokes]


def test_dependencies_parent_and_options_are_captured():
    run = run_program(small_program, config={})
    urns = {r.type: r.urn for r in run.registrations}
    assert run.one(SWITCH).dependencies == [urns[VPC]]
    assert set(run.one(CLUSTER).dependencies) == {urns[SWITCH], urns[SG]}
    assert run.one(CLUSTER).property_dependencies["vswitchIds"] == [urns[SWITCH]]
    assert run.one(CLUSTER).protect is True and run.one(VPC).protect is False
    assert run.one(CLUSTER).options["customTimeouts"] == {"delete": "60m"}
    assert run.one(VPC).parent.endswith("pulumi:pulumi:Stack::ackstack-test")


def test_runs_are_isolated():
    first = run_program(small_program, config={"alicloud:region": "cn-beijing"}, stack="one")
    second = run_program(small_program, config={}, stack="two")
    assert first.outputs["region"] == "cn-beijing"
    assert second.outputs["region"] is None  # config did not leak
    assert len(second.registrations) == len(first.registrations)  # nothing carried over
    assert all(":two::" in r.urn for r in second.registrations)


def test_adopted_vswitches_come_from_the_inventory():
    inventory = Inventory.from_mapping({"vswitches": [
        {"id": "vsw-adopted1", "vpcId": "vpc-adopted", "zoneId": "cn-hangzhou-k", "cidrBlock": "10.9.0.0/24"}]})

    def program():
        found = alicloud.vpc.get_switches(ids=["vsw-adopted1"])
        pulumi.export("zone", found.vswitches[0].zone_id)
        pulumi.export("cidr", found.vswitches[0].cidr_block)
        pulumi.export("missing", len(alicloud.vpc.get_switches(ids=["vsw-nope"]).vswitches))

    run = run_program(program, config={}, inventory=inventory)
    assert run.outputs == {"zone": "cn-hangzhou-k", "cidr": "10.9.0.0/24", "missing": 0}


def test_unknown_invoke_is_an_error_not_a_guess():
    def program():
        alicloud.ecs.get_instance_types(cpu_core_count=4)

    run = run_program(program, config={})
    assert isinstance(run.error, UnknownInvoke) or "does not answer invoke" in str(run.error)


def test_inventory_rejects_unknown_keys():
    with pytest.raises(InventoryError, match="unknown key"):
        Inventory.from_mapping({"vswitch": []})


def test_mask_secrets_masks_engine_wrapped_secrets():
    wrapped = {"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", "value": "hunter2"}
    assert mask_secrets({"a": [wrapped], "b": "plain"}) == {"a": ["[secret]"], "b": "plain"}
