"""Issue #24 §4: every input file is a regular file of bounded size, and a result that cannot be written to
standard output is one line, not a traceback. Each case runs the real command (`python -m ackstack`) in a child
process with a timeout, so a hang (a FIFO nobody writes) fails the test instead of blocking the suite."""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
TIMEOUT = 120


def ackstack(*argv: str, stdout=subprocess.PIPE, preexec_fn=None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ackstack", *argv], cwd=ROOT, stdout=stdout,
                          stderr=subprocess.PIPE, text=True, timeout=TIMEOUT, preexec_fn=preexec_fn,
                          stdin=subprocess.DEVNULL)


def one_line(err: str) -> bool:
    return err.count("\n") == 1 and "Traceback" not in err


@pytest.fixture
def fifo(tmp_path) -> Path:
    path = tmp_path / "fifo"
    os.mkfifo(path)
    return path


@pytest.mark.parametrize("option", ["--config", "--inventory", "--compare", "--policy-pack-config"])
@pytest.mark.parametrize("kind", ["fifo", "device"])
def test_a_file_option_that_is_not_a_regular_file_is_one_line_and_exit_2(option, kind, fifo):
    """A FIFO used to block forever; /dev/zero used to be read until memory ran out (MemoryError, exit 3)."""
    target = str(fifo) if kind == "fifo" else "/dev/zero"
    done = ackstack("preview", "dev", "--no-policy", option, target)
    assert done.returncode == 2 and done.stdout == "", done
    assert one_line(done.stderr) and target in done.stderr and "not a regular file" in done.stderr, done.stderr


@pytest.mark.parametrize("option", ["--compare", "--policy-pack-config"])
def test_a_file_option_beyond_its_size_limit_is_one_line_and_exit_2(option, tmp_path):
    from ackstack_core.constants import COMPARE_MAX_BYTES, INPUT_MAX_BYTES

    limit = COMPARE_MAX_BYTES if option == "--compare" else INPUT_MAX_BYTES
    big = tmp_path / "big.json"
    with big.open("wb") as handle:  # sparse: no disk used
        handle.truncate(limit + 1)
    done = ackstack("preview", "dev", "--no-policy", option, str(big))
    assert done.returncode == 2 and one_line(done.stderr) and f"larger than {limit:,} bytes" in done.stderr, done


@pytest.mark.parametrize("kind", ["fifo", "directory", "device"])
def test_verify_names_a_kubeconfig_that_is_not_a_file(kind, fifo, tmp_path):
    """It used to say "no such file" for a directory or a FIFO."""
    target = {"fifo": str(fifo), "directory": str(tmp_path), "device": "/dev/zero"}[kind]
    done = ackstack("verify", "existing", "--kubeconfig", target)
    assert done.returncode == 2 and one_line(done.stderr) and target in done.stderr, done
    assert ("is a directory" if kind == "directory" else "not a regular file") in done.stderr, done.stderr


def test_verify_refuses_outputs_that_are_a_fifo(fifo, tmp_path):
    kubeconfig = tmp_path / "kubeconfig"
    kubeconfig.write_text("apiVersion: v1\nkind: Config\nclusters: []\ncontexts: []\nusers: []\n")
    done = ackstack("verify", "existing", "--kubeconfig", str(kubeconfig), "--outputs", str(fifo))
    assert done.returncode == 2 and "not a regular file" in done.stderr and "Traceback" not in done.stderr, done


def test_a_full_disk_on_stdout_is_one_line_and_exit_2():
    with open("/dev/full", "w") as full:
        done = ackstack("preview", "dev", "--no-policy", stdout=full)
    assert done.returncode == 2 and one_line(done.stderr), done.stderr
    assert "cannot write to standard output: No space left on device" in done.stderr


def test_a_file_size_limit_on_stdout_is_one_line_and_exit_2(tmp_path):
    def small_files():
        resource.setrlimit(resource.RLIMIT_FSIZE, (1024, 1024))

    with (tmp_path / "out.txt").open("w") as out:
        done = ackstack("preview", "prod", "--no-policy", stdout=out, preexec_fn=small_files)
    assert done.returncode == 2 and one_line(done.stderr) and "File too large" in done.stderr, done.stderr


def test_a_closed_pipe_on_stdout_is_one_line_and_exit_2():
    """The reader went away (`| head -1` after its line): no BrokenPipeError traceback, no exit 1."""
    proc = subprocess.Popen([sys.executable, "-m", "ackstack", "preview", "prod", "--no-policy", "--json"], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True)
    proc.stdout.close()
    err = proc.stderr.read()
    assert proc.wait(timeout=TIMEOUT) == 2 and one_line(err) and "Broken pipe" in err, err


# ---------------------------------------------------------------- strict types
def config_findings(path: str, value) -> list:
    from ackstack.engine.testing import run, stack_config, with_value

    result = run(with_value(stack_config("dev"), path, value))
    assert result.error is not None and result.registrations == [], "accepted"
    return [f for f in result.error.findings if f.path == path]


