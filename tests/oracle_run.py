"""Run a Go oracle (go/oracles, built into .venv/bin by the installer from go/targets.json) on a batch.

One process per corpus: the cases go in as one JSON array on stdin, the verdicts come back in order.
A missing binary fails the test in CI (env CI set) and skips it elsewhere, saying how to build it.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

from ackstack.engine.testing import ROOT, require_reference

TARGETS = ROOT / "go" / "targets.json"


def oracle_binary(output: str) -> Path:
    """`.venv/bin/<output>` of the go/targets.json entry named `output`; fails or skips when absent."""
    entries = {entry["output"]: entry for entry in json.loads(TARGETS.read_text(encoding="utf-8"))}
    assert output in entries, f"{output} is not a target in go/targets.json"
    binary = ROOT / ".venv" / "bin" / output
    entry = entries[output]
    require_reference(binary.is_file(), f"{binary} (build: cd {entry['dir']} && go build -trimpath -o "
                                        f"{binary} {entry['package']})")
    return binary


def ask(binary: Path, cases: list[dict[str, Any]], *args: str, timeout: float = 120) -> list[dict[str, Any]]:
    """The oracle's verdicts for `cases` (same order)."""
    proc = subprocess.run([str(binary), *args], input=json.dumps(cases).encode(), capture_output=True,
                          timeout=timeout, check=False)
    assert proc.returncode == 0, f"{binary.name} exited {proc.returncode}: {proc.stderr.decode()[-2000:]}"
    verdicts = json.loads(proc.stdout)
    assert len(verdicts) == len(cases), f"{binary.name} answered {len(verdicts)} of {len(cases)} cases"
    for case, verdict in zip(cases, verdicts, strict=True):
        assert not (isinstance(verdict, dict) and str(verdict.get("error", "")).startswith(("bad case", "unknown op"))), \
            (case, verdict)
    return verdicts
