"""The engine checks what pulumi-alicloud 4.0.0 checks (PRV001-PRV009), from the extracted provider schema,
and the validation rules catch the same cases earlier with their config path."""

import pulumi_alicloud as alicloud
import pytest

from ackstack.engine.engine import run_program
from ackstack.engine.testing import findings_for, stack_config, with_value
from ackstack.preview.preview import PreviewResult, _program_findings
from ackstack_core import constants as C
from ackstack_core.provider_schema import PROVIDER_COMMIT, SCHEMA

T_CLUSTER = "alicloud:cs/managedKubernetes:ManagedKubernetes"
T_POOL = "alicloud:cs/nodePool:NodePool"
T_RULE = "alicloud:ecs/securityGroupRule:SecurityGroupRule"
VSW = [f"vsw-bp1{i:020d}" for i in range(7)]


def _cluster(**overrides):
    args = {"name": "c", "cluster_spec": "ack.pro.small", "vswitch_ids": VSW[:2], **overrides}
    return lambda: alicloud.cs.ManagedKubernetes("c", **args)


def _rule(**overrides):
    args = {"security_group_id": "sg-bp1x", "type": "ingress", "ip_protocol": "tcp", "port_range": "22/22",
            "cidr_ip": "10.0.0.0/8", **overrides}
    return lambda: alicloud.ecs.SecurityGroupRule("r", **args)


def _pool(**overrides):
    args = {"cluster_id": "c1", "node_pool_name": "p", "vswitch_ids": VSW[:1], "instance_types": ["ecs.g7.xlarge"],
            "key_name": "k", **overrides}
    return lambda: alicloud.cs.NodePool("p", **args)


CASES = [
    # rule, program, type, field, value shown, limit text, schema line of the field (None: Create-time check)
    ("PRV001", _rule(type=""), T_RULE, "type", '""', "required", 33),
    ("PRV002", _cluster(cluster_spec="ack.pro.medium"), T_CLUSTER, "clusterSpec", '"ack.pro.medium"',
     "one of ack.standard, ack.pro.small, ack.pro.xlarge, ack.pro.2xlarge, ack.pro.4xlarge", 349),
    ("PRV003", _rule(priority=101), T_RULE, "priority", "101", "between 1 and 100", 53),
    ("PRV003", _cluster(name="x" * 64), T_CLUSTER, "name", '"' + "x" * 64 + '"', "length between 1 and 63", 51),
    ("PRV004", _cluster(vswitch_ids=VSW[:6]), T_CLUSTER, "vswitchIds", "", "at most 5 item(s), got 6", 90),
    ("PRV004", _cluster(vswitch_ids=[]), T_CLUSTER, "vswitchIds", "[]", "at least 1 item(s), got 0", 90),
    ("PRV005", _cluster(vswitch_ids=None), T_CLUSTER, "vswitchIds", "null",
     "exactly one of workerVswitchIds, vswitchIds, zoneIds must be set, got 0", 90),
    ("PRV005", _cluster(zone_ids=["cn-hangzhou-h"]), T_CLUSTER, "vswitchIds", "zoneIds",
     "exactly one of workerVswitchIds, vswitchIds, zoneIds must be set, got 2", 90),
    ("PRV003", _pool(scaling_config={"enable": True, "min_size": 0, "max_size": 2001}), T_POOL,
     "scalingConfig[0].maxSize", "2001", "between 0 and 2000", 804),
    ("PRV006", _pool(password="Secret-123"), T_POOL, "keyName", '"k"', "conflicts with `password`", 300),
    ("PRV007", _rule(cidr_ip=None), T_RULE, "cidrIp", "null",
     "at least one of cidrIp, ipv6CidrIp, sourceSecurityGroupId, prefixListId must be set", 60),
    ("PRV008", _rule(port_range="-1/-1"), T_RULE, "portRange", '"-1/-1"', "needs a port range inside [1, 65535]", None),
    ("PRV008", _rule(ip_protocol="all"), T_RULE, "portRange", '"22/22"', "takes only port range -1/-1", None),
    ("PRV008", _rule(port_range="1/99999"), T_RULE, "portRange", '"1/99999"', "leaves [1, 65535]", None),
    ("PRV009", _rule(cidr_ip="10.0.0.0/33"), T_RULE, "cidrIp", '"10.0.0.0/33"', "not an IPv4 CIDR", 60),
]


