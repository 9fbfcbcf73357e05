"""Replacement awareness (`--compare PREVIOUS.json`): REP001 replacements, REP002 one-way switches, REP003 deletions.

The previous JSON is produced by the real preview on one config; the config is then changed and the
preview compared against it, exactly as a reviewer would run it in CI.
"""

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from ackstack.engine.testing import DELETE, stack_config, with_value
from ackstack.preview.compare import compare_findings
from ackstack.preview.preview import InputError, run_preview

ROOT = Path(__file__).resolve().parents[3]


def write_stack(tmp_path: Path, config: dict, name: str) -> Path:
    path = tmp_path / f"Pulumi.{name}.yaml"
    path.write_text(yaml.safe_dump({"config": config}, sort_keys=False))
    return path


def previous_json(tmp_path: Path, config: dict, stack: str = "dev") -> Path:
    result = run_preview(stack, config_file=str(write_stack(tmp_path, config, "previous")), policy=False)
    assert not result.blocked, result.findings
    path = tmp_path / "previous.json"
    path.write_text(json.dumps(result.document()))
    return path


def compared(tmp_path: Path, before: dict, after: dict, stack: str = "dev") -> list[dict]:
    prev = previous_json(tmp_path, before, stack)
    result = run_preview(stack, config_file=str(write_stack(tmp_path, after, "current")), policy=False,
                         compare_file=str(prev))
    return [f for f in result.findings if f["source"] == "compare"]


def by_rule(findings: list[dict], rule: str) -> list[dict]:
    return [f for f in findings if f["rule"] == rule]


@pytest.fixture
def dev():
    return stack_config("dev")


def test_unchanged_config_has_no_compare_finding(tmp_path, dev):
    assert compared(tmp_path, dev, dev) == []


@pytest.mark.parametrize(("path", "value", "field", "config_path"), [
    ("ackstack:cluster.serviceCidr", "172.21.0.0/20", "serviceCidr", "ackstack:cluster.serviceCidr"),
    ("ackstack:cluster.proxyMode", "iptables", "proxyMode", "ackstack:cluster.proxyMode"),
])
def test_cluster_replacing_field_is_a_warning_naming_the_cluster(tmp_path, dev, path, value, field, config_path):
    findings = compared(tmp_path, dev, with_value(dev, path, value))
    reps = by_rule(findings, "REP001")
    on_cluster = [f for f in reps if f["urn"].endswith("ManagedKubernetes::dev-ack")]
    assert len(on_cluster) == 1, findings
    rep = on_cluster[0]
    assert rep["level"] == "warning" and rep["path"] == config_path
    assert "dev-ack" in rep["message"] and "REPLACED" in rep["message"] and field in rep["message"]
    assert value in rep["message"]
    # As the real engine plans it: what takes the cluster id (ForceNew) is replaced with the cluster, its
    # new id being unknown until the cluster is created again.
    dependents = {(f["urn"].rsplit("::", 1)[1], f["path"]) for f in reps if f is not rep}
    assert dependents == {("dev-ack-np-general", "ackstack:cluster.nodePools[0]"),
                          ("dev-ack-addon-terway-eniip", "ackstack:cni"),
                          ("dev-ack-addon-terway-controlplane", "ackstack:cni")}
    assert all("`clusterId`" in f["message"] and "not known before" in f["message"] for f in reps if f is not rep)


def test_byocni_pod_cidr_and_node_mask_changes_replace_the_cluster(tmp_path):
    staging = stack_config("staging")
    after = with_value(with_value(staging, "ackstack:cni.podCidr", "172.30.0.0/16"), "ackstack:cni.nodeCidrMask", 25)
    findings = by_rule(compared(tmp_path, staging, after, stack="staging"), "REP001")
    assert {f["path"] for f in findings} >= {"ackstack:cni.podCidr", "ackstack:cni.nodeCidrMask"}
    assert all(f["urn"].endswith("ManagedKubernetes::" + staging["ackstack:cluster"]["name"]) for f in findings
               if f["path"] in ("ackstack:cni.podCidr", "ackstack:cni.nodeCidrMask"))


def test_vswitch_cidr_change_replaces_that_vswitch_with_its_config_path(tmp_path, dev):
    after = with_value(dev, "ackstack:network.vswitches[4].cidr", "10.2.8.0/24")  # db-h
    reps = by_rule(compared(tmp_path, dev, after), "REP001")
    # the cluster group's rule admitting that vSwitch is replaced too (security-group rules are ForceNew throughout)
    assert sorted((f["path"], f["urn"].rsplit("::", 1)[1]) for f in reps) == [
        ("ackstack:network.securityGroups[0]", "dev-sg-cluster-ack-podnetworking-db-h-in"),
        ("ackstack:network.vswitches[4].cidr", "dev-vsw-db-h")]
    assert "10.2.0.0/24" in reps[0]["message"] and "10.2.8.0/24" in reps[0]["message"]


def test_security_group_type_change_replaces_the_group(tmp_path, dev):
    after = with_value(dev, "ackstack:network.securityGroups[1].type", "basic")
    reps = by_rule(compared(tmp_path, dev, after), "REP001")
    # the group's own rule follows it: its securityGroupId (ForceNew) is unknown until the group is recreated
    assert sorted(f["path"] for f in reps) == ["ackstack:network.securityGroups[1].rules[0]",
                                                "ackstack:network.securityGroups[1].type"]