@pytest.mark.parametrize("path", ["ackstack:cluster.nodePools[0].maxSize", "ackstack:cluster.nodePools[0].minSize",
                                  "ackstack:cluster.nodePools[0].desiredSize"])
@pytest.mark.parametrize("value", [True, False])
def test_a_boolean_is_not_an_integer(path, value):
    """`maxSize: true` used to be a pool of one node."""
    found = config_findings(path, value)
    assert [f.rule for f in found] == ["CFG002"] and "not a boolean" in found[0].message, found


@pytest.mark.parametrize(("value", "kind"), [(["hunter2", "x"], "a list"), ({"pw": "hunter2"}, "a map"),
                                             (True, "a boolean"), ('["hunter2"]', "a list")])
def test_node_password_must_be_text_and_is_never_quoted(value, kind):
    found = config_findings("ackstack:nodePassword", value)
    assert [f.rule for f in found] == ["CFG002"] and f"not {kind}" in found[0].message, found
    assert "hunter2" not in found[0].message


@pytest.mark.parametrize("extra", [{"note": "hello"}, {}])
def test_a_malformed_secure_object_never_echoes_its_ciphertext(tmp_path, extra):
    cipher = "v1:AAAAc1ph3rT3xtDoNotShow"
    secure = {"secure": cipher, **extra} if extra else {"secure": ["v1:AAAAc1ph3rT3xtDoNotShow"]}
    import yaml

    document = yaml.safe_load((ROOT / "Pulumi.dev.yaml").read_text())
    document["config"]["ackstack:nodePassword"] = secure
    path = tmp_path / "Pulumi.dev.yaml"
    path.write_text(yaml.safe_dump(document))
    done = ackstack("preview", "dev", "--no-policy", "--config", str(path))
    assert done.returncode == 2 and one_line(done.stderr) and "malformed secret" in done.stderr, done
    assert "ackstack:nodePassword" in done.stderr and cipher not in done.stderr + done.stdout


# ---------------------------------------------------------------- --out is written whole or not at all
def snapshot(directory: Path) -> dict[str, bytes]:
    return {str(p.relative_to(directory)): p.read_bytes() for p in sorted(directory.rglob("*")) if p.is_file()}


def test_a_failed_out_write_leaves_the_previous_output_whole_and_nothing_beside_it(tmp_path):
    out = tmp_path / "out"
    assert ackstack("preview", "dev", "--no-policy", "--out", str(out)).returncode == 0
    before = snapshot(out)

    def small_files():
        resource.setrlimit(resource.RLIMIT_FSIZE, (16 * 1024, 16 * 1024))

    done = ackstack("preview", "prod", "--no-policy", "--out", str(out), preexec_fn=small_files)
    assert done.returncode == 2 and one_line(done.stderr) and "File too large" in done.stderr, done.stderr
    assert snapshot(out) == before  # not a cut preview.json, not prod's manifests beside dev's report
    assert sorted(p.name for p in tmp_path.iterdir()) == [".out.ackstack-lock", "out"]


def test_the_next_run_leaves_no_manifest_of_another_stack_and_keeps_the_users_files(tmp_path):
    from ackstack.preview.preview import main as preview_main

    out = tmp_path / "out"
    assert preview_main(["prod", "--no-policy", "--out", str(out)]) == 0
    prod_manifests = {p.name for p in (out / "manifests").iterdir()}
    (out / "NOTES.md").write_text("mine")
    (out / "manifests" / "left-by-an-interrupted-old-version.yaml").write_text("kind: Stale\n")
    assert preview_main(["dev", "--no-policy", "--out", str(out)]) == 0
    dev_manifests = {p.name for p in (out / "manifests").iterdir()}
    assert dev_manifests and "left-by-an-interrupted-old-version.yaml" not in dev_manifests
    assert not any("prod" in name for name in dev_manifests) and prod_manifests != dev_manifests
    assert json.loads((out / "preview.json").read_text())["stack"] == "dev"
    assert (out / "NOTES.md").read_text() == "mine"
    assert oct(out.stat().st_mode & 0o777) != oct(0o700)  # a directory as the user's umask makes it


def test_a_directory_another_run_is_writing_is_refused(tmp_path):
    import fcntl

    out = tmp_path / "out"
    with (tmp_path / ".out.ackstack-lock").open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)  # what a run writing `out` holds
        done = ackstack("preview", "dev", "--no-policy", "--out", str(out))
    assert done.returncode == 2 and one_line(done.stderr) and "another ackstack run is writing" in done.stderr
    assert not out.exists() and done.stdout == ""
    assert ackstack("preview", "dev", "--no-policy", "--out", str(out)).returncode == 0  # free again


def test_what_a_killed_run_left_beside_out_is_removed_by_the_next(tmp_path):
    out = tmp_path / "out"
    for leftover in (".out.ackstack-new-0a1b2c", ".out.ackstack-old-4242"):
        (tmp_path / leftover / "manifests").mkdir(parents=True)
        (tmp_path / leftover / "manifests" / "x.yaml").write_text("kind: X\n")
    assert ackstack("preview", "dev", "--no-policy", "--out", str(out)).returncode == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == [".out.ackstack-lock", "out"]
