"""report.md as a reviewer gets it: verdict, change and errors first; any size under GitHub's comment
limit with the full report kept; the same bytes twice; Mermaid that the real Mermaid parser (npm,
tests/js/package-lock.json) accepts; user strings escaped for Markdown."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from ackstack.engine.testing import stack_config, with_value
from ackstack.preview.network_view import network_diagram
from ackstack.preview.preview import run_preview
from ackstack.preview.report import FULL_REPORT, describe_source, render_reports, write_report
from ackstack_core import constants as C
from bench.bench_scaling import make_config

ROOT = Path(__file__).resolve().parents[3]
JS = ROOT / "tests" / "js"
SOURCE = {"commit": "0123456789ab", "time": "2026-11-30T10:00:00+00:00", "dirty": False}


def mermaid_parse(diagrams: list[str]) -> list[dict]:
    """The real Mermaid parser over each diagram (one node process)."""
    if not (JS / "node_modules" / "mermaid").is_dir() or shutil.which("node") is None:
        reason = "Mermaid parser not installed: run `npm ci --prefix tests/js` (README set-up, .ci/run)"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    proc = subprocess.run(["node", str(JS / "mermaid_parse.mjs")], input=json.dumps(diagrams), capture_output=True,
                          text=True, timeout=120, cwd=JS)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def diagram_of(report: str) -> str:
    match = re.search(r"```mermaid\n(.*?)\n```", report, re.S)
    assert match, "no Mermaid block"
    return match.group(1)


def preview_of(tmp_path: Path, config: dict, stack: str = "dev"):
    path = tmp_path / f"Pulumi.{stack}-x.yaml"
    path.write_text(yaml.safe_dump({"config": config}, sort_keys=False))
    return run_preview(stack, config_file=str(path), policy=False)


@pytest.fixture(scope="module")
def big(tmp_path_factory):
    """A 1,000-PodNetworking stack (bench/bench_scaling.py's generator)."""
    result = preview_of(tmp_path_factory.mktemp("big"), make_config(1000), "bench")
    assert not result.blocked and len(result.plan.config.pod_networkings) == 1000
    return result


def test_1000_podnetworkings_fit_a_comment_and_keep_the_full_report(big, tmp_path):
    short, full = render_reports(big, SOURCE)
    assert len(short) <= C.GITHUB_COMMENT_MAX_CHARS < len(full)
    assert "Cut to fit a PR comment" in short and FULL_REPORT in short
    placement = r"(?m)^\| `app-\d+` \| (?:Fixed|Elastic)[^|]*\| app=app-\d+ \|"  # the PodNetworking placement table
    assert len(re.findall(placement, full)) == 1000 and "more: see" not in full
    assert len(re.findall(placement, short)) < 1000
    write_report(big, tmp_path)
    assert (tmp_path / "report.md").read_text() != (tmp_path / FULL_REPORT).read_text()
    assert len((tmp_path / "report.md").read_text()) <= C.GITHUB_COMMENT_MAX_CHARS


def test_first_screen_is_verdict_change_errors(tmp_path):
    config = with_value(stack_config("dev"), "ackstack:cluster.serviceCidr", "172.21.0.0/20")
    base = preview_of(tmp_path, stack_config("dev"))
    (tmp_path / "base.json").write_text(json.dumps(base.document()))
    config = with_value(config, "ackstack:cni.trunking", False)  # REP002: an error
    path = tmp_path / "Pulumi.head.yaml"
    path.write_text(yaml.safe_dump({"config": config}))
    result = run_preview("dev", config_file=str(path), policy=False, compare_file=str(tmp_path / "base.json"))
    report, _ = render_reports(result, SOURCE)
    head = report.split("### ")
    assert "**BLOCKED**" in head[0].splitlines()[0] and "**Change**" in head[0] and "to replace" in head[0]
    assert head[1].startswith("Errors") and "REP002" in head[1]
    assert report.index("### Errors") < report.index("### Changes") < report.index("### Network")
    assert "Describes commit `0123456789ab` of 2026-11-30T10:00:00+00:00" in report


def test_no_change_is_said_in_the_report(tmp_path):
    base = preview_of(tmp_path, stack_config("dev"))
    (tmp_path / "base.json").write_text(json.dumps(base.document()))
    path = tmp_path / "Pulumi.same.yaml"
    path.write_text(yaml.safe_dump({"config": stack_config("dev")}))
    result = run_preview("dev", config_file=str(path), policy=False, compare_file=str(tmp_path / "base.json"))
    assert "**no change**" in render_reports(result, SOURCE)[0]


def test_same_inputs_same_bytes(tmp_path):
    outs = []
    for run in ("a", "b"):
        out = tmp_path / run
        proc = subprocess.run([sys.executable, "-m", "ackstack", "preview", "prod", "--out", str(out)], cwd=ROOT,
                              capture_output=True, text=True, timeout=300,
                              env={**os.environ, "PYTHONHASHSEED": "1" if run == "a" else "2"})
        assert proc.returncode == 0, proc.stderr
        outs.append((proc.stdout, (out / "report.md").read_bytes(), (out / "preview.json").read_bytes()))
    assert outs[0] == outs[1]


def test_commit_and_its_time_are_described():
    source = describe_source()
    if not source["commit"]:
        pytest.skip("not a git checkout")
    assert re.fullmatch(r"[0-9a-f]{12}", source["commit"]) and re.match(r"\d{4}-\d\d-\d\dT", source["time"])


def test_mermaid_parser_accepts_every_diagram(big):
    plans = [preview_of_stack(s).plan for s in ("dev", "staging")]
    diagrams = [network_diagram(p) for p in plans]
    diagrams += [network_diagram(big.plan, "vswitches"), network_diagram(big.plan, "zones")]
    diagrams.append(diagram_of(render_reports(big, SOURCE)[0]))
    assert all(diagrams)
    results = mermaid_parse(diagrams)
    assert [r["ok"] for r in results] == [True] * len(diagrams), results
    assert {r["type"] for r in results} == {"flowchart-v2"}


def test_mermaid_parser_catches_a_broken_diagram():
    results = mermaid_parse(['flowchart LR\n  A["unterminated --> B'])
    assert results[0]["ok"] is False and "Parse error" in results[0]["error"]


def preview_of_stack(stack: str):
    return run_preview(stack, policy=False)


CRAFTED_ZONE = "h\n## PASS <img src=x> | [a](https://x)"  # short enough to parse: reaches every table
CRAFTED_LABEL = 'evil`|"]\n```\n## :white_check_mark: **PASS**'


def test_markdown_and_mermaid_injection_is_escaped(tmp_path):
    config = with_value(stack_config("dev"), "ackstack:network.vswitches[0].zoneId", CRAFTED_ZONE)
    config = with_value(config, "ackstack:podNetworkings[0].selector.podSelector.matchLabels", {"app": CRAFTED_LABEL})
    result = preview_of(tmp_path, config)
    assert result.plan is not None  # the crafted values reach the zone and PodNetworking tables and the diagram
    report, _ = render_reports(result, SOURCE)
    assert "| h \\#\\# PASS &lt;img src=x\\> \\| \\[a\\](https://x) |" in report  # the zone row, escaped
    lines = report.splitlines()
    assert [ln for ln in lines if ln.startswith("#") and not ln.startswith("### ")] == [lines[0]]
    assert "**BLOCKED**" in lines[0]
    markdown = re.sub(r"```mermaid\n.*?\n```", "", report, flags=re.S)  # Mermaid labels are text, not Markdown
    assert "<img" not in markdown and not re.search(r"(?<!\\)\]\(https://x\)", markdown)
    assert report.count("```") == (2 if "```mermaid" in report else 0)
    # every table row keeps its column count: no pipe from user text splits a cell
    for block in re.findall(r"(?m)^(\| .+ \|\n\| ---.*\|\n(?:\|.*\|\n)*)", report):
        rows = block.splitlines()
        cells = len(re.split(r"(?<!\\)\|", rows[0]))
        assert all(len(re.split(r"(?<!\\)\|", r.replace("&#124;", ""))) == cells for r in rows), block
    assert mermaid_parse([diagram_of(report)])[0]["ok"]


def test_injection_in_a_diagram_still_parses(tmp_path):
    config = with_value(stack_config("dev"), "ackstack:network.vswitches[0].zoneId", 'z"]\n  X --> Y %% `')
    plan = preview_of(tmp_path, config).plan
    if plan is None:
        pytest.skip("config did not parse")
    diagram = network_diagram(plan)
    assert "\n  X --> Y" not in diagram and "`" not in diagram  # the label neither closed early nor broke a line
    assert mermaid_parse([diagram])[0]["ok"]