@pytest.mark.parametrize(("rule", "program", "type_", "field", "value", "limit", "line"), CASES,
                         ids=[f"{c[0]}-{c[3]}-{i}" for i, c in enumerate(CASES)])
def test_engine_refuses_what_the_provider_refuses(rule, program, type_, field, value, limit, line):
    run = run_program(program, config={})
    assert run.error is None, run.error
    found = [f for _, f in run.check_failures if f.rule == rule and f.field == field]
    assert found, [f.message() for _, f in run.check_failures]
    message = found[0].message()
    assert type_ in message and f"`{field}`" in message and value in message and limit in message
    assert PROVIDER_COMMIT[:12] in message and SCHEMA[type_]["file"] in message
    if line is not None:
        assert f"{SCHEMA[type_]['file']}:{line}" in message, message
    # the preview turns each refusal into an error finding with the URN: exit 1, like `pulumi up` failing
    findings = _program_findings(run)
    assert any(f["rule"] == rule and f["level"] == "error" and f["source"] == "provider" and f["urn"].endswith("::" + found[0].name)
               for f in findings)
    assert PreviewResult("t", run, findings, [], {}).blocked


def test_an_accepted_registration_has_no_refusal():
    for program in (_cluster(), _rule(), _pool(), _rule(ip_protocol="icmp", port_range="-1/-1")):
        assert run_program(program, config={}).check_failures == []


def test_provider_commit_is_recorded_once_and_is_the_release_v2_commit():
    assert PROVIDER_COMMIT == C.PROVIDER_SCHEMA_COMMIT and len(PROVIDER_COMMIT) == 40


@pytest.mark.parametrize("stack", ["dev", "staging", "prod", "existing"])
def test_example_stacks_pass_the_provider_check_and_send_only_schema_fields(run_stack, stack):
    from ackstack.engine.testing import stack_inventory

    run = run_stack(stack_config(stack), stack=stack, inventory=stack_inventory(stack))
    assert run.error is None and run.check_failures == []
    for reg in run.registrations:
        if reg.type not in SCHEMA:
            continue
        fields = SCHEMA[reg.type]["fields"]
        assert set(reg.inputs) <= set(fields) | {"__defaults"}, reg.name
        for name, value in reg.inputs.items():
            elem = fields.get(name, {}).get("elem")
            for item in (value if isinstance(value, list) else [value]) if elem else ():
                assert set(item) <= set(elem) | {"__defaults"}, (reg.name, name, item)


# ---------------------------------------------------------------- the same cases as config-path findings
@pytest.mark.parametrize(("path", "value", "rule", "where", "needle"), [
    ("ackstack:cluster.clusterSpec", "ack.pro.medium", "CLU001", "ackstack:cluster.clusterSpec", "ack.pro.medium"),
    ("ackstack:network.securityGroups[1].rules[0].portRange", "-1/-1", "SGR001",
     "ackstack:network.securityGroups[1].rules[0].portRange", "1, 65535"),
    ("ackstack:network.securityGroups[1].rules[0].portRange", "1/99999", "SGR001",
     "ackstack:network.securityGroups[1].rules[0].portRange", "99999"),
    ("ackstack:network.securityGroups[1].rules[0].protocol", "all", "SGR001",
     "ackstack:network.securityGroups[1].rules[0].portRange", "3306/3306"),
    ("ackstack:cluster.nodePools", [], "CLU008", "ackstack:cluster.nodePools", "0 control-plane vSwitch"),
])
def test_validation_catches_provider_refusals_with_the_config_path(path, value, rule, where, needle):
    found = [f for f in findings_for(with_value(stack_config("dev"), path, value)) if f.rule == rule]
    assert found and found[0].level == "error" and found[0].path == where and needle in found[0].message


def test_more_than_five_control_plane_vswitches_is_clu008():
    cfg = stack_config("dev")
    extra = [{"name": f"node-x{i}", "role": "node", "zoneId": "cn-hangzhou-h", "cidr": f"10.0.{8 + i * 4}.0/22"}
             for i in range(4)]
    cfg["ackstack:network"]["vswitches"] += extra
    found = [f for f in findings_for(cfg) if f.rule == "CLU008"]
    assert found and "6 control-plane" in found[0].message and "1 to 5" in found[0].message
    assert not [f for f in findings_for(stack_config("dev")) if f.rule == "CLU008"]


def test_sgr001_accepts_matching_protocols_and_ports():
    assert not [f for f in findings_for(stack_config("prod")) if f.rule == "SGR001"]
