"""Changes behave as the provider applies them (update / replace / ignored), a second preview of an unchanged
stack shows no change, the cluster security group carries what ACK needs, node pools can log in."""

import json
from pathlib import Path

import pytest

from ackstack.engine.provider_model import field_change, normalise_inputs
from ackstack.engine.testing import DELETE, findings_for, stack_config, stack_inventory, with_value
from ackstack.preview.preview import run_preview
from ackstack_core.go_json import go_json
from components.cluster_security import missing_rules
from tests.ackstack.preview.test_reliability_compare import by_rule, compared

T_CLUSTER = "alicloud:cs/managedKubernetes:ManagedKubernetes"
T_RULE = "alicloud:ecs/securityGroupRule:SecurityGroupRule"
T_ADDON = "alicloud:cs/kubernetesAddon:KubernetesAddon"
STACKS = ["dev", "staging", "prod", "existing"]


@pytest.mark.parametrize(("type_", "field", "change"), [
    ("alicloud:vpc/network:Network", "cidrBlock", "update"),  # ModifyVpcAttribute, not ForceNew
    (T_CLUSTER, "serviceCidr", "replace"),
    (T_CLUSTER, "podVswitchIds", "ignored"),
    (T_CLUSTER, "slbInternetEnabled", "ignored"),
    (T_CLUSTER, "loadBalancerSpec", "ignored"),
    (T_CLUSTER, "encryptionProviderKey", "update"),
    (T_CLUSTER, "vswitchIds", "update"),
    (T_RULE, "portRange", "replace"),
    (T_RULE, "cidrIp", "replace"),
    (T_RULE, "description", "update"),
    (T_ADDON, "config", "update"),
    (T_ADDON, "name", "replace"),
    ("kubernetes:core/v1:ConfigMap", "data", "update"),
])
def test_field_change_follows_the_provider_schema(type_, field, change):
    assert field_change(type_, field) == change


def test_engine_state_holds_the_read_back_form(run_stack):
    import pulumi_alicloud as alicloud

    from ackstack.engine.engine import run_program

    run = run_program(lambda: alicloud.cs.KubernetesAddon("a", cluster_id="c1", name="x", config='{"b": 1, "a": 2}'),
                      config={})
    addon = run.one(T_ADDON)
    assert addon.inputs["config"] == '{"b": 1, "a": 2}' and addon.outputs["config"] == '{"a":2,"b":1}'


def test_normalise_inputs_stores_addon_config_as_go_does():
    spaced = '{"b": "x<y", "a": {"z": 1, "y": [1, 2]}}'
    assert normalise_inputs(T_ADDON, {"config": spaced})["config"] == '{"a":{"y":[1,2],"z":1},"b":"x\\u003cy"}'
    assert go_json({"ENITrunking": "true", "IPVlan": "false"}) == '{"ENITrunking":"true","IPVlan":"false"}'


# ---------------------------------------------------------------- --compare
def test_adding_a_pod_vswitch_is_create_only_not_an_update(tmp_path):
    dev = stack_config("dev")
    after = with_value(dev, "ackstack:network.vswitches", dev["ackstack:network"]["vswitches"] + [
        {"name": "pod-h2", "role": "pod", "zoneId": "cn-hangzhou-h", "cidr": "10.1.64.0/19"}])
    found = by_rule(compared(tmp_path, dev, after), "REP004")
    pod = [f for f in found if "`podVswitchIds`" in f["message"]]
    assert pod and pod[0]["path"] == "ackstack:network.vswitches"
    assert "will NOT reach the running resource" in pod[0]["message"] and "eni-config" in pod[0]["message"]


def test_api_server_public_change_is_create_only(tmp_path):
    dev = stack_config("dev")
    found = by_rule(compared(tmp_path, dev, with_value(dev, "ackstack:cluster.apiServer.public", True)), "REP004")
    assert [f["path"] for f in found] == ["ackstack:cluster.apiServer.public"]


def test_vpc_cidr_change_is_no_replacement(tmp_path):
    dev = stack_config("dev")
    findings = compared(tmp_path, dev, with_value(dev, "ackstack:network.vpc.cidr", "10.0.0.0/9"))
    assert not [f for f in findings if "vpc/network:Network" in f["urn"]]
    # the change was seen: the cluster group's ICMP rule (source: the VPC CIDR) is replaced, as rules are
    assert [f["urn"].rsplit("::", 1)[1] for f in by_rule(findings, "REP001")] == ["dev-sg-cluster-ack-icmp-in"]


def test_security_group_rule_change_replaces_the_rule(tmp_path):
    dev = stack_config("dev")
    after = with_value(dev, "ackstack:network.securityGroups[1].rules[0].portRange", "3307/3307")
    found = by_rule(compared(tmp_path, dev, after), "REP001")
    assert [f["path"] for f in found] == ["ackstack:network.securityGroups[1].rules[0]"]
    assert "3306/3306" in found[0]["message"] and "ForceNew" in found[0]["message"]


