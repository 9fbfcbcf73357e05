"""The command line a person meets first: `--help` at both levels, and progress on stderr for long runs."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def offline(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ackstack", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=300)


def test_top_level_help():
    proc = offline("--help")
    assert proc.returncode == 0 and proc.stderr == ""
    assert "preview" in proc.stdout and "Exit status" in proc.stdout


def test_preview_help_lists_every_option():
    proc = offline("preview", "--help")
    assert proc.returncode == 0
    for option in ("--json", "--out", "--compare", "--policy-pack-config", "--no-policy", "--progress"):
        assert option in proc.stdout


def test_no_command_is_a_usage_error():
    proc = offline()
    assert proc.returncode == 2 and "usage:" in proc.stderr and "Traceback" not in proc.stderr


def test_progress_on_stderr_only_when_asked_or_on_a_terminal():
    quiet = offline("preview", "dev", "--no-policy", "--json")
    loud = offline("preview", "dev", "--no-policy", "--json", "--progress")
    assert quiet.returncode == loud.returncode == 0
    assert quiet.stderr == ""  # a pipe: no progress
    stages = [line for line in loud.stderr.splitlines() if line.startswith("ackstack: [")]
    assert any("running the program" in s for s in stages) and any("resource(s) registered" in s for s in stages)
    assert stages[-1].endswith("done")
    assert quiet.stdout == loud.stdout  # progress never reaches stdout
