"""The distributions as another team installs them: built by setuptools from this checkout (and from git),
installed into a directory outside the repository, then imported and run from there.

pip builds with `--no-build-isolation` (setuptools is pinned in requirements.txt) and `--no-deps` (the
dependencies are this venv's), so the tests need no network; the installed copy is put first on
PYTHONPATH and the checkout is not the working directory, so nothing below can pass by reading the repo.
"""

from __future__ import annotations

import email
import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
SUBCOMMANDS = ("preview", "rehearse", "verify", "migrate-controlplane", "charts")
PIP = [sys.executable, "-m", "pip", "--disable-pip-version-check", "--no-input", "-q"]

pytestmark = pytest.mark.xdist_group("package")


def pip(*args: str, cwd: Path) -> None:
    done = subprocess.run([*PIP, *args], cwd=cwd, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr


def run_installed(target: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(target)}
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    # Built from a copy: setuptools writes build/ inside the source tree, where the component package's editable
    # install (provider/requirements.txt `-e ..`, another worker) may be building at the same time (a CI failure).
    source = tmp_path_factory.mktemp("source") / "ackstack"
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(".venv", "venv", "build", "node_modules", ".git",
                                                                "__pycache__", "*.egg-info", ".hypothesis", "out"))
    pip("wheel", "--no-deps", "--no-build-isolation", "-w", str(out), str(source), cwd=out)
    (found,) = out.glob("ackstack-*.whl")
    return found


@pytest.fixture(scope="module")
def installed(tmp_path_factory, wheel) -> Path:
    target = tmp_path_factory.mktemp("site")
    pip("install", "--no-deps", "--no-build-isolation", "--target", str(target), str(wheel), cwd=target)
    return target


def test_the_wheel_holds_every_package_its_data_and_one_version(wheel):
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        metadata = email.message_from_bytes(archive.read(next(n for n in names if n.endswith(".dist-info/METADATA"))))
        entry_points = archive.read(next(n for n in names if n.endswith(".dist-info/entry_points.txt"))).decode()
    for module in ("ackstack/__init__.py", "ackstack/cli.py", "ackstack/engine/engine.py",
                   "ackstack/preview/preview.py", "ackstack/day2/verify.py", "ackstack/inputs/stackfile.py",
                   "components/cluster.py", "ackstack_core/constants.py"):
        assert module in names, module
    assert "ackstack/py.typed" in names
    assert any(n.startswith("ackstack/preview/templates/") and n.endswith(".j2") for n in names)
    assert any(n.startswith("components/charts/cilium/") for n in names)
    assert any(n.startswith("ackstack_core/cilium_charts/") and n.endswith(".json") for n in names)
    # tools, tests, benches and the data of this repository are not the library
    assert not [n for n in names if n.split("/")[0] in ("tests", "tools", "bench", "inventory", "docs", "offline")]
    pack = yaml.safe_load((ROOT / "policies" / "PulumiPolicy.yaml").read_text(encoding="utf-8"))
    assert metadata["Version"] == str(pack["version"])
    assert "ackstack = ackstack.cli:run" in entry_points
    assert metadata["Requires-Python"] == ">=3.11"
    extras = set(metadata.get_all("Provides-Extra") or [])
    assert {"day2", "dev"} <= extras


def test_installed_package_imports_from_its_own_copy_with_the_version(installed, tmp_path):
    done = run_installed(installed, sys.executable, "-c",
                         "import ackstack, ackstack_core, components; "
                         "print(ackstack.__version__); print(ackstack.__file__); print(components.__file__)",
                         cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    version, ackstack_file, components_file = done.stdout.split()
    pack = yaml.safe_load((ROOT / "policies" / "PulumiPolicy.yaml").read_text(encoding="utf-8"))
    assert version == str(pack["version"])
    assert ackstack_file.startswith(str(installed)) and components_file.startswith(str(installed))


def test_console_script_lists_the_subcommands_and_prints_the_version(installed, tmp_path):
    script = installed / "bin" / "ackstack"
    helped = run_installed(installed, str(script), "--help", cwd=tmp_path)
    assert helped.returncode == 0, helped.stderr
    for name in SUBCOMMANDS:
        assert name in helped.stdout, helped.stdout
    versioned = run_installed(installed, str(script), "--version", cwd=tmp_path)
    pack = yaml.safe_load((ROOT / "policies" / "PulumiPolicy.yaml").read_text(encoding="utf-8"))
    assert versioned.returncode == 0 and str(pack["version"]) in versioned.stdout
    as_module = run_installed(installed, sys.executable, "-m", "ackstack", "--help", cwd=tmp_path)
    assert as_module.returncode == 0 and as_module.stdout == helped.stdout


def test_unknown_subcommand_is_a_usage_error_not_a_traceback(installed, tmp_path):
    done = run_installed(installed, str(installed / "bin" / "ackstack"), "previw", cwd=tmp_path)
    assert done.returncode == 2
    assert "unknown command 'previw' (did you mean `preview`?)" in done.stderr and "Traceback" not in done.stderr


def test_installed_preview_runs_a_project_outside_the_repository(installed, tmp_path):
    """A team's own project directory: its Pulumi.yaml and a stack file, nothing else of this repository."""
    shutil.copy(ROOT / "Pulumi.yaml", tmp_path / "Pulumi.yaml")
    shutil.copy(ROOT / "Pulumi.dev.yaml", tmp_path / "Pulumi.dev.yaml")
    done = run_installed(installed, str(installed / "bin" / "ackstack"), "preview", "dev", "--no-policy", "--json",
                         cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    document = json.loads(done.stdout)
    assert document["stack"] == "dev" and not [f for f in document["findings"] if f["level"] == "error"]
    assert any(r["type"] == "alicloud:cs/managedKubernetes:ManagedKubernetes" for r in document["resources"])


def test_policy_distribution_installs_both_packages(tmp_path):
    target = tmp_path / "site"
    pip("install", "--no-deps", "--no-build-isolation", "--target", str(target), str(ROOT / "policies"), cwd=tmp_path)
    done = run_installed(target, sys.executable, "-c",
                         "import ackstack_policies, ackstack_core; print(ackstack_core.__version__); "
                         "print(ackstack_policies.__file__)", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    version, policies_file = done.stdout.split()
    pack = yaml.safe_load((ROOT / "policies" / "PulumiPolicy.yaml").read_text(encoding="utf-8"))
    assert version == str(pack["version"]) and policies_file.startswith(str(target))


def test_pip_installs_from_git(tmp_path):
    """`pip install git+<repo>`: what is committed, cloned by pip (a checkout with uncommitted edits installs
    its HEAD, as a user's would)."""
    if not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    target = tmp_path / "site"
    pip("install", "--no-deps", "--no-build-isolation", "--target", str(target), f"git+file://{ROOT}", cwd=tmp_path)
    done = run_installed(target, str(target / "bin" / "ackstack"), "--version", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert (target / "ackstack" / "engine" / "engine.py").is_file()
