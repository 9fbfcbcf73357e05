"""Issue #15's broken promises, one test each: secrets at any depth, unreadable input exits 2, nothing
half-registers, what the cloud rejects previews red, the policy pack holds, findings stay readable."""

from __future__ import annotations

import contextlib
import io
import json
import re
import time
from pathlib import Path

import pytest

from ackstack.engine.engine import mask_secrets
from ackstack.engine.testing import ROOT, findings_for, run, stack_config, stack_inventory, with_value
from ackstack.inputs.stackfile import SECURE_PLACEHOLDER, StackFileError, read_stack_file
from ackstack.inputs.yaml_input import YamlInputError, parse_yaml
from ackstack.preview.analyzer import AnalyzedResource, run_policy_pack
from ackstack.preview.preview import main as preview_main
from ackstack.preview.preview import run_preview
from components.secrets import Concealer, secret_texts, stack_file_secure_paths
from components.validation.findings import ValidationFailed
from policies.ackstack_policies import POLICIES_BY_NAME
from policies.ackstack_policies._common import StackResource

SG_RULE = "alicloud:ecs/securityGroupRule:SecurityGroupRule"


def only(findings, rule):
    return [f for f in findings if f.rule == rule]


def cli(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = preview_main(list(argv))
    return code, out.getvalue(), err.getvalue()


def dev_stack_with(tmp_path: Path, old: str, new: str) -> Path:
    """Pulumi.dev.yaml with one text replaced (YAML-level edits a dict round trip would normalise away)."""
    text = (ROOT / "Pulumi.dev.yaml").read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "Pulumi.dev.yaml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def existing_with_nested_secret(tmp_path: Path) -> Path:
    text = (ROOT / "Pulumi.existing.yaml").read_text(encoding="utf-8")
    text = text.replace('        version: "1"\n',
                        '        version: "1"\n        access_secret:\n          secure: v1:AAAAnestedCIPHER\n', 1)
    assert "access_secret" in text
    path = tmp_path / "Pulumi.existing.yaml"
    path.write_text(text, encoding="utf-8")
    return path


# ---------------------------------------------------------------- 1. secrets at any depth
def test_nested_secure_value_is_a_secret_in_every_resource_input_and_masked_in_every_output(tmp_path):
    stack_file = read_stack_file(existing_with_nested_secret(tmp_path))
    assert "ackstack:cluster.existing.eniConf.access_secret" in stack_file.secret_keys
    result = run_preview("existing", config_file=str(tmp_path / "Pulumi.existing.yaml"), policy=False)
    holders = [r for r in result.run.registrations if SECURE_PLACEHOLDER in json.dumps(r.inputs, default=str)]
    assert holders, "the nested secret reaches no resource: the test would prove nothing"
    for reg in holders:  # wherever the text went (eni_conf JSON), that input is an engine secret
        assert SECURE_PLACEHOLDER not in json.dumps(mask_secrets(reg.inputs), default=str)
    code, text, _ = cli("existing", "--no-policy", "--json", "--config", str(tmp_path / "Pulumi.existing.yaml"),
                        "--out", str(tmp_path / "out"))
    assert code == 0
    written = "".join(p.read_text() for p in (tmp_path / "out").rglob("*") if p.is_file())
    assert SECURE_PLACEHOLDER not in text + written and "AAAAnestedCIPHER" not in text + written


def test_secret_key_from_the_cli_list_conceals_the_secure_leaf_of_the_stack_file(tmp_path):
    (tmp_path / "Pulumi.s.yaml").write_text("config:\n  ackstack:cluster:\n    name: c\n    existing:\n"
                                           "      eniConf:\n        access_secret:\n          secure: v1:x\n")
    paths = stack_file_secure_paths("s", tmp_path)
    assert paths == ["ackstack:cluster.existing.eniConf.access_secret"]
    raw = {"ackstack:cluster": json.dumps({"name": "c", "existing": {"eniConf": {"access_secret": "clear-text-7"}}})}
    assert secret_texts(raw, ["ackstack:cluster"], paths) == {"clear-text-7"}  # the CLI sends top-level keys only
    assert secret_texts(raw, ["ackstack:cluster"]) == {"c", "clear-text-7"}  # no paths known: fail closed
    concealer = Concealer({"clear-text-7"})
    assert concealer.hits({"eni_conf": '{"access_secret": "clear-text-7"}'})


def test_secret_text_is_never_echoed_in_a_finding(tmp_path):
    path = dev_stack_with(tmp_path, "kubernetesVersion: 1.35.2-aliyun.1", "kubernetesVersion: {secure: v1:zz}")
    code, out, _ = cli("dev", "--no-policy", "--json", "--config", str(path))
    assert code == 1
    findings = json.loads(out)["findings"]
    assert any(f["path"] == "ackstack:cluster.kubernetesVersion" for f in findings), findings
    assert SECURE_PLACEHOLDER not in out and "v1:zz" not in out


def test_secret_used_as_a_name_is_an_error_not_a_printed_urn(tmp_path):
    path = dev_stack_with(tmp_path, "name: general", "name: {secure: v1:n}")
    code, out, _ = cli("dev", "--no-policy", "--config", str(path))
    assert code == 1 and "INP004" in out and SECURE_PLACEHOLDER not in out


# ---------------------------------------------------------------- 2. YAML the way the CLI reads it
def test_yaml_reads_like_go_yaml_v3_yes_and_dates_are_strings():
    doc = parse_yaml(b"a: yes\nb: 2024-01-01\nc: on\nd: 0777\ne: 1_000\nf: 1e999\ng: true\nh: ~\n", "f")
    assert doc == {"a": "yes", "b": "2024-01-01", "c": "on", "d": 511, "e": 1000, "f": "1e999", "g": True, "h": None}


def test_unquoted_date_in_a_stack_file_previews_instead_of_crashing(tmp_path):
    path = dev_stack_with(tmp_path, "team: platform", "created: 2024-01-01")
    code, _, err = cli("dev", "--no-policy", "--config", str(path))
    assert code == 0, err


def test_duplicate_keys_are_an_error_not_last_wins(tmp_path):
    path = tmp_path / "Pulumi.prod.yaml"
    path.write_text((ROOT / "Pulumi.prod.yaml").read_text().replace("production: true",
                                                                      "production: true\n    production: false"))
    with pytest.raises(StackFileError, match="mapping key 'production' already defined at line"):
        read_stack_file(path)


@pytest.mark.parametrize("data, message", [
    (b"a: &a [x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
     b"d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\n"
     b"g: [*f,*f,*f,*f,*f,*f,*f,*f,*f]\n", "expands to more than"),
    (b"[" * 100_000, "nesting is deeper than 64"),
    (b"a: &a [*a]\n", "contains it"),
    (b"a: \xff\xfe\n", "not UTF-8 text (invalid byte at offset 3)"),
    (b'a: "\\ud800"\n', "invalid Unicode character escape"),
    (b"a: " + b"x" * (4 * 1024 * 1024), "is larger than 4,194,304 bytes"),
], ids=["billion-laughs", "deep-brackets", "recursive-alias", "non-utf8", "surrogate-escape", "size"])
def test_hostile_yaml_is_refused_in_one_line_quickly(data, message):
    started = time.monotonic()
    with pytest.raises(YamlInputError, match=re.escape(message)) as caught:
        parse_yaml(data, "stack file x")
    assert time.monotonic() - started < 2 and "\n" not in str(caught.value)


@pytest.mark.parametrize("option", ["--config", "--inventory", "--compare", "--policy-pack-config"])
@pytest.mark.parametrize("content", ["directory", "bytes", "shape"])
def test_every_file_option_exits_2_with_one_line_on_unreadable_content(tmp_path, option, content):
    target = tmp_path / "input"
    if content == "directory":
        target.mkdir()
    elif content == "bytes":
        target.write_bytes(b"\xff\xfe\x00\x01")
    else:
        target.write_text({"--config": "config: [1, 2]", "--inventory": "vswitches: [{id: 1}]",
                           "--compare": '{"resources": [{"urn": "u", "type": "t", "inputs": [1]}]}',
                           "--policy-pack-config": "[1, 2]"}[option])
    code, out, err = cli("dev", "--no-policy", option, str(target))
    assert code == 2 and out == "" and err.count("\n") == 1 and "Traceback" not in err, err
    assert str(target) in err


def test_inventory_with_a_malformed_cidr_exits_2_not_an_internal_error(tmp_path):
    inventory = tmp_path / "inventory.yaml"
    text = (ROOT / "inventory" / "existing.yaml").read_text()
    inventory.write_text(text.replace("cidrBlock: 172.16.0.0/12", "cidrBlock: garbage", 1))
    code, out, err = cli("existing", "--no-policy", "--inventory", str(inventory))
    assert code == 2 and out == "" and "`vpcs[0].cidrBlock` 'garbage' is not an IPv4 CIDR block" in err


def test_out_write_failure_exits_2_before_anything_prints_ok(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    code, out, err = cli("dev", "--no-policy", "--out", str(blocker / "out"))
    assert code == 2 and "Result: OK" not in out and out == "" and err.startswith("ackstack: cannot write --out")


def test_out_removes_stale_manifests_of_an_earlier_run_and_nothing_else(tmp_path):
    out = tmp_path / "out"
    config = stack_config("dev")
    two = with_value(config, "ackstack:namespaces", config["ackstack:namespaces"] + [{"name": "extra"}])
    stack = tmp_path / "Pulumi.dev.yaml"
    stack.write_text(json.dumps({"config": two}))  # JSON is YAML
    assert cli("dev", "--no-policy", "--config", str(stack), "--out", str(out))[0] in (0, 1)
    stale = [p for p in (out / "manifests").iterdir() if "extra" in p.name]
    assert stale, "the extra PodNetworking wrote no manifest: the test would prove nothing"
    (out / "notes.txt").write_text("mine")
    assert cli("dev", "--no-policy", "--out", str(out))[0] == 0
    assert not any(p.exists() for p in stale) and (out / "notes.txt").read_text() == "mine"


# ---------------------------------------------------------------- 3. nothing half-registers
def _program(config, stack="dev"):
    return run(config, stack=stack, inventory=stack_inventory(stack))


def test_deeply_nested_cilium_values_register_nothing():
    config = stack_config("staging")
    deep: dict = {}
    cursor = deep
    for _ in range(300):
        cursor["a"] = {}
        cursor = cursor["a"]
    config["ackstack:cni"]["cilium"] = {**config["ackstack:cni"].get("cilium", {}), "values": deep}
    result = _program(config, "staging")
    assert isinstance(result.error, ValidationFailed) and result.registrations == []
    assert [f.path.startswith("ackstack:cni.cilium.values.a") for f in only(result.error.findings, "INP001")] == [True]


def test_lone_surrogate_in_a_label_registers_nothing():
    config = with_value(stack_config("dev"), "ackstack:cluster.nodePools[0].labels", {"team": "x\ud800"})
    result = _program(config)
    assert isinstance(result.error, ValidationFailed) and result.registrations == []
    assert [f.path for f in only(result.error.findings, "INP002")] == ["ackstack:cluster.nodePools[0].labels.team"]


def test_integer_beyond_a_double_registers_nothing():
    config = with_value(stack_config("staging"), "ackstack:cni.cilium.values", {"mtu": 10**400})
    result = _program(config, "staging")
    assert isinstance(result.error, ValidationFailed) and result.registrations == []
    assert [f.path for f in only(result.error.findings, "INP003")] == ["ackstack:cni.cilium.values.mtu"]


# ---------------------------------------------------------------- 4. what the cloud would reject
def test_example_stacks_pass_the_cloud_limit_and_urn_rules():
    rules = {"K8S004", "K8S005", "K8S006", "TAG001", "TAG002", "NET020", "NET021", "URN001", "URN002"}
    for stack in ("dev", "staging", "prod", "existing"):
        assert [f for f in findings_for(stack_config(stack), stack_inventory(stack)) if f.rule in rules] == []


def test_security_group_rules_that_collide_in_one_urn_are_an_error():
    config = stack_config("dev")
    groups = config["ackstack:network"]["securityGroups"]
    rule = {"name": "clients-x", "cidr": "10.0.0.0/8", "portRange": "5432/5432"}
    groups += [{"name": "db", "rules": [rule]}, {"name": "db-clients", "rules": [{**rule, "name": "x"}]}]
    found = only(findings_for(config), "URN001")
    assert [f.path for f in found] == [f"ackstack:network.securityGroups[{len(groups) - 1}].rules[0].name"]
    assert "dev-sg-db-clients-x" in found[0].message


def test_an_addon_listed_twice_is_an_error():
    config = stack_config("staging")
    config["ackstack:cni"]["addons"] = [{"name": "csi-plugin"}, {"name": "csi-plugin"}]
    assert [f.path for f in only(findings_for(config), "URN002")] == ["ackstack:cni.addons[1].name"]


def test_node_pool_labels_and_taints_kubernetes_rejects_are_errors():
    config = stack_config("dev")
    pool = config["ackstack:cluster"]["nodePools"][0]
    pool["labels"] = {"bad key": "ok", "good": "-bad-"}
    pool["taints"] = [{"key": "a/", "value": "v"}, {"key": "k", "value": "v" * 64},
                      {"key": "d", "effect": "NoExecute"}, {"key": "d", "effect": "NoExecute"}]
    findings = findings_for(config)
    assert sorted(f.path for f in only(findings, "K8S004")) == ["ackstack:cluster.nodePools[0].labels.bad key",
                                                                "ackstack:cluster.nodePools[0].labels.good"]
    assert [f.path for f in only(findings, "K8S005")] == ["ackstack:cluster.nodePools[0].taints[0].key",
                                                          "ackstack:cluster.nodePools[0].taints[1].value"]
    assert [f.path for f in only(findings, "K8S006")] == ["ackstack:cluster.nodePools[0].taints[3]"]


def test_tags_beyond_ecs_tag_rules_are_errors():
    tags = {"acs:x": "v", "k" * 129: "v", "url": "see https://x.example", **{f"t{i}": "v" for i in range(16)}}
    findings = findings_for(with_value(stack_config("dev"), "ackstack:environment.tags", tags))
    assert {f.path for f in only(findings, "TAG001")} == {
        "ackstack:environment.tags.acs:x", f"ackstack:environment.tags.{'k' * 129}", "ackstack:environment.tags.url"}
    assert [f.message for f in only(findings, "TAG002")] == [
        "19 tags; at most 18 (ECS allows 20 per resource and ackstack adds 2)"]


@pytest.mark.parametrize("cidr", ["10.0.0.0/255.0.0.0", "10.0.0.0/08", "172.16.0.0"])  # the last: a /32 to Python
def test_netmask_style_cidrs_are_errors(cidr):
    findings = findings_for(with_value(stack_config("dev"), "ackstack:network.vpc.cidr", cidr))
    assert [f.path for f in only(findings, "NET020")] == ["ackstack:network.vpc.cidr"]


def test_zones_of_another_region_are_errors():
    config = with_value(stack_config("dev"), "ackstack:network.vswitches[0].zoneId", "cn-beijing-h")
    config = with_value(config, "ackstack:cluster.nodePools[0].zones", ["cn-shanghai-b"])
    paths = [f.path for f in only(findings_for(config), "NET021")]
    assert paths == ["ackstack:network.vswitches[0].zoneId", "ackstack:cluster.nodePools[0].zones[0]"]


# ---------------------------------------------------------------- 5. the policy pack
SG_OPEN = {"type": "ingress", "ipProtocol": "tcp", "portRange": "22/22", "policy": "accept", "priority": 1,
           "securityGroupId": "sg-1", "nicType": "intranet"}


@pytest.mark.parametrize("cidr", ["0.0.0.0/00", "0.0.0.0/0.0.0.0", " 0.0.0.0/0", "::/00"])
def test_sg_no_open_admin_ports_is_not_bypassed_by_cidr_spellings(cidr):
    assert POLICIES_BY_NAME["sg-no-open-admin-ports"].run_check({**SG_OPEN, "cidrIp": cidr})


def test_rules_that_together_cover_the_internet_are_reported():
    policy = POLICIES_BY_NAME["sg-no-open-admin-ports-combined"]
    halves = [StackResource(f"urn:{n}", SG_RULE, n, {**SG_OPEN, "cidrIp": c})
              for n, c in (("low", "0.0.0.0/1"), ("high", "128.0.0.0/1"))]
    found = policy.run_check(halves)
    assert len(found) == 1 and "`high`, `low`" in found[0][0] and found[0][1] == "urn:low"
    other_group = [halves[0], StackResource("urn:h", SG_RULE, "h", {**SG_OPEN, "cidrIp": "128.0.0.0/1",
                                                                     "securityGroupId": "sg-2"})]
    assert policy.run_check(other_group) == [] and policy.run_check(halves[:1]) == []


def test_malformed_properties_get_a_diagnostic_not_a_crashed_pack():
    cluster = "alicloud:cs/managedKubernetes:ManagedKubernetes"
    rule = AnalyzedResource(urn=f"urn:pulumi:dev::ackstack::{cluster}::c", type=cluster, name="c",
                            properties={"controlPlaneLogComponents": 1, "clusterSpec": ["ack.pro.small"]})
    findings = run_policy_pack(ROOT / "policies", [rule], stack="dev", project="ackstack")
    assert any("resource properties are malformed" in f["message"] for f in findings), findings


def test_policy_findings_name_the_config_path(tmp_path):
    config = stack_config("dev")
    config["ackstack:network"]["securityGroups"][0]["rules"] = [
        {"name": "ssh", "cidr": "0.0.0.0/0", "portRange": "22/22"}]
    path = tmp_path / "Pulumi.dev.yaml"
    path.write_text(json.dumps({"config": config}))
    code, out, err = cli("dev", "--json", "--config", str(path))
    found = [f for f in json.loads(out)["findings"] if f["rule"] == "sg-no-open-admin-ports"]
    assert found and found[0]["path"] == "ackstack:network.securityGroups[0].rules[0]", (found, err)


# ---------------------------------------------------------------- 6. findings at scale
def test_selector_overlap_is_one_bounded_finding_per_podnetworking():
    config = stack_config("dev")
    base = config["ackstack:podNetworkings"][0]
    config["ackstack:podNetworkings"] = [{**base, "name": f"pn-{i}"} for i in range(200)]
    found = only(findings_for(config), "SEL001")
    assert len(found) == 199 and found[0].path == "ackstack:podNetworkings[1].selector"
    assert "`pn-0` and `pn-1`" in found[0].message
    assert "and 193 more" in found[-1].message and max(len(f.message) for f in found) < 1000