def test_removing_the_kms_key_is_rep005(tmp_path):
    dev = with_value(stack_config("dev"), "ackstack:cluster.secretsEncryptionKmsKeyId", "key-hzz1234")
    found = by_rule(compared(tmp_path, dev, with_value(dev, "ackstack:cluster.secretsEncryptionKmsKeyId", DELETE)),
                    "REP005")
    assert found and found[0]["path"] == "ackstack:cluster.secretsEncryptionKmsKeyId"


@pytest.mark.parametrize("stack", STACKS)
def test_second_preview_of_an_unchanged_stack_shows_no_change(tmp_path, stack):
    first = run_preview(stack, policy=False)
    assert not first.blocked, first.findings
    previous = tmp_path / "previous.json"
    previous.write_text(json.dumps(first.document()))
    second = run_preview(stack, policy=False, compare_file=str(previous))
    assert [f for f in second.findings if f["source"] == "compare"] == []
    before = {r["urn"]: normalise_inputs(r["type"], r["inputs"]) for r in json.loads(previous.read_text())["resources"]}
    after = {r["urn"]: normalise_inputs(r["type"], r["inputs"]) for r in second.document()["resources"]}
    assert before == after
    # what ackstack sends is already what the provider reads back: no perpetual diff against real state
    for r in second.document()["resources"]:
        sent = r["inputs"]
        if r["type"] == "kubernetes:helm.sh/v3:Release":  # its Check drops false bools (omitempty); the
            sent = {k: v for k, v in sent.items() if v is not False}  # comparison reads both sides that way
        assert normalise_inputs(r["type"], r["inputs"]) == sent, r["name"]


# ---------------------------------------------------------------- cluster security group (section 1)
def _rules_of(doc: dict, group: str) -> dict[str, dict]:
    return {r["name"].split(f"-sg-{group}-", 1)[1]: r["inputs"] for r in doc["resources"]
            if r["type"] == T_RULE and f"-sg-{group}-ack-" in r["name"]}


@pytest.mark.parametrize(("stack", "expected"), [
    ("dev", {"ack-icmp-in", "ack-node-node-h-in", "ack-node-node-i-in", "ack-pod-pod-h-in", "ack-pod-pod-i-in",
             "ack-podnetworking-db-h-in", "ack-podnetworking-db-i-in", "ack-all-out"}),
    ("staging", {"ack-icmp-in", "ack-node-node-e-in", "ack-node-node-f-in", "ack-node-node-g-in", "ack-podcidr-in",
                 "ack-all-out"}),
])
def test_example_cluster_group_carries_the_rules_ack_needs(stack, expected):
    doc = run_preview(stack, policy=False).document()
    rules = _rules_of(doc, "cluster")
    assert set(rules) == expected
    assert rules["ack-all-out"]["type"] == "egress" and rules["ack-all-out"]["cidrIp"] == "0.0.0.0/0"
    if stack == "staging":
        assert rules["ack-podcidr-in"]["cidrIp"] == "172.16.0.0/16"


def test_prod_cluster_group_rules_survive_vswitch_reordering(run_stack):
    prod = stack_config("prod")
    names = set(_rules_of(run_preview("prod", policy=False).document(), "cluster"))
    assert "ack-all-out" in names and any(n.startswith("ack-node-") for n in names)
    prod["ackstack:network"]["vswitches"].reverse()
    run = run_stack(prod, stack="prod")
    reordered = {r.name: r.inputs for r in run.of_type(T_RULE) if "-sg-cluster-ack-" in r.name}
    assert {n.split("-sg-cluster-", 1)[1] for n in reordered} == names


def test_basic_cluster_group_admits_itself_instead_of_pod_vswitches(run_stack):
    cfg = with_value(stack_config("dev"), "ackstack:network.securityGroups[0].type", "basic")
    run = run_stack(cfg, stack="dev")
    assert run.error is None
    rules = {r.name: r.inputs for r in run.of_type(T_RULE)}
    group = run.one("alicloud:ecs/securityGroup:SecurityGroup", "dev-sg-cluster")
    assert rules["dev-sg-cluster-ack-self-in"]["sourceSecurityGroupId"] == group.id
    assert not [n for n in rules if "-ack-pod-pod-" in n]


def test_adopted_cluster_group_lacking_rules_is_net016():
    inventory = stack_inventory("existing")
    assert not [f for f in findings_for(stack_config("existing"), inventory) if f.rule == "NET016"]
    for group in inventory.security_groups:
        group["rules"] = [r for r in group.get("rules", []) if r["direction"] == "egress"]
    found = [f for f in findings_for(stack_config("existing"), inventory) if f.rule == "NET016"]
    assert found and found[0].level == "error" and found[0].path == "ackstack:network.securityGroups[0].id"
    assert "172.16.0.0/20" in found[0].message and "node vSwitch `node-h`" in found[0].message


