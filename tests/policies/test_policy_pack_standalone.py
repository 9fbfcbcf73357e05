"""The policy pack as the Pulumi CLI runs it: its own virtualenv built from `policies/requirements.txt`
only, the `policies/` directory copied alone (as `pulumi policy publish` uploads it), the pack started
with `python -u -m pulumi.policy <engine> .` in that directory and driven over gRPC.

One virtualenv per test session (pip's cache makes it a few seconds on a warm CI machine).
"""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ackstack.preview.analyzer import run_policy_pack
from tests.ackstack.preview.test_analyzer_grpc import resources

PACK = Path(__file__).resolve().parents[2] / "policies"
_COPY_IGNORE = shutil.ignore_patterns("venv", "__pycache__", "*.egg-info", "*.pyc")
# What policies/requirements.txt provides, as top-level import names.
_REQUIREMENT_MODULES = {"pulumi", "pulumi_policy", "grpc", "google"}
_PACK_MODULES = {"ackstack_core", "ackstack_policies"}


def _requirements_pinned() -> list[str]:
    lines = [ln.split("#", 1)[0].strip() for ln in (PACK / "requirements.txt").read_text().splitlines()]
    return [ln for ln in lines if ln]


def _fail_or_skip(reason: str):
    if os.environ.get("CI"):
        pytest.fail(reason)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def standalone_pack(tmp_path_factory) -> tuple[Path, Path]:
    """(copied pack directory, python of a venv built from its requirements.txt only)."""
    root = tmp_path_factory.mktemp("standalone-pack")
    pack = root / "pack"
    shutil.copytree(PACK, pack, ignore=_COPY_IGNORE)
    venv = pack / "venv"  # where PulumiPolicy.yaml's `virtualenv: venv` makes the CLI build it
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    python = venv / "bin" / "python"
    proc = subprocess.run(
        [str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check", "-r", "requirements.txt"],
        cwd=pack, capture_output=True, text=True, timeout=600,
    )
    if proc.returncode != 0:
        _fail_or_skip(f"cannot build the pack's venv from policies/requirements.txt: {proc.stderr[-800:]}")
    return pack, python


def test_policy_yaml_points_at_its_own_virtualenv():
    text = (PACK / "PulumiPolicy.yaml").read_text()
    assert "virtualenv: venv" in text and ".." not in text.split("runtime:", 1)[1]


def test_requirements_are_pinned():
    reqs = _requirements_pinned()
    assert reqs and all("==" in r for r in reqs), reqs
    assert not any(r.startswith(("-e", "..", "/")) for r in reqs)


def test_pack_imports_only_its_directory_the_stdlib_and_its_requirements():
    outside: list[str] = []
    for path in sorted(PACK.rglob("*.py")):
        if {"venv", "__pycache__"} & set(path.relative_to(PACK).parts):
            continue
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            for name in names:
                top = name.split(".")[0]
                if top not in sys.stdlib_module_names | _REQUIREMENT_MODULES | _PACK_MODULES:
                    outside.append(f"{path.relative_to(PACK)}: {name}")
    assert outside == []


def test_copied_pack_in_its_own_venv_gives_the_same_findings_as_in_the_repository(standalone_pack):
    pack, python = standalone_pack
    # The interpreter sees nothing of this repository: no PYTHONPATH, no repo site-packages.
    probe = subprocess.run([str(python), "-c", "import ackstack_core, importlib.util as u;"
                            "print(list(ackstack_core.__path__)[0]); print(u.find_spec('pydantic'), u.find_spec('components'))"],
                           cwd=pack, capture_output=True, text=True, env={"PATH": os.environ.get("PATH", "")})
    assert probe.returncode == 0, probe.stderr
    assert probe.stdout.splitlines() == [str(pack / "ackstack_core"), "None None"]

    saved = os.environ.pop("PYTHONPATH", None)
    try:
        failing = run_policy_pack(pack, resources("dev", compliant=False), stack="dev", project="ackstack",
                                  python=str(python))
        passing = run_policy_pack(pack, resources("dev", compliant=True), stack="dev", project="ackstack",
                                  python=str(python))
    finally:
        if saved is not None:
            os.environ["PYTHONPATH"] = saved
    in_repo = run_policy_pack(PACK, resources("dev", compliant=False), stack="dev", project="ackstack")
    assert passing == []
    assert failing and sorted(map(repr, failing)) == sorted(map(repr, in_repo))
