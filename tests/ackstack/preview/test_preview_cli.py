"""`ackstack preview`: tree, JSON, exit statuses, one-line errors, nothing registered on error."""

import json
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[3]


def preview(*args, cwd=ROOT):
    return subprocess.run([sys.executable, "-m", "ackstack", "preview", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=120)


def write_stack(tmp_path, mutate):
    config = yaml.safe_load((ROOT / "Pulumi.dev.yaml").read_text())
    mutate(config["config"])
    path = tmp_path / "Pulumi.broken.yaml"
    path.write_text(yaml.safe_dump(config))
    return path


def test_dev_preview_prints_the_tree_and_exits_0():
    proc = preview("dev", "--no-policy")
    assert proc.returncode == 0, proc.stderr
    assert "ackstack:network:Network" in proc.stdout
    assert "alicloud:cs/managedKubernetes:ManagedKubernetes  dev-ack" in proc.stdout
    assert "Result: OK" in proc.stdout
    assert "Traceback" not in proc.stderr


def test_dev_preview_json_has_the_documented_shape():
    proc = preview("dev", "--json", "--no-policy")
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert set(doc) >= {"stack", "resources", "findings", "outputs"}
    assert doc["stack"] == "dev"
    resource = doc["resources"][0]
    assert set(resource) >= {"urn", "type", "name", "parent", "custom", "inputs", "dependencies", "protect"}
    types = {r["type"] for r in doc["resources"]}
    assert {"alicloud:vpc/network:Network", "alicloud:vpc/switch:Switch",
            "alicloud:ecs/securityGroup:SecurityGroup"} <= types
    cluster = next(r for r in doc["resources"] if r["type"] == "alicloud:cs/managedKubernetes:ManagedKubernetes")
    switch_urns = {r["urn"] for r in doc["resources"] if r["type"] == "alicloud:vpc/switch:Switch"}
    assert set(cluster["dependencies"]) & switch_urns
    assert cluster["inputs"]["clusterSpec"].startswith("ack.pro.")
    assert doc["outputs"]["kubeconfig"] == "[secret]"


def test_unknown_key_bad_cidr_and_bad_enum_exit_1_with_paths_and_nothing_registered(tmp_path):
    def mutate(cfg):
        cfg["ackstack:cluster"]["nodePools"][0]["instanceTyp"] = "x"
        cfg["ackstack:network"]["vswitches"][0]["cidr"] = "10.0.0.0/40"
        cfg["ackstack:cluster"]["proxyMode"] = "userspace"

    path = write_stack(tmp_path, mutate)
    proc = preview("broken", "--config", str(path), "--json")
    assert proc.returncode == 1, proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["resources"] == []
    found = {f["path"] for f in doc["findings"] if f["level"] == "error"}
    assert {"ackstack:cluster.nodePools[0].instanceTyp", "ackstack:network.vswitches[0].cidr",
            "ackstack:cluster.proxyMode"} <= found
    tree = preview("broken", "--config", str(path))
    assert tree.returncode == 1 and "BLOCKED" in tree.stdout and "Traceback" not in tree.stderr


def test_missing_stack_file_exits_2_with_one_line():
    proc = preview("nosuchstack")
    assert proc.returncode == 2
    assert proc.stderr.strip().count("\n") == 0
    assert "Pulumi.nosuchstack.yaml" in proc.stderr and "does not exist" in proc.stderr


def test_broken_yaml_exits_2_with_line_number(tmp_path):
    path = tmp_path / "Pulumi.bad.yaml"
    path.write_text("config:\n  ackstack:cluster: {name: [unclosed\n")
    proc = preview("bad", "--config", str(path))
    assert proc.returncode == 2
    assert proc.stderr.strip().count("\n") == 0
    assert "not valid YAML" in proc.stderr and "line" in proc.stderr


def test_out_dir_writes_preview_json_and_manifests(tmp_path):
    proc = preview("dev", "--no-policy", "--out", str(tmp_path))
    assert proc.returncode == 0, proc.stderr
    doc = json.loads((tmp_path / "preview.json").read_text())
    assert doc["stack"] == "dev"
    assert list((tmp_path / "manifests").glob("*.yaml"))


def test_bad_policy_pack_config_exits_2_with_one_line(tmp_path):
    bad = tmp_path / "policy.json"
    bad.write_text('{"podnetworking-release-strategy": {"minReleaseAfter": 11}}')
    proc = preview("dev", "--policy-pack-config", str(bad))
    assert proc.returncode == 2 and proc.stderr.strip().count("\n") == 0
    assert "minReleaseAfter" in proc.stderr and "string" in proc.stderr
    missing = preview("dev", "--policy-pack-config", str(tmp_path / "nope.json"))
    assert missing.returncode == 2 and "does not exist" in missing.stderr


def test_policy_pack_is_shut_down_when_validation_stops_the_program(tmp_path):
    """The pack is launched before the program runs; a config error must still close it."""
    import os

    from ackstack.preview.preview import run_preview

    config = yaml.safe_load((ROOT / "Pulumi.dev.yaml").read_text())
    config["config"]["ackstack:cluster"]["clusterSpec"] = "ack.standard"
    path = tmp_path / "Pulumi.x.yaml"
    path.write_text(yaml.safe_dump(config))
    result = run_preview("x", config_file=str(path))
    assert result.blocked and result.resources == []
    children = [p for p in os.listdir("/proc") if p.isdigit() and _parent_of(p) == os.getpid()]
    assert children == []


def _parent_of(pid: str) -> int:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return int(stat.read().rsplit(")", 1)[1].split()[1])
    except (OSError, IndexError, ValueError):
        return -1


def test_program_warnings_reach_the_json_findings(tmp_path):
    config = yaml.safe_load((ROOT / "Pulumi.prod.yaml").read_text())
    config["config"]["ackstack:cluster"]["apiServer"] = {"public": True}
    path = tmp_path / "Pulumi.w.yaml"
    path.write_text(yaml.safe_dump(config))
    proc = preview("w", "--config", str(path), "--no-policy", "--json")
    assert proc.returncode == 0, proc.stderr  # a warning does not block
    findings = json.loads(proc.stdout)["findings"]
    assert {"source": "validation", "rule": "CLU006", "level": "warning", "path": "ackstack:cluster.apiServer.public",
            "urn": "", "message": "the API server gets a public endpoint in a production environment"} in findings