def test_node_pool_security_groups_change_replaces_the_pool_but_reordering_does_not(tmp_path, dev):
    one = with_value(dev, "ackstack:cluster.nodePools[0].securityGroups", ["cluster"])
    two = with_value(dev, "ackstack:cluster.nodePools[0].securityGroups", ["cluster", "db-clients"])
    swapped = with_value(dev, "ackstack:cluster.nodePools[0].securityGroups", ["db-clients", "cluster"])
    reps = by_rule(compared(tmp_path, one, two), "REP001")
    assert [f["path"] for f in reps] == ["ackstack:cluster.nodePools[0].securityGroups"]
    assert "node pool" in reps[0]["message"]
    assert compared(tmp_path, two, swapped) == []


def test_updatable_change_is_not_reported(tmp_path, dev):
    after = with_value(dev, "ackstack:cluster.nodePools[0].maxSize", 6)
    assert compared(tmp_path, dev, after) == []


def test_trunk_eni_turned_off_is_a_one_way_error(tmp_path, dev):
    after = with_value(dev, "ackstack:cni.trunking", False)
    findings = compared(tmp_path, dev, after)
    errors = by_rule(findings, "REP002")
    assert len(errors) == 1 and errors[0]["level"] == "error"
    assert errors[0]["path"] == "ackstack:cni.trunking"
    assert "cannot be disabled" in errors[0]["message"]


def test_trunk_eni_turned_on_is_allowed(tmp_path, dev):
    before = with_value(with_value(with_value(dev, "ackstack:cni.trunking", False), "ackstack:podNetworkings", DELETE),
                        "ackstack:namespaces", DELETE)
    after = with_value(before, "ackstack:cni.trunking", True)
    assert by_rule(compared(tmp_path, before, after), "REP002") == []


def test_cni_mode_change_in_place_is_a_one_way_error(tmp_path):
    staging = stack_config("staging")
    dev = stack_config("dev")
    # The same cluster (same environment and cluster name, so the same URN) switching Terway -> BYOCNI.
    byocni = {**staging, "ackstack:environment": dev["ackstack:environment"],
              "ackstack:cluster": {**staging["ackstack:cluster"], "name": dev["ackstack:cluster"]["name"]}}
    previous = previous_json(tmp_path, dev)
    result = run_preview("dev", config_file=str(write_stack(tmp_path, byocni, "byocni")), policy=False,
                         compare_file=str(previous))
    errors = [f for f in result.findings if f["rule"] == "REP002"]
    assert len(errors) == 1 and errors[0]["path"] == "ackstack:cni.mode", result.findings
    assert "terway" in errors[0]["message"] and "byocni" in errors[0]["message"]
    assert result.blocked
    # and back: BYOCNI -> Terway is just as impossible
    back = compare_findings(run_preview("dev", config_file=str(write_stack(tmp_path, dev, "dev2")), policy=False),
                            _dump(tmp_path, result))
    assert [f["rule"] for f in back if f["rule"] == "REP002"] == ["REP002"]


def _dump(tmp_path, result) -> Path:
    path = tmp_path / "byocni.json"
    path.write_text(json.dumps(result.document()))
    return path


def test_renamed_vswitch_warns_about_the_deletion(tmp_path, dev):
    after = with_value(dev, "ackstack:network.vswitches[4].name", "db-h2")
    after = with_value(after, "ackstack:podNetworkings[0].vSwitchOptions", ["db-h2", "db-i"])
    findings = compared(tmp_path, dev, after)
    deleted = by_rule(findings, "REP003")
    assert [f["urn"].rsplit("::", 1)[1] for f in deleted] == ["dev-vsw-db-h"]


@pytest.mark.parametrize("content", [None, "{not json", "[1, 2]", '{"resources": [{"name": "x"}]}', "\udcff"])
def test_unreadable_previous_file_is_an_input_error(tmp_path, dev, content):
    path = tmp_path / "previous.json"
    if content == "\udcff":
        path.write_bytes(b"\xff\xfe\x00garbage")
    elif content is not None:
        path.write_text(content)
    with pytest.raises(InputError) as info:
        run_preview("dev", config_file=str(write_stack(tmp_path, dev, "cur")), policy=False, compare_file=str(path))
    assert "\n" not in str(info.value) and str(path) in str(info.value)


def cli(*args):
    return subprocess.run([sys.executable, "-m", "ackstack", "preview", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)


def test_cli_compare_exit_codes(tmp_path, dev):
    previous = previous_json(tmp_path, dev)
    replaced = write_stack(tmp_path, with_value(dev, "ackstack:cluster.serviceCidr", "172.21.0.0/20"), "replaced")
    proc = cli("dev", "--no-policy", "--config", str(replaced), "--compare", str(previous))
    assert proc.returncode == 0, proc.stderr
    assert "REP001" in proc.stdout and "would be REPLACED" in proc.stdout

    trunk_off = write_stack(tmp_path, with_value(dev, "ackstack:cni.trunking", False), "trunkoff")
    proc = cli("dev", "--no-policy", "--config", str(trunk_off), "--compare", str(previous), "--json")
    assert proc.returncode == 1, proc.stderr
    assert any(f["rule"] == "REP002" for f in json.loads(proc.stdout)["findings"])

    proc = cli("dev", "--no-policy", "--compare", str(tmp_path / "missing.json"))
    assert proc.returncode == 2
    assert proc.stderr.strip().count("\n") == 0 and "missing.json" in proc.stderr and "Traceback" not in proc.stderr
