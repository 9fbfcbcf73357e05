"""tools/install_pulumi.py: one clear line and a documented exit status when Go, the module proxy or
go/targets.json is wrong; nothing rebuilt when every target is current."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from ackstack.engine.testing import require_reference
from tools.install_pulumi import (
    BINARY_CACHE_ENV,
    EXIT_BAD_TARGETS,
    EXIT_NO_GO,
    TARGETS_FILE,
    InstallError,
    install,
    load_targets,
)

ROOT = Path(__file__).resolve().parents[2]
INSTALLER = ROOT / "tools" / "install_pulumi.py"


def run_installer(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(INSTALLER), *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=600, check=False)


def test_the_project_targets_file_is_valid():
    outputs = [t.output for t in load_targets()]
    assert {"pulumi", "pulumi-language-python", "pulumi-language-python-exec"} <= set(outputs)


def test_without_go_it_fails_with_one_line(tmp_path):
    env = {**os.environ, "PATH": str(Path(sys.executable).parent)}  # the venv's bin: python, no go
    done = run_installer(env, "--bin-dir", str(tmp_path))
    assert done.returncode == EXIT_NO_GO
    assert done.stderr.count("\n") == 1 and done.stderr.startswith("install_pulumi: Go is not installed"), done.stderr
    assert list(tmp_path.iterdir()) == []


def test_without_the_module_proxy_it_fails_with_one_line(tmp_path):
    """An empty module cache and a proxy that refuses connections: the download step says so, once."""
    require_reference(bool(subprocess.run(["which", "go"], capture_output=True).returncode == 0), "Go")
    env = {**os.environ, "GOMODCACHE": str(tmp_path / "modcache"), "GOPROXY": "http://127.0.0.1:9",
           "GOTOOLCHAIN": "local", "GOFLAGS": "-modcacherw"}
    done = run_installer(env, "--bin-dir", str(tmp_path / "bin"))
    assert done.returncode == EXIT_NO_GO, done.stdout + done.stderr
    assert done.stderr.count("\n") == 1, done.stderr
    assert done.stderr.startswith("install_pulumi: cannot download the Go modules go/cli needs "
                                  "(GOPROXY=http://127.0.0.1:9;"), done.stderr


@pytest.mark.parametrize(("entry", "why"), [
    ({"dir": "go/cli", "package": "./langhost"}, "`output` must be a non-empty string"),
    ({"output": "x", "dir": "go/cli"}, "needs exactly one of `package`"),
    ({"output": "x", "dir": "go/nowhere", "package": "./x"}, "`dir` go/nowhere has no go.mod"),
    ({"output": "x", "dir": "go/cli", "package": "./x", "tags": "osusergo"}, "`tags` must be a list of strings"),
    ({"output": "x", "dir": "go/cli", "package": "./x", "flags": "-v"}, "unknown key(s) flags"),
    ({"output": "../x", "dir": "go/cli", "package": "./x"}, "`output` must be a plain file name"),
])
def test_a_malformed_target_is_named_by_its_position(tmp_path, entry, why):
    targets = tmp_path / "targets.json"
    targets.write_text(json.dumps([json.loads(TARGETS_FILE.read_text())[0], entry]))
    with pytest.raises(InstallError) as raised:
        load_targets(targets)
    assert raised.value.exit_code == EXIT_BAD_TARGETS
    assert f"entry 1: {why}" in str(raised.value)


def test_a_second_run_rebuilds_nothing_and_checks_the_versions():
    """CI runs the installer before the tests: a second run finds every target current (stamps match) and
    still checks `pulumi version` against go/cli/go.mod's pin."""
    bin_dir = Path(sys.executable).parent
    require_reference((bin_dir / "pulumi").is_file(), "the Pulumi CLI (run .venv/bin/python tools/install_pulumi.py)")
    done = run_installer(dict(os.environ))
    assert done.returncode == 0, done.stdout + done.stderr
    for target in load_targets():
        assert f"{target.output}: up to date in " in done.stdout, done.stdout


def test_a_fresh_bin_dir_copies_a_binary_built_once_from_the_binary_cache(tmp_path, monkeypatch, capsys):
    """CI starts with a fresh venv each run: the second install of a target links nothing, it copies the binary
    the first one left in the cache under its stamp; `--force` links again whatever the cache holds."""
    require_reference(subprocess.run(["which", "go"], capture_output=True).returncode == 0, "Go")
    targets = tmp_path / "targets.json"
    targets.write_text(json.dumps([e for e in json.loads(TARGETS_FILE.read_text())
                                   if e["output"] == "goparse-oracle"]))
    monkeypatch.setenv(BINARY_CACHE_ENV, str(tmp_path / "cache"))
    install(tmp_path / "first", targets_file=targets)
    assert "goparse-oracle: built in " in capsys.readouterr().out
    cached = list((tmp_path / "cache").glob("*/goparse-oracle"))
    assert len(cached) == 1 and cached[0].read_bytes() == (tmp_path / "first" / "goparse-oracle").read_bytes()

    cached[0].write_bytes(cached[0].read_bytes() + b"marker")  # so a copy is told apart from a new link
    install(tmp_path / "second", targets_file=targets)
    assert "goparse-oracle: copied from the binary cache in " in capsys.readouterr().out
    assert (tmp_path / "second" / "goparse-oracle").read_bytes().endswith(b"marker")

    install(tmp_path / "second", force=True, targets_file=targets)
    assert "goparse-oracle: built in " in capsys.readouterr().out
    assert not (tmp_path / "second" / "goparse-oracle").read_bytes().endswith(b"marker")
    assert os.access(tmp_path / "second" / "goparse-oracle", os.X_OK)