def test_missing_rules_understands_wider_sources_and_ranges():
    from components.cluster_security import RequiredRule

    need = [RequiredRule("a", "ingress", "tcp", "443/443", "10.1.0.0/24", ""),
            RequiredRule("b", "ingress", "all", "-1/-1", None, "")]
    have = [{"direction": "ingress", "ipProtocol": "tcp", "portRange": "1/1024", "sourceCidrIp": "10.0.0.0/8"},
            {"direction": "ingress", "ipProtocol": "all", "portRange": "-1/-1", "sourceGroupId": "sg-1"}]
    assert missing_rules(need, have, "sg-1") == []
    assert [r.name for r in missing_rules(need, have[:1], "sg-1")] == ["b"]
    assert [r.name for r in missing_rules(need, [{**have[0], "policy": "drop"}], "sg-1")] == ["a", "b"]


def test_user_rule_names_must_leave_the_ack_prefix():
    cfg = stack_config("dev")
    cfg["ackstack:network"]["securityGroups"][0]["rules"] = [
        {"name": "ack-icmp-in", "protocol": "icmp", "cidr": "10.0.0.0/8"}]
    found = [f for f in findings_for(cfg) if f.rule == "SGR002"]
    assert found and found[0].path == "ackstack:network.securityGroups[0].rules[0].name"


# ---------------------------------------------------------------- node login (section 2)
def test_pool_without_login_is_clu007_naming_the_path():
    cfg = with_value(stack_config("dev"), "ackstack:cluster.keyName", DELETE)
    found = [f for f in findings_for(cfg) if f.rule == "CLU007"]
    assert [f.path for f in found] == ["ackstack:cluster.nodePools[0].keyName"]
    assert "neither a key pair nor ackstack:nodePassword" in found[0].message


def test_managed_pool_refuses_a_password_login():
    from components.config_loader import load
    from components.plan import build_plan
    from components.validation.catalog import run_rules

    cfg = with_value(stack_config("dev"), "ackstack:cluster.keyName", DELETE)
    plan = build_plan(load(cfg).config, stack_inventory("dev").cloud_facts())
    plan.node_password_set = True
    found = [f for f in run_rules(plan) if f.rule == "CLU007"]
    assert found and "take only a key pair" in found[0].message
    unmanaged = with_value(cfg, "ackstack:cluster.nodePools[0].managed", False)
    plan = build_plan(load(unmanaged).config, stack_inventory("dev").cloud_facts())
    plan.node_password_set = True
    assert not [f for f in run_rules(plan) if f.rule == "CLU007"]


def test_cluster_key_name_reaches_every_pool_and_a_pool_key_wins(run_stack):
    cfg = with_value(stack_config("prod"), "ackstack:cluster.nodePools[1].keyName", "data-key")
    run = run_stack(cfg, stack="prod")
    keys = {r.name: r.inputs.get("keyName") for r in run.of_type("alicloud:cs/nodePool:NodePool")}
    assert keys == {"prod-ack-np-general": "ackstack-prod", "prod-ack-np-data": "data-key"}


# ---------------------------------------------------------------- section 6
def test_adopted_cluster_keeps_terway_controlplane_on_destroy(run_stack):
    run = run_stack(stack_config("existing"), stack="existing", inventory=stack_inventory("existing"))
    addon = run.one(T_ADDON)
    assert addon.inputs["name"] == "terway-controlplane" and addon.options.get("retainOnDelete") is True


def test_eni_security_groups_on_a_new_cluster_is_clu009():
    cfg = with_value(stack_config("dev"), "ackstack:cni.eniSecurityGroups", ["cluster", "db-clients"])
    found = [f for f in findings_for(cfg) if f.rule == "CLU009"]
    # refused (issue #22): the terway-eniip add-on config has no key for it and eni-config is ACK's on a new cluster
    assert found and found[0].level == "error" and found[0].path == "ackstack:cni.eniSecurityGroups"
    assert "would reach no ENI" in found[0].message
    assert not [f for f in findings_for(stack_config("prod")) if f.rule == "CLU009"]


def test_kms_key_is_sent_with_encryption_enabled_and_public_flag_explicit(run_stack):
    cfg = with_value(stack_config("dev"), "ackstack:cluster.secretsEncryptionKmsKeyId", "key-hzz1234")
    cluster = run_stack(cfg, stack="dev").one(T_CLUSTER)
    assert cluster.inputs["encryptionProviderKey"] == "key-hzz1234" and cluster.inputs["disableEncryption"] is False
    plain = run_stack(stack_config("dev"), stack="dev").one(T_CLUSTER)
    assert "disableEncryption" not in plain.inputs and plain.inputs["slbInternetEnabled"] is False
    assert "loadBalancerSpec" not in plain.inputs


def test_docs_name_the_private_api_server_procedure():
    text = (Path(__file__).resolve().parents[3] / "docs" / "operations.md").read_text()
    assert "Private API server" in text and "Add a zone to a running Terway cluster" in text
