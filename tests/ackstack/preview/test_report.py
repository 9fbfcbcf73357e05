"""`report.md` (`--out DIR`): a PR comment with the verdict, findings by severity with path and resource,
capacity tables, the resource plan and a Mermaid network diagram."""

import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[3]


def preview_out(tmp_path, *args):
    out = tmp_path / "out"
    proc = subprocess.run([sys.executable, "-m", "ackstack", "preview", *args, "--out", str(out)], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    return proc, (out / "report.md").read_text()


def test_prod_report_passes_with_diagram_and_capacity(tmp_path):
    proc, report = preview_out(tmp_path, "prod")
    assert proc.returncode == 0, proc.stderr
    assert report.startswith("## ackstack preview: `prod`") and "**PASS**" in report.splitlines()[0]
    assert "```mermaid\nflowchart LR" in report
    for expected in ('VPC["VPC 10.0.0.0/8"]', "cn-hangzhou-j", "PodNetworking payments", "2 PodNetworkings<br/>mysql, redis",
                     "| `mysql` | Fixed (TTL 2h45m) | app=mysql | tier=data |", "node pool general"):
        assert expected in report
    assert "| zone | vSwitch | role | CIDR | usable IPs |" in report
    assert "| security group | type | capacity |" in report
    assert "<summary>Resource plan (" in report


def test_failing_stack_report_is_blocked_and_lists_the_violation(tmp_path):
    config = yaml.safe_load((ROOT / "Pulumi.prod.yaml").read_text())
    pn = config["config"]["ackstack:podNetworkings"][0]
    pn["securityGroupIDs"] = [f"sg-bp1extra{i:016d}" for i in range(6)]
    stack = tmp_path / "Pulumi.prod-bad.yaml"
    stack.write_text(yaml.safe_dump(config))
    proc, report = preview_out(tmp_path, "prod", "--config", str(stack))
    assert proc.returncode == 1
    assert "**BLOCKED**" in report.splitlines()[0]
    assert "### Errors" in report
    assert "`PNW001`" in report and "`ackstack:podNetworkings[0].securityGroupIDs`" in report
    assert "limit of 5" in report
    assert "Resource plan" not in report  # nothing would be created
